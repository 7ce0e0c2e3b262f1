"""Tests: real PostgreSQL and Redis (the test command starts them where none answers)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "tests-only-not-secret"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres:postgres@127.0.0.1:5432/mash")
}
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/15")
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_TRANSPORT = "mash.broker:RedisTransport"  # survives a Redis outage (mash/broker.py)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_timeout": 10,
    "socket_connect_timeout": 5,
    "health_check_interval": 30,
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MASH_REQUIRE_SECOND_FACTOR = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A folder whatever MASH_S3_* say: the object-storage tests point STORAGES at their own S3 server.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

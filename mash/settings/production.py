"""Production: every secret and address from the environment; start-up stops if one is missing.

A missing or unsafe value raises ImproperlyConfigured naming the environment variable, so the
last line of the start-up error says what to fix. `manage.py check --deploy` prints no warnings.
"""

import warnings
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

# Django's own bar for a secret key (security.W009): refused here instead of warned about.
_SECRET_KEY_MIN_LENGTH = 50
_SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
_SECRET_KEY_INSECURE_PREFIX = "django-insecure-"

# The variables are checked before base.py parses any of them, so that a missing or malformed
# one is reported by name rather than as whatever base.py's parsing trips over. A .env file is
# read first, exactly as base.py reads it (the environment wins over the file).
environ.Env.read_env(Path(__file__).resolve().parent.parent.parent / ".env", overwrite=False)
_env = environ.Env()


def _required(name: str) -> str:
    value = _env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set in production.")
    return value


def _secret_key(name: str) -> str:
    value = _required(name)
    if (
        len(value) < _SECRET_KEY_MIN_LENGTH
        or len(set(value)) < _SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or value.startswith(_SECRET_KEY_INSECURE_PREFIX)
    ):
        raise ImproperlyConfigured(
            f"The environment variable {name} is not a safe secret key: it needs at least "
            f"{_SECRET_KEY_MIN_LENGTH} random characters, not starting with "
            f"'{_SECRET_KEY_INSECURE_PREFIX}'. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    return value


def _host_list(name: str) -> list[str]:
    hosts = [host.strip() for host in _required(name).split(",") if host.strip()]
    if not hosts:
        raise ImproperlyConfigured(
            f"The environment variable {name} must list at least one host name in production."
        )
    return hosts


def _database(name: str) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # django-environ warns on an unknown scheme
        config = environ.Env.db_url_config(_required(name))
    if config.get("ENGINE") not in {
        "django.db.backends.postgresql",
        "django.contrib.gis.db.backends.postgis",
    }:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be a PostgreSQL URL in production, "
            "such as postgres://user:password@host:5432/name."
        )
    return config


def _redis_url(name: str) -> str:
    value = _required(name)
    if urlsplit(value).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be a Redis URL in production, "
            "such as redis://host:6379/0."
        )
    return value


_SECRET_KEY = _secret_key("DJANGO_SECRET_KEY")
_ALLOWED_HOSTS = _host_list("DJANGO_ALLOWED_HOSTS")
_DATABASE = _database("DATABASE_URL")
_REDIS_URL = _redis_url("REDIS_URL")

from .base import *  # noqa: E402, F403
from .base import env  # noqa: E402

DEBUG = False
SECRET_KEY = _SECRET_KEY
ALLOWED_HOSTS = _ALLOWED_HOSTS
# Links in emails: the first allowed host over HTTPS unless MASH_SITE_URL says otherwise.
SITE_URL = env("MASH_SITE_URL", default=f"https://{_ALLOWED_HOSTS[0]}").rstrip("/")
DATABASES = {"default": _DATABASE}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
REDIS_URL = _REDIS_URL
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_TRANSPORT = "mash.broker:RedisTransport"  # survives a Redis outage (mash/broker.py)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_timeout": 10,
    "socket_connect_timeout": 5,
    "health_check_interval": 30,
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
}

# Everyone proves a second factor unless the environment explicitly says otherwise.
MASH_REQUIRE_SECOND_FACTOR = env.bool("MASH_REQUIRE_SECOND_FACTOR", default=True)

# TLS ends at the reverse proxy, which must set X-Forwarded-Proto (and strip any it receives).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# Stored files as base.py chose them: MASH_S3_BUCKET's bucket, else MASH_MEDIA_ROOT (ADR 8).
STORAGES = {
    "default": STORAGES["default"],  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)

"""Local development and `make run`: SQLite and the embedded broker unless the environment says."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-secret")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
MASH_REQUIRE_SECOND_FACTOR = env.bool("MASH_REQUIRE_SECOND_FACTOR", default=False)

"""Settings for the worker and beat processes of the fault tests (tests/faults.py): the test
settings, mail over SMTP to the test's sink, and the broker the test names in REDIS_URL."""

import os

from mash.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("MASH_TEST_SMTP_PORT", "25"))
EMAIL_TIMEOUT = 10

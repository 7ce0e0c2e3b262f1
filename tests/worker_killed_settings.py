"""Test settings for a Celery worker that takes back a killed worker's message within seconds.

With Redis, a message delivered to a worker that dies without acknowledging it (``acks_late``)
stays in the ``unacked`` hash until ``visibility_timeout`` has passed; then a worker's sweep puts it
back on the queue (kombu sweeps once when a worker starts, and every ~100 s after that). The real
settings keep it an hour. This module shortens it so that a test can see the redelivery; it is
selected through DJANGO_SETTINGS_MODULE for the worker subprocess only
(tests/test_deadline_scan_worker_killed.py).
"""

from mash.settings.test import *  # noqa: F403
from mash.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS as _OPTIONS

#: Seconds after its delivery that an unacknowledged message may be delivered again.
VISIBILITY_TIMEOUT = 2

CELERY_BROKER_TRANSPORT_OPTIONS = {**_OPTIONS, "visibility_timeout": VISIBILITY_TIMEOUT}

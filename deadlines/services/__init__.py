"""Every write of the deadlines app: the deadline scan (``scan``), notifications and their
emails (``notifications``), and what each event of the other apps notifies (``events``).

The public names are re-exported here, so ``from deadlines.services import ...`` keeps working.
"""

from .events import (
    notify_allocated,
    notify_awaiting_decision,
    notify_request_received,
    notify_return_received,
    on_allocated,
)
from .notifications import (
    KINDS,
    NOTIFICATION_PURPOSE,
    absolute_link,
    email_choices,
    emailed_users,
    notification_emailed,
    notification_mail,
    notifications_mark_all_read,
    notifications_mark_read,
    notify,
    preference_set,
    preferences_set,
    record_link,
)
from .scan import (
    BATCH_SIZE,
    MAX_BATCHES,
    MAX_PREPARE_BATCHES,
    PREPARE_BATCH,
    ScanResult,
    _process,
    run_deadline_scan,
)

__all__ = [
    "BATCH_SIZE",
    "KINDS",
    "MAX_BATCHES",
    "MAX_PREPARE_BATCHES",
    "NOTIFICATION_PURPOSE",
    "PREPARE_BATCH",
    "ScanResult",
    "_process",
    "absolute_link",
    "email_choices",
    "emailed_users",
    "notification_emailed",
    "notification_mail",
    "notifications_mark_all_read",
    "notifications_mark_read",
    "notify",
    "notify_allocated",
    "notify_awaiting_decision",
    "notify_request_received",
    "notify_return_received",
    "on_allocated",
    "preference_set",
    "preferences_set",
    "record_link",
    "run_deadline_scan",
]

"""Every write of reminders: the daily scan that fills the dispatch log (scan.py), the sending
of what it created, claimed with a conditional update so never twice (sending.py), the
retention of the log (retention.py), preferences and reading notifications
(notifications.py). DESIGN.md section 3 sets the rules; ladder.py holds the steps, access.py
who is reminded."""

from .notifications import notification_mark_read, notifications_mark_all_read, preference_update
from .retention import reminders_prune
from .scan import (
    CHUNK_SIZE,
    ScanResult,
    _tracked_items,
    reminders_enqueue_pending,
    reminders_scan,
)
from .sending import (
    RETRYABLE,
    digest_send,
    dispatch_send,
    dispatches_mark_failed,
    dispatches_retry,
)

__all__ = [
    "CHUNK_SIZE",
    "RETRYABLE",
    "ScanResult",
    "_tracked_items",
    "digest_send",
    "dispatch_send",
    "dispatches_mark_failed",
    "dispatches_retry",
    "notification_mark_read",
    "notifications_mark_all_read",
    "preference_update",
    "reminders_enqueue_pending",
    "reminders_prune",
    "reminders_scan",
]

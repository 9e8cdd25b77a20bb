"""Settings for the Celery processes the integration tests start: the real settings, with
beat's daily scan every second, Redis re-delivering an abandoned task after two seconds,
and (when asked) a mail backend that pauses after writing so a test can kill the worker
mid-task."""

import os

from rocu_tracker.settings import *  # noqa: F403
from rocu_tracker.settings import CELERY_BEAT_SCHEDULE, MAILERS

CELERY_BEAT_SCHEDULE["reminders-daily-scan"]["schedule"] = 1.0
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
if os.environ.get("REMINDERS_TEST_PAUSE_AFTER_SEND"):
    MAILERS["default"]["BACKEND"] = "reminders.tests.pausing_mail.EmailBackend"

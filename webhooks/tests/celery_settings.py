"""Settings of the worker processes test_worker.py starts: the real settings, with Redis
re-delivering an abandoned task after two seconds (so the second worker gets the killed
worker's task back). The WEBHOOK_* settings come from the environment, as in production."""

from rocu_tracker.settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

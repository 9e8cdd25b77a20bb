"""Celery tasks: thin, taking ids and dates as JSON, each calling one service. All are safe
to run twice (acks_late re-delivers after a crash): the services claim before they send."""

import datetime

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="reminders.scan")
def scan_due_reminders() -> dict:
    result = services.reminders_scan(today=timezone.localdate())
    return vars(result)


@shared_task(name="reminders.send_digest")
def send_digest(recipient_id: int, day: str) -> bool:
    return services.digest_send(recipient_id=recipient_id, day=datetime.date.fromisoformat(day))


@shared_task(name="reminders.send_dispatch")
def send_dispatch(dispatch_id: int, day: str | None = None) -> bool:
    return services.dispatch_send(
        dispatch_id=dispatch_id, day=datetime.date.fromisoformat(day) if day else None
    )


@shared_task(name="reminders.prune")
def prune_dispatch_log() -> int:
    return services.reminders_prune(today=timezone.localdate())

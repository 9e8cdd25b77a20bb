"""The delivery task: thin, safe to run twice or at once (each row is claimed with SKIP
LOCKED and marked sending before its POST). Beat runs it every 10 seconds and every change
that records a delivery enqueues it after commit."""

from celery import shared_task

from . import services


@shared_task(name="webhooks.deliver_due")
def deliver_due() -> dict:
    return vars(services.webhooks_deliver_due())

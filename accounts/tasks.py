"""Celery tasks of accounts: thin, as everywhere."""

from celery import shared_task
from django.core.management import call_command


@shared_task(name="accounts.clear_sessions")
def clear_sessions() -> None:
    """Expired sessions stay in the database until removed; beat runs this daily."""
    call_command("clearsessions")

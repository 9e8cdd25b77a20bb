"""Celery tasks: thin, each calling one service."""

from celery import shared_task
from django.utils import timezone

from . import tally


@shared_task(name="recommendations.prune_counted_changes")
def prune_counted_changes() -> int:
    return tally.counted_changes_prune(now=timezone.now())

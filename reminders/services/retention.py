"""The dispatch log's retention: rows (and their notifications) older than
REMINDER_LOG_RETENTION_DAYS go, in batches, once no scan can decide their key again.

What makes that safe is the ladder, not the log: every step is current on one stretch of at
most ladder.LONGEST_STEP_DAYS days, so a row decided longer ago than that holds a key that
will never be decided again, and deleting it cannot cause a resend. The retention must be
longer (the setting is refused otherwise); the default keeps about three months, which is
also what support needs to show that each reminder went once."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from .. import ladder
from ..models import Delivery, Dispatch

logger = logging.getLogger(__name__)

PRUNE_BATCH = 5000
# Waiting to be sent, or stuck mid-send for support to decide: kept whatever their age.
UNSETTLED = [Delivery.PENDING, Delivery.SENDING]


def retention_days() -> int:
    days = settings.REMINDER_LOG_RETENTION_DAYS
    if days <= ladder.LONGEST_STEP_DAYS:
        raise ImproperlyConfigured(
            f"REMINDER_LOG_RETENTION_DAYS is {days}: it must be more than "
            f"{ladder.LONGEST_STEP_DAYS} days (the longest a reminder stays current), or "
            "a pruned reminder could be decided and sent again."
        )
    return days


def reminders_prune(*, today: datetime.date, batch_size: int = PRUNE_BATCH) -> int:
    """Delete the settled dispatch rows decided more than the retention before `today`, and
    with them their notifications (read or not: a reminder that old has been followed by
    newer ones about the same item while it stays open). Returns the rows deleted."""
    cutoff = today - datetime.timedelta(days=retention_days())
    old = Dispatch.objects.filter(decided_on__lt=cutoff).exclude(delivery__in=UNSETTLED)
    deleted = 0
    while ids := list(old.values_list("id", flat=True)[:batch_size]):
        with transaction.atomic():
            _, by_model = Dispatch.objects.filter(id__in=ids).delete()
        deleted += by_model.get(Dispatch._meta.label, 0)
    logger.info("Reminder log pruned before %s: %s rows", cutoff, deleted)
    return deleted

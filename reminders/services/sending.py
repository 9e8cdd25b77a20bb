"""Sending what the scan created: each digest or single reminder claimed with a conditional
update (so sent once, however often it is asked), checked again just before against the
ladder (a row no longer current is superseded, never sent), and recorded sent or failed;
support's two actions on the log."""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from .. import selectors
from ..emails import email_build
from ..models import Delivery, Digest, Dispatch
from .scan import current_keys, reminders_enqueue_pending

logger = logging.getLogger(__name__)


def _supersede_stale(waiting: QuerySet, *, day: datetime.date) -> int:
    """Before sending, mark superseded (never sent) the waiting rows that are no longer
    current on `day`: after a lost queue the log holds a row per day missed ("due in 1 day",
    "due today", "overdue (week 1)"), of which only the last is still true. `waiting` must
    hold only unclaimed pending rows; the update is conditional on that, so it cannot race
    a claim."""
    rows = list(waiting.only("id", "subject_type", "subject_id", "kind", "deadline", "recipient"))
    if not rows:
        return 0
    current = current_keys(rows, day=day)
    stale = [
        row.id
        for row in rows
        if (row.subject_type, row.subject_id, row.kind, row.deadline, row.recipient_id)
        not in current
    ]
    if not stale:
        return 0
    return waiting.filter(id__in=stale, claimed_at=None, delivery=Delivery.PENDING).update(
        delivery=Delivery.SUPERSEDED,
        error=f"Not sent on {day:%-d %B %Y}: no longer the current reminder.",
    )


def _claim_digest(*, recipient_id: int, day: datetime.date) -> Digest | None:
    """Attach the recipient's waiting rows that are still current to their digest of `day`,
    then claim it with a conditional update. Returns the digest only to the one caller whose
    claim won."""
    waiting = Dispatch.objects.filter(
        recipient_id=recipient_id,
        email=True,
        digest__isnull=True,
        claimed_at__isnull=True,
        delivery=Delivery.PENDING,
    )
    _supersede_stale(waiting, day=day)
    with transaction.atomic():
        try:
            digest, _ = Digest.objects.get_or_create(recipient_id=recipient_id, day=day)
        except IntegrityError:  # another worker created it a moment ago; it will send
            return None
        digest = Digest.objects.select_for_update().get(pk=digest.pk)
        if digest.claimed_at is not None:
            return None  # today's digest is out; these rows wait for tomorrow's
        waiting.update(digest=digest)
    if not digest.dispatches.exists():
        return None
    now = timezone.now()
    if not Digest.objects.filter(id=digest.id, claimed_at=None).update(
        claimed_at=now, delivery=Delivery.SENDING
    ):
        return None
    digest.dispatches.update(claimed_at=now, delivery=Delivery.SENDING)
    digest.refresh_from_db()
    return digest


def digest_send(*, recipient_id: int, day: datetime.date) -> bool:
    """Send the recipient's digest of `day` once, however often it is called."""
    digest = _claim_digest(recipient_id=recipient_id, day=day)
    if digest is None:
        return False
    user = digest.recipient
    # In the order decided (the log has no default order): one item's reminder before its
    # escalation when both are the person's.
    rows = digest.dispatches.order_by("id")
    entries = selectors.entries_folded(selectors.dispatch_entries(rows))
    context = {
        "user": user,
        "day": day,
        "groups": selectors.entries_by_urgency(entries),
        "counts": selectors.item_counts_for(user, today=day),
        "site_url": settings.SITE_URL,
    }
    return _deliver(
        email_build("reminder_digest", context, to=[user.email]),
        Digest.objects.filter(id=digest.id),
        digest.dispatches.all(),
    )


def dispatch_send(*, dispatch_id: int, day: datetime.date | None = None) -> bool:
    """Send one reminder on its own (for people who chose immediate emails), once, if it is
    still current on `day` (default today)."""
    now = timezone.now()
    waiting = Dispatch.objects.filter(
        id=dispatch_id, claimed_at=None, digest=None, delivery=Delivery.PENDING
    )
    if _supersede_stale(waiting, day=day or timezone.localdate()):
        return False
    claimed = waiting.update(claimed_at=now, delivery=Delivery.SENDING)
    if not claimed:
        return False
    dispatch = Dispatch.objects.select_related("recipient").get(id=dispatch_id)
    (entry,) = selectors.dispatch_entries([dispatch])
    context = {"user": dispatch.recipient, "entry": entry, "site_url": settings.SITE_URL}
    rows = Dispatch.objects.filter(id=dispatch_id)
    return _deliver(email_build("reminder", context, to=[dispatch.recipient.email]), rows)


def _deliver(message, *claimed: QuerySet) -> bool:
    """Send a claimed email; record sent, or failed with the error. A failure is not
    retried automatically (the message may have left); the admin shows it."""
    try:
        message.send(using="default")
    except Exception as error:
        logger.exception("Reminder email to %s failed", message.to)
        for rows in claimed:
            rows.update(delivery=Delivery.FAILED, error=f"{type(error).__name__}: {error}")
        return False
    now = timezone.now()
    for rows in claimed:
        rows.update(delivery=Delivery.SENT, sent_at=now)
    return True


# Support's two actions on the dispatch log (the admin's). Support never deletes rows: a key
# deleted while still current would be decided, and sent, again by the next scan; only the
# retention (retention.py) removes rows, once no scan can decide their key again.
RETRYABLE = [Delivery.FAILED, Delivery.SENDING]


def dispatches_mark_failed(*, dispatch_ids, by) -> int:
    """Mark failed the rows not sent: waiting (so they never go) or stuck "sending" after a
    worker died mid-send, once support has found the message did not leave."""
    return Dispatch.objects.filter(
        id__in=dispatch_ids, delivery__in=[Delivery.PENDING, Delivery.SENDING]
    ).update(delivery=Delivery.FAILED, error=f"Marked as failed by {by.get_username()}.")


def dispatches_retry(*, dispatch_ids, by, today: datetime.date | None = None) -> int:
    """Put failed or stuck rows back to pending, out of their digest, and enqueue the
    sending: the next send claims each once (by its conditional update) and first checks
    that it is still current. Returns how many rows will be tried again."""
    retried = Dispatch.objects.filter(
        id__in=dispatch_ids, email=True, delivery__in=RETRYABLE
    ).update(
        delivery=Delivery.PENDING,
        digest=None,
        claimed_at=None,
        error=f"Retried by {by.get_username()}.",
    )
    if retried:
        reminders_enqueue_pending(today=today or timezone.localdate())
    return retried

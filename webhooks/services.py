"""Every write to webhook endpoints and their delivery log.

Events are recorded by the services that make the change, in their transaction: a rolled
back change sends nothing. The log is the schedule: the delivery task claims one due row
at a time (SELECT ... FOR UPDATE SKIP LOCKED), marks it "sending" and commits, then POSTs,
then records the answer. A row still "sending" long after its claim belonged to a worker
that died mid-POST: it is marked interrupted (it may have arrived) and only a person sends
it again, so nothing is ever delivered twice by the machinery (README "Webhooks")."""

import dataclasses
import datetime
import logging
import secrets
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from organisations.access import as_recorded
from recommendations.models import TrackedItem, TrackedItemEvent
from reminders.emails import email_build
from rocu_tracker.people import display_name

from . import access, payloads, transport
from .models import Event, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status
# One run of the task sends at most this many, and claims none after RUN_SECONDS, so it ends
# well inside the Celery time limit (a run killed by it would leave a delivery interrupted).
RUN_LIMIT = 200
RUN_SECONDS = 60


# --- endpoints: an organisation administrator's ----------------------------------------


def _name(user) -> str:
    return display_name(as_recorded(user), nobody="the system")


def _secret_new() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _events_clean(events) -> list[str]:
    chosen = [event for event in Event.values if event in set(events)]
    if not chosen:
        raise ValidationError("Choose at least one event.")
    return chosen


def _url_clean(url: str) -> str:
    url = url.strip()
    try:
        transport.checked_target(url)
    except transport.UnsafeAddress as error:
        raise ValidationError({"url": str(error)}) from None
    return url


@transaction.atomic
def webhook_endpoint_create(
    *, organisation, url: str, events, description: str = "", by
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its secret, to be shown once."""
    access.require_manage_webhooks(by, organisation)
    secret = _secret_new()
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation,
        url=_url_clean(url),
        events=_events_clean(events),
        description=description.strip(),
        secret=secret,
        created_by=as_recorded(by),
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, events, description: str = "", by
) -> WebhookEndpoint:
    """Change the events an endpoint receives (from the next change on) and its note."""
    access.require_manage_webhooks(by, endpoint.organisation)
    endpoint.events = _events_clean(events)
    endpoint.description = description.strip()
    endpoint.save(update_fields=["events", "description"])
    return endpoint


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint, by) -> str:
    """A new secret signs every delivery from now on (the old one stops at once)."""
    access.require_manage_webhooks(by, endpoint.organisation)
    endpoint.secret = _secret_new()
    endpoint.secret_rotated_at = timezone.now()
    endpoint.save(update_fields=["secret", "secret_rotated_at"])
    return endpoint.secret


@transaction.atomic
def webhook_endpoint_pause(*, endpoint: WebhookEndpoint, by, reason: str = "") -> bool:
    """Stop sending: no new deliveries are recorded and the waiting ones wait."""
    access.require_manage_webhooks(by, endpoint.organisation)
    reason = reason or f"Paused by {_name(by)}."
    return bool(
        WebhookEndpoint.objects.filter(pk=endpoint.pk, paused_at=None).update(
            paused_at=timezone.now(), pause_reason=reason[:300]
        )
    )


@transaction.atomic
def webhook_endpoint_resume(*, endpoint: WebhookEndpoint, by) -> bool:
    """Send again: the waiting deliveries go at once, and new changes are recorded."""
    access.require_manage_webhooks(by, endpoint.organisation)
    resumed = WebhookEndpoint.objects.filter(pk=endpoint.pk, paused_at__isnull=False).update(
        paused_at=None, pause_reason="", consecutive_failures=0
    )
    if resumed:
        WebhookDelivery.objects.filter(endpoint=endpoint, status=Status.PENDING).update(
            next_attempt_at=timezone.now()
        )
        _kick_after_commit()
    return bool(resumed)


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, by) -> None:
    """Remove the endpoint and its delivery log."""
    access.require_manage_webhooks(by, endpoint.organisation)
    endpoint.delete()


@transaction.atomic
def webhook_delivery_resend(*, delivery: WebhookDelivery, by) -> bool:
    """A person sends a failed or interrupted delivery again (the same id, so a receiver
    that had it can tell), with the retries of a new one."""
    access.require_manage_webhooks(by, delivery.endpoint.organisation)
    sent_again = WebhookDelivery.objects.filter(
        pk=delivery.pk, status__in=[Status.FAILED, Status.INTERRUPTED]
    ).update(
        status=Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        claimed_at=None,
        last_error=f"Sent again by {_name(by)} after {delivery.attempts} attempt(s).",
    )
    if sent_again:
        _kick_after_commit()
    return bool(sent_again)


# --- events: recorded by the services that make the change --------------------------------


def _kick_after_commit() -> None:
    """Enqueue a delivery run once the transaction commits (once per transaction). If the
    broker is down, beat's next run (every 10 seconds) sends them anyway."""
    pending = getattr(connection, "run_on_commit", None) or []
    if any(callback is _kick for _, callback, *_ in pending):
        return
    transaction.on_commit(_kick, robust=True)


def _kick() -> None:
    from .tasks import deliver_due  # tasks.py imports this module

    deliver_due.apply_async(retry=False)


def _deliveries_record(organisation_id: int, types: list[str], *, source: str, data) -> int:
    """A delivery row for each active endpoint of the organisation that chose each type.
    `data` is called only if one did (it reads the database)."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(
            organisation_id=organisation_id, paused_at=None
        ).only("id", "events")
        if set(types) & set(endpoint.events)
    ]
    if not endpoints:
        return 0
    now = timezone.now()
    document = data()
    rows = [
        WebhookDelivery(
            endpoint=endpoint,
            event=event,
            source=source,
            occurred_at=now,
            data=document,
            next_attempt_at=now,
        )
        for endpoint in endpoints
        for event in types
        if event in endpoint.events
    ]
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    _kick_after_commit()
    return len(rows)


def webhooks_record_item_event(*, item: TrackedItem, event: TrackedItemEvent) -> int:
    """Called by recommendations.services._record for every item event: a status change is
    "item.status_changed", and also "item.proposal_awaiting_sign_off" when it proposes
    completion."""
    if event.kind != TrackedItemEvent.Kind.STATUS_CHANGE or not event.to_status:
        return 0
    types = [Event.ITEM_STATUS_CHANGED]
    if event.to_status == TrackedItem.Status.PROPOSED_COMPLETE:
        types.append(Event.PROPOSAL_AWAITING_SIGN_OFF)
    change = {"from_status": event.from_status, "to_status": event.to_status}
    return _deliveries_record(
        item.organisation_id,
        types,
        source=f"tracked_item_event:{event.pk}",
        data=lambda: payloads.item_data(item, change=change),
    )


def webhooks_record_target_date_revised(*, item: TrackedItem, revision) -> int:
    """Called by recommendations.services.target_date_revision_decide on an approval."""
    change = {
        "old_target_date": payloads.iso_day(revision.old_date),
        "new_target_date": payloads.iso_day(revision.proposed_date),
    }
    return _deliveries_record(
        item.organisation_id,
        [Event.TARGET_DATE_REVISED],
        source=f"target_date_revision:{revision.pk}",
        data=lambda: payloads.item_data(item, change=change),
    )


def webhooks_record_section55_published(*, publication) -> int:
    """Called by section55.services.section55_response_publish: the office's endpoints."""
    return _deliveries_record(
        publication.response.body_id,
        [Event.SECTION55_PUBLISHED],
        source=f"section55_publication:{publication.pk}",
        data=lambda: payloads.section55_data(publication),
    )


# --- delivery: the task's ----------------------------------------------------------------


@dataclasses.dataclass
class DeliveryRun:
    interrupted: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def webhooks_mark_interrupted(*, now: datetime.datetime | None = None) -> int:
    """Rows left "sending" by a worker that died mid-POST: the receiver may have them, so
    they are never sent again by themselves; the endpoint's page offers "send again"."""
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.WEBHOOK_INTERRUPTED_AFTER_SECONDS)
    return WebhookDelivery.objects.filter(
        status=Status.SENDING, claimed_at__lt=stale_before
    ).update(
        status=Status.INTERRUPTED,
        next_attempt_at=None,
        last_error="Sending was interrupted (the worker stopped): the receiver may have it. "
        "Send it again only if it did not arrive.",
    )


def webhooks_deliver_due() -> DeliveryRun:
    """Send every delivery that is due, one claimed row at a time."""
    run = DeliveryRun(interrupted=webhooks_mark_interrupted())
    stop_at = time.monotonic() + RUN_SECONDS
    for _ in range(RUN_LIMIT):
        if time.monotonic() > stop_at:
            break
        delivery = _claim_next()
        if delivery is None:
            break
        outcome = _send(delivery)
        setattr(run, outcome, getattr(run, outcome) + 1)
    return run


def _claim_next() -> WebhookDelivery | None:
    """Claim the next due row of an active endpoint; committed before anything is sent."""
    with transaction.atomic():
        now = timezone.now()
        due = (
            WebhookDelivery.objects.filter(
                status=Status.PENDING, next_attempt_at__lte=now, endpoint__paused_at=None
            )
            .order_by("next_attempt_at")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("id", flat=True)
            .first()
        )
        if due is None:
            return None
        WebhookDelivery.objects.filter(pk=due).update(
            status=Status.SENDING, claimed_at=now, last_attempt_at=now, attempts=F("attempts") + 1
        )
    return WebhookDelivery.objects.select_related("endpoint__organisation").get(pk=due)


def _send(delivery: WebhookDelivery) -> str:
    body = payloads.body_of(delivery)
    timestamp = int(timezone.now().timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "ROCU-Tracker-Webhooks/1",
        transport.ID_HEADER: str(delivery.id),
        transport.SIGNATURE_HEADER: transport.signature_header(
            secret=delivery.endpoint.secret, timestamp=timestamp, body=body
        ),
    }
    try:
        answer = transport.post(
            delivery.endpoint.url,
            body=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        )
    except (transport.DeliveryError, transport.UnsafeAddress) as error:
        return _outcome_record(delivery, code=None, excerpt="", error=str(error))
    error = "" if 200 <= answer.status < 300 else f"The receiver answered {answer.status}."
    return _outcome_record(delivery, code=answer.status, excerpt=answer.excerpt, error=error)


@transaction.atomic
def _outcome_record(delivery: WebhookDelivery, *, code: int | None, excerpt: str, error: str):
    """Delivered, or to be retried after the next wait, or failed (which may pause the
    endpoint). Returns which."""
    endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=delivery.endpoint_id).first()
    if endpoint is None:  # deleted meanwhile, with its log
        return "failed"
    now = timezone.now()
    fields = {"last_response_code": code, "last_response_excerpt": excerpt[:500]}
    backoff = settings.WEBHOOK_RETRY_BACKOFF_SECONDS
    if not error:
        outcome, endpoint.consecutive_failures = "delivered", 0
        fields |= {"status": Status.DELIVERED, "delivered_at": now, "next_attempt_at": None}
    elif delivery.attempts <= len(backoff):
        outcome = "retrying"
        wait = datetime.timedelta(seconds=backoff[delivery.attempts - 1])
        fields |= {"status": Status.PENDING, "next_attempt_at": now + wait}
    else:
        outcome = "failed"
        endpoint.consecutive_failures += 1
        fields |= {"status": Status.FAILED, "next_attempt_at": None}
    # Only the claim this worker holds: a row an interrupted sweep took meanwhile is
    # corrected to what really happened.
    WebhookDelivery.objects.filter(
        pk=delivery.pk, attempts=delivery.attempts, status__in=[Status.SENDING, Status.INTERRUPTED]
    ).update(last_error=error[:500], **fields)
    endpoint.save(update_fields=["consecutive_failures"])
    if outcome == "failed":
        _pause_if_failing(endpoint)
    return outcome


def _pause_if_failing(endpoint: WebhookEndpoint) -> None:
    if endpoint.is_paused or endpoint.consecutive_failures < settings.WEBHOOK_PAUSE_AFTER_FAILURES:
        return
    endpoint.paused_at = timezone.now()
    endpoint.pause_reason = (
        f"Paused automatically after {endpoint.consecutive_failures} failed deliveries in a row."
    )
    endpoint.save(update_fields=["paused_at", "pause_reason"])
    transaction.on_commit(lambda: _tell_administrators(endpoint.pk), robust=True)


def _tell_administrators(endpoint_id: int) -> None:
    endpoint = WebhookEndpoint.objects.select_related("organisation").get(pk=endpoint_id)
    recipients = [user.email for user in access.webhook_administrators(endpoint.organisation)]
    if not recipients:
        logger.warning("Webhook endpoint %s paused; nobody to tell.", endpoint_id)
        return
    path = reverse("webhooks:endpoint", args=[endpoint.organisation.slug, endpoint.pk])
    context = {
        "endpoint": endpoint,
        "organisation": endpoint.organisation,
        "link": settings.SITE_URL + path,
        "failures": endpoint.consecutive_failures,
    }
    email_build("webhook_paused", context, to=recipients).send()

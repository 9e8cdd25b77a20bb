"""Every write of reminders: the daily scan that fills the dispatch log, the sending of what
it created (claimed with a conditional update, so never twice), preferences, and reading
notifications. DESIGN.md section 3 sets the rules; ladder.py holds the steps."""

import datetime
import itertools
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import BigIntegerField, QuerySet, Value
from django.utils import timezone
from psycopg2.extras import execute_values

from actionplans.models import Action
from organisations.models import Membership
from recommendations.models import TrackedItem
from rocu_tracker import deadlines
from section55.models import Section55Response

from . import ladder, selectors
from .emails import email_build
from .models import Delivery, Digest, Dispatch, Notification, Preference

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000
HORIZON = datetime.timedelta(days=ladder.BEFORE_DAYS[0])
Subject = Dispatch.Subject
# Once published (or published and being corrected), the clock no longer concerns anyone.
PUBLISHED_STAGES = [
    Section55Response.Stage.PUBLISHED,
    Section55Response.Stage.COPIES_SENT,
    Section55Response.Stage.CORRECTING,
]


@dataclass
class ScanResult:
    examined: int = 0
    created: int = 0
    enqueued: int = 0


@dataclass(frozen=True)
class _Person:
    email: str
    wants_email: bool
    only_what_i_own: bool


class _Audience:
    """Who receives what, loaded once per scan: memberships by organisation and role,
    and each person's address and preferences (a few thousand users at most)."""

    def __init__(self, *, user_ids: set[int] | None = None) -> None:
        """Everyone, or (at send time) only `user_ids`: the recipients and the owners."""
        people = get_user_model().objects.filter(is_active=True)
        preferences = Preference.objects.all()
        memberships = Membership.objects.filter(
            user__is_active=True,
            role__in=[Membership.Role.EDITOR, Membership.Role.LEAD, Membership.Role.PCC_STAFF],
        ).order_by("user_id")
        if user_ids is not None:
            people = people.filter(id__in=user_ids)
            preferences = preferences.filter(user_id__in=user_ids)
            memberships = memberships.filter(user_id__in=user_ids)
        self.by_role: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for organisation_id, user_id, role in memberships.values_list(
            "organisation_id", "user_id", "role"
        ):
            self.by_role[role][organisation_id].append(user_id)
        email_mode = dict(preferences.order_by().values_list("user_id", "email"))
        own_only = set(preferences.filter(only_what_i_own=True).values_list("user_id", flat=True))
        self.people: dict[int, _Person] = {
            user_id: _Person(
                email=address,
                wants_email=bool(address) and email_mode.get(user_id) != Preference.Email.NONE,
                only_what_i_own=user_id in own_only,
            )
            for user_id, address in people.values_list("id", "email")
        }

    def recipients(self, step: ladder.Step, *, organisation_id: int, owner_id: int | None):
        """(user id, person) pairs for a step; people who only want what they own are
        left out of the editors' round, never out of escalations or Section 55."""
        if step.audience == ladder.Owner.LEAD:
            ids = self.by_role[Membership.Role.LEAD].get(organisation_id, [])
        elif step.audience == ladder.Owner.PCC_STAFF:
            ids = self.by_role[Membership.Role.PCC_STAFF].get(organisation_id, [])
        elif owner_id is not None and owner_id in self.people:
            ids = [owner_id]
        else:
            ids = [
                user_id
                for user_id in self.by_role[Membership.Role.EDITOR].get(organisation_id, [])
                if not self.people[user_id].only_what_i_own
            ]
        return [(user_id, self.people[user_id]) for user_id in ids if user_id in self.people]


def _tracked_items(today: datetime.date) -> QuerySet:
    # Served best by the partial index on open tracked items that the report asks for
    # (recommendations owns the table); works without it. Items a lead paused are skipped,
    # and so are those awaiting the inspectorate: the force's work is done, the decision
    # is the inspectorate's.
    return (
        TrackedItem.objects.open()
        .exclude(status=TrackedItem.Status.AWAITING_INSPECTORATE)
        .reminders_not_paused(today)
        .with_effective_deadline()
        .filter(effective_deadline__lte=today + HORIZON)
        .order_by()
        .values_list("id", "organisation_id", "owner_id", "effective_deadline")
    )


def _actions(today: datetime.date) -> QuerySet:
    return (
        Action.objects.exclude(status=Action.Status.DONE)
        .filter(due_on__lte=today + HORIZON)
        .order_by()
        .values_list("id", "plan__organisation_id", "owner_id", "due_on")
    )


def _section55_responses(today: datetime.date) -> QuerySet:
    """Unpublished responses to reports whose statutory clock is within the ladder's
    Section 55 window (day 42 to day 56) on `today`."""
    first_day, last_day = ladder.section55_window(today)
    return (
        Section55Response.objects.exclude(stage__in=PUBLISHED_STAGES)
        .filter(
            inspection__published_on__gte=max(deadlines.SECTION_55_TIME_LIMIT_FROM, first_day),
            inspection__published_on__lte=last_day,
        )
        .order_by()
        .annotate(no_owner=Value(None, output_field=BigIntegerField()))
        .values_list("id", "body_id", "no_owner", "inspection__published_on")
    )


class _Decision(NamedTuple):
    subject_id: int
    kind: str
    deadline: datetime.date
    recipient_id: int
    email: bool


def _decide(subject_type: str, rows, *, today, audience: _Audience) -> list[_Decision]:
    decisions = []
    for subject_id, organisation_id, owner_id, date in rows:
        if subject_type == Subject.SECTION55:
            steps = ladder.section55_steps(date, today)
            deadline = deadlines.section55_last_day(date)
        else:
            steps, deadline = ladder.deadline_steps(date, today), date
        for step in steps:
            for user_id, person in audience.recipients(
                step, organisation_id=organisation_id, owner_id=owner_id
            ):
                decisions.append(
                    _Decision(subject_id, step.kind, deadline, user_id, person.wants_email)
                )
    return decisions


def _unrecorded(subject_type: str, decisions: list[_Decision]) -> list[_Decision]:
    """Leave out what the log already holds (most of a day's decisions: an item overdue for
    weeks is decided again every day), in one query on the unique key's index."""
    recorded = set(
        Dispatch.objects.filter(
            subject_type=subject_type,
            subject_id__in={d.subject_id for d in decisions},
            kind__in={d.kind for d in decisions},
        ).values_list("subject_id", "kind", "deadline", "recipient_id")
    )
    return [d for d in decisions if d[:4] not in recorded]


@transaction.atomic
def _record(subject_type: str, decisions: list[_Decision], *, today: datetime.date) -> int:
    """Insert the chunk's new decisions; a key that another scan inserted meanwhile is
    skipped by the database (ON CONFLICT DO NOTHING). Only the rows this call created get a
    notification and, later, an email."""
    if connection.vendor == "postgresql":
        return _record_in_one_statement(subject_type, decisions, today=today)
    run = uuid.uuid4()
    Dispatch.objects.bulk_create(
        (
            Dispatch(
                subject_type=subject_type,
                subject_id=d.subject_id,
                kind=d.kind,
                deadline=d.deadline,
                recipient_id=d.recipient_id,
                decided_on=today,
                scan=run,
                email=d.email,
                delivery=Delivery.PENDING if d.email else Delivery.NOT_EMAILED,
            )
            for d in decisions
        ),
        ignore_conflicts=True,
    )
    created = list(Dispatch.objects.filter(scan=run).values_list("id", "recipient_id"))
    Notification.objects.bulk_create(
        Notification(dispatch_id=dispatch_id, recipient_id=recipient_id)
        for dispatch_id, recipient_id in created
    )
    return len(created)


# Dispatch rows and their notifications in one statement a page: the first scan of a
# national database writes half a million of each, which bulk_create does five times slower.
_RECORD_SQL = """
WITH created AS (
    INSERT INTO {dispatch} (subject_type, subject_id, kind, deadline, recipient_id,
                            decided_on, scan, created_at, email, delivery, error)
    VALUES %s
    ON CONFLICT DO NOTHING
    RETURNING id, recipient_id, created_at
)
INSERT INTO {notification} (dispatch_id, recipient_id, created_at)
SELECT id, recipient_id, created_at FROM created
"""
_RECORD_PAGE = 1000


def _record_in_one_statement(
    subject_type: str, decisions: list[_Decision], *, today: datetime.date
) -> int:
    sql = _RECORD_SQL.format(
        dispatch=Dispatch._meta.db_table, notification=Notification._meta.db_table
    )
    run, now = str(uuid.uuid4()), timezone.now()
    rows = [
        (
            subject_type, d.subject_id, d.kind, d.deadline, d.recipient_id, today, run, now,
            d.email, Delivery.PENDING if d.email else Delivery.NOT_EMAILED, "",
        )
        for d in decisions
    ]  # fmt: skip
    created = 0
    with connection.cursor() as cursor:
        for page in itertools.batched(rows, _RECORD_PAGE):
            execute_values(cursor.cursor, sql, page, page_size=len(page))
            created += cursor.cursor.rowcount
    return created


_SOURCES = {
    Subject.TRACKED_ITEM: _tracked_items,
    Subject.ACTION: _actions,
    Subject.SECTION55: _section55_responses,
}


def reminders_scan(*, today: datetime.date, chunk_size: int = CHUNK_SIZE) -> ScanResult:
    """Decide what is due on `today` for every open tracked item, action and Section 55
    response, record it in the dispatch log, then enqueue the sending after commit."""
    result = ScanResult()
    audience = _Audience()
    for subject_type, source in _SOURCES.items():
        queryset = source(today)
        for chunk in itertools.batched(queryset.iterator(chunk_size=chunk_size), chunk_size):
            result.examined += len(chunk)
            decisions = _decide(subject_type, chunk, today=today, audience=audience)
            if decisions := _unrecorded(subject_type, decisions) if decisions else []:
                result.created += _record(subject_type, decisions, today=today)
    result.enqueued = reminders_enqueue_pending(today=today)
    logger.info("Reminder scan for %s: %s", today, result)
    return result


def reminders_enqueue_pending(*, today: datetime.date) -> int:
    """Enqueue, after commit, the sending of every emailed row not yet in a digest: the
    rows this scan created and any an earlier run left (a lost message, a digest already
    sent that day). Enqueuing twice is harmless: sending claims its row first."""
    from . import tasks

    pending = Dispatch.objects.filter(email=True, digest__isnull=True, delivery=Delivery.PENDING)
    immediate = set(
        Preference.objects.filter(email=Preference.Email.IMMEDIATE).values_list(
            "user_id", flat=True
        )
    )
    enqueued = 0
    with transaction.atomic():
        for recipient_id in pending.order_by().values_list("recipient_id", flat=True).distinct():
            if recipient_id in immediate:
                for dispatch_id in pending.filter(recipient_id=recipient_id).values_list(
                    "id", flat=True
                ):
                    tasks.send_dispatch.delay_on_commit(dispatch_id, today.isoformat())
                    enqueued += 1
            else:
                tasks.send_digest.delay_on_commit(recipient_id, today.isoformat())
                enqueued += 1
    return enqueued


def _current_keys(dispatches: list[Dispatch], *, day: datetime.date) -> set[tuple]:
    """The keys (subject type, subject, kind, deadline, recipient) among `dispatches` that
    the scan would decide on `day`, by the scan's own rules: the subject still open (and not
    paused), the kind the ladder's current step, the deadline and the recipient unchanged."""
    ids: dict[str, set[int]] = defaultdict(set)
    for dispatch in dispatches:
        ids[dispatch.subject_type].add(dispatch.subject_id)
    rows = {
        subject_type: list(_SOURCES[subject_type](day).filter(id__in=subject_ids))
        for subject_type, subject_ids in ids.items()
    }
    people = {dispatch.recipient_id for dispatch in dispatches}
    people |= {owner for found in rows.values() for _, _, owner, _ in found if owner}
    audience = _Audience(user_ids=people)
    return {
        (subject_type, *decision[:4])
        for subject_type, found in rows.items()
        for decision in _decide(subject_type, found, today=day, audience=audience)
    }


def _supersede_stale(waiting: QuerySet, *, day: datetime.date) -> int:
    """Before sending, mark superseded (never sent) the waiting rows that are no longer
    current on `day`: after a lost queue the log holds a row per day missed ("due in 1 day",
    "due today", "overdue (week 1)"), of which only the last is still true. `waiting` must
    hold only unclaimed pending rows; the update is conditional on that, so it cannot race
    a claim."""
    rows = list(waiting.only("id", "subject_type", "subject_id", "kind", "deadline", "recipient"))
    if not rows:
        return 0
    current = _current_keys(rows, day=day)
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
    entries = selectors.entries_folded(selectors.dispatch_entries(digest.dispatches.all()))
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


# Support's two actions on the dispatch log (the admin's). Rows are never deleted: a deleted
# key would be decided, and sent, again by the next scan.
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


def preference_update(*, user, email: str, only_what_i_own: bool) -> Preference:
    preference, _ = Preference.objects.update_or_create(
        user=user, defaults={"email": email, "only_what_i_own": only_what_i_own}
    )
    return preference


def notification_mark_read(*, user, notification_id: int) -> int:
    return Notification.objects.filter(
        id=notification_id, recipient=user, read_at__isnull=True
    ).update(read_at=timezone.now())


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )

"""The daily scan: decide, for every open tracked item, open action and unpublished Section 55
response, the ladder's current step and its recipients, and record each decision once in the
dispatch log (its unique key is the rule), then enqueue the sending after commit."""

import datetime
import itertools
import logging
import uuid
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import BigIntegerField, QuerySet, Value
from django.utils import timezone

from actionplans.models import Action
from recommendations.models import TrackedItem
from rocu_tracker import deadlines
from section55.models import Section55Response

from .. import access, ladder
from ..models import Delivery, Dispatch, Notification, Preference

logger = logging.getLogger(__name__)

CHUNK_SIZE = 5000
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
    """Who receives what, loaded once per scan: each audience's people by organisation
    (access.py), and each person's address and preferences (a few thousand users at most)."""

    def __init__(self, *, user_ids: set[int] | None = None) -> None:
        """Everyone, or (at send time) only `user_ids`: the recipients and the owners."""
        people = get_user_model().objects.filter(is_active=True).order_by()
        preferences = Preference.objects.order_by()
        if user_ids is not None:
            people = people.filter(id__in=user_ids)
            preferences = preferences.filter(user_id__in=user_ids)
        self.members = access.reminded_members(user_ids=user_ids)
        email_mode = dict(preferences.values_list("user_id", "email"))
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
        ids = self.members[step.audience].get(organisation_id, [])
        if step.audience == ladder.Owner.OWNER:
            if owner_id is not None and owner_id in self.people:
                ids = [owner_id]
            else:
                ids = [user_id for user_id in ids if not self.people[user_id].only_what_i_own]
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


SOURCES = {
    Subject.TRACKED_ITEM: _tracked_items,
    Subject.ACTION: _actions,
    Subject.SECTION55: _section55_responses,
}


class _Decision(NamedTuple):
    subject_id: int
    kind: str
    deadline: datetime.date
    recipient_id: int
    email: bool


class _StepsOn:
    """The ladder's steps on one day, worked out once per date: the items of one finding
    share its deadline (250,000 items have a few thousand), and so do a report's responses."""

    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self._known: dict[tuple[str, datetime.date], tuple[list[ladder.Step], datetime.date]] = {}

    def __call__(self, subject_type: str, date: datetime.date):
        """(steps, deadline) for a subject whose deadline (or publication day) is `date`."""
        key = (subject_type, date)
        if key not in self._known:
            if subject_type == Subject.SECTION55:
                found = ladder.section55_steps(date, self.today), deadlines.section55_last_day(date)
            else:
                found = ladder.deadline_steps(date, self.today), date
            self._known[key] = found
        return self._known[key]


def _decide(subject_type: str, rows, *, steps_on: _StepsOn, audience: _Audience) -> list[_Decision]:
    decisions = []
    for subject_id, organisation_id, owner_id, date in rows:
        steps, deadline = steps_on(subject_type, date)
        for step in steps:
            for user_id, person in audience.recipients(
                step, organisation_id=organisation_id, owner_id=owner_id
            ):
                decisions.append(
                    _Decision(subject_id, step.kind, deadline, user_id, person.wants_email)
                )
    return decisions


# One statement a chunk records what is new and its notifications: each decided key is
# looked up in the unique key's index (a nested-loop anti-join, one probe a key, whatever
# the log's size) and only the keys not found are inserted, so most days' decisions (an
# item overdue for weeks is decided again every day) cost a probe and no sequence value.
# ON CONFLICT DO NOTHING settles a key another scan inserts meanwhile: the row that
# statement created is the only one ever sent.
_CLAIM_SQL = """
WITH decided (subject_id, kind, deadline, recipient_id, email) AS (
    SELECT * FROM unnest(%(subject_ids)s::bigint[], %(kinds)s::varchar[],
                         %(deadlines)s::date[], %(recipient_ids)s::bigint[],
                         %(emails)s::boolean[])
), created AS (
    INSERT INTO {dispatch} (subject_type, subject_id, kind, deadline, recipient_id,
                            decided_on, scan, created_at, email, delivery, error)
    SELECT %(subject_type)s, d.subject_id, d.kind, d.deadline, d.recipient_id,
           %(today)s, %(scan)s, %(now)s, d.email,
           CASE WHEN d.email THEN %(pending)s ELSE %(not_emailed)s END, ''
    FROM decided d
    WHERE NOT EXISTS (
        SELECT FROM {dispatch} recorded
        WHERE recorded.subject_type = %(subject_type)s
          AND recorded.subject_id = d.subject_id
          AND recorded.kind = d.kind
          AND recorded.deadline = d.deadline
          AND recorded.recipient_id = d.recipient_id
    )
    ON CONFLICT DO NOTHING
    RETURNING id, recipient_id, created_at
)
INSERT INTO {notification} (dispatch_id, recipient_id, created_at)
SELECT id, recipient_id, created_at FROM created
"""


def _array_literal(values, *, quote: bool = False) -> str:
    """PostgreSQL's text form of an array ('{1,2,3}'), cast in the statement: one string
    parameter, where psycopg2 would write ARRAY[...] with every element adapted, which
    costs more than running the statement. `quote` for text (each element in quotes)."""
    if not quote:
        return "{" + ",".join(values) + "}"
    values = list(values)
    if '"' in (everything := "".join(values)) or "\\" in everything:
        values = [value.replace("\\", "\\\\").replace('"', '\\"') for value in values]
    return '{"' + '","'.join(values) + '"}'


def claim_statement(
    subject_type: str, decisions: list[_Decision], *, today: datetime.date
) -> tuple[str, dict]:
    """The chunk's one statement and its parameters (the benchmark EXPLAINs it)."""
    sql = _CLAIM_SQL.format(
        dispatch=Dispatch._meta.db_table, notification=Notification._meta.db_table
    )
    subject_ids, kinds, deadlines_, recipient_ids, emails = zip(*decisions, strict=True)
    params = {
        "subject_type": subject_type,
        "subject_ids": _array_literal(map(str, subject_ids)),
        "kinds": _array_literal(kinds, quote=True),
        "deadlines": _array_literal(map(datetime.date.isoformat, deadlines_)),
        "recipient_ids": _array_literal(map(str, recipient_ids)),
        "emails": _array_literal("t" if email else "f" for email in emails),
        "today": today,
        "scan": str(uuid.uuid4()),
        "now": timezone.now(),
        "pending": Delivery.PENDING,
        "not_emailed": Delivery.NOT_EMAILED,
    }
    return sql, params


@transaction.atomic
def _record(subject_type: str, decisions: list[_Decision], *, today: datetime.date) -> int:
    """Record the chunk's decisions the log does not hold yet, each with its notification.
    Returns how many rows this call created: only those are ever sent."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_INDEX_PROBES_ONLY)
            cursor.execute(*claim_statement(subject_type, decisions, today=today))
            return cursor.rowcount
    return _record_one_by_one(subject_type, decisions, today=today)


# One index probe a key, at any size of the log, for this transaction only: left to itself
# the planner hashes the whole log instead while it is small (under a few hundred thousand
# rows), and a chunk's cost then grows with the log.
_INDEX_PROBES_ONLY = (
    "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; "
    "SET LOCAL enable_seqscan = off"
)


def claim_plan(subject_type: str, decisions: list[_Decision], *, today: datetime.date):
    """EXPLAIN (ANALYZE, BUFFERS) of a chunk's statement as _record runs it, rolled back
    (EXPLAIN ANALYZE does insert): for the benchmark and the tests."""
    sql, params = claim_statement(subject_type, decisions, today=today)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_INDEX_PROBES_ONLY)
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = [line for (line,) in cursor.fetchall()]
        transaction.set_rollback(True)
    return plan


def _record_one_by_one(
    subject_type: str, decisions: list[_Decision], *, today: datetime.date
) -> int:
    """The embedded SQLite default's way (make run): INSERT OR IGNORE on the unique key,
    then the rows this run created, by its run id."""
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


def reminders_scan(*, today: datetime.date, chunk_size: int = CHUNK_SIZE) -> ScanResult:
    """Decide what is due on `today` for every open tracked item, action and Section 55
    response, record it in the dispatch log, then enqueue the sending after commit."""
    result = ScanResult()
    audience, steps_on = _Audience(), _StepsOn(today)
    for subject_type, source in SOURCES.items():
        queryset = source(today)
        for chunk in itertools.batched(queryset.iterator(chunk_size=chunk_size), chunk_size):
            result.examined += len(chunk)
            if decisions := _decide(subject_type, chunk, steps_on=steps_on, audience=audience):
                result.created += _record(subject_type, decisions, today=today)
    result.enqueued = reminders_enqueue_pending(today=today)
    logger.info("Reminder scan for %s: %s", today, result)
    return result


def reminders_enqueue_pending(*, today: datetime.date) -> int:
    """Enqueue, after commit, the sending of every emailed row not yet in a digest: the
    rows this scan created and any an earlier run left (a lost message, a digest already
    sent that day). Enqueuing twice is harmless: sending claims its row first."""
    from .. import tasks

    pending = Dispatch.objects.filter(email=True, digest__isnull=True, delivery=Delivery.PENDING)
    immediate = set(
        Preference.objects.filter(email=Preference.Email.IMMEDIATE).values_list(
            "user_id", flat=True
        )
    )
    enqueued = 0
    with transaction.atomic():
        for recipient_id in pending.values_list("recipient_id", flat=True).distinct():
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


def current_keys(dispatches: list[Dispatch], *, day: datetime.date) -> set[tuple]:
    """The keys (subject type, subject, kind, deadline, recipient) among `dispatches` that
    the scan would decide on `day`, by the scan's own rules: the subject still open (and not
    paused), the kind the ladder's current step, the deadline and the recipient unchanged."""
    ids: dict[str, set[int]] = {}
    for dispatch in dispatches:
        ids.setdefault(dispatch.subject_type, set()).add(dispatch.subject_id)
    rows = {
        subject_type: list(SOURCES[subject_type](day).filter(id__in=subject_ids))
        for subject_type, subject_ids in ids.items()
    }
    people = {dispatch.recipient_id for dispatch in dispatches}
    people |= {owner for found in rows.values() for _, _, owner, _ in found if owner}
    audience, steps_on = _Audience(user_ids=people), _StepsOn(day)
    return {
        (subject_type, *decision[:4])
        for subject_type, found in rows.items()
        for decision in _decide(subject_type, found, steps_on=steps_on, audience=audience)
    }

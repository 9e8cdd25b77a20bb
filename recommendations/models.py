"""Findings of an inspection, the capabilities they concern, and their fan-out into one
tracked item per responsible organisation, each with an append-only history."""

import datetime
import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from rocu_tracker import deadlines


class Capability(models.Model):
    """A ROCU specialist capability (the 2015 report names 13)."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=160)
    source = models.TextField(blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "capabilities"

    def __str__(self) -> str:
        return self.name


class Finding(models.Model):
    class Kind(models.TextChoices):
        RECOMMENDATION = "recommendation", "Recommendation"
        CAUSE_OF_CONCERN = "cause_of_concern", "Cause of concern"
        ACCELERATED_CAUSE_OF_CONCERN = (
            "accelerated_cause_of_concern",
            "Accelerated cause of concern",
        )
        AREA_FOR_IMPROVEMENT = "area_for_improvement", "Area for improvement"
        # Recorded and shown, never tracked.
        INNOVATIVE_PRACTICE = "innovative_practice", "Innovative practice"
        INFORMATIONAL = "informational", "Informational"

    # The kinds that fan out to tracked items.
    TRACKED_KINDS = (
        Kind.RECOMMENDATION,
        Kind.CAUSE_OF_CONCERN,
        Kind.ACCELERATED_CAUSE_OF_CONCERN,
        Kind.AREA_FOR_IMPROVEMENT,
    )
    # What the inspectorate itself discharges: after the force's lead signs off, such an item
    # waits for the inspectorate's confirmation. Areas for improvement close on the force's
    # own sign-off.
    INSPECTORATE_CLOSES_KINDS = (
        Kind.RECOMMENDATION,
        Kind.CAUSE_OF_CONCERN,
        Kind.ACCELERATED_CAUSE_OF_CONCERN,
    )

    class Audience(models.TextChoices):
        ALL_FORCES = "all_forces", "Every force"
        EACH_REGION = "each_region", "Each ROCU region"
        NAMED = "named", "Named bodies"
        NOT_RECORDED = "not_recorded", "Not yet recorded"

    # What every page, export, feed and email says where the report's own words are not known.
    TEXT_NOT_RECORDED = "Exact text not yet recorded"

    DEADLINE_PRECISION_CHOICES = [
        (deadlines.Precision.DAY.value, "A day"),
        (deadlines.Precision.MONTH.value, "A month (due on its last day)"),
        (deadlines.Precision.IMMEDIATELY.value, "Immediately (due on publication)"),
        (deadlines.Precision.NONE.value, "No deadline, or none recorded"),
    ]

    inspection = models.ForeignKey(
        "inspections.Inspection", on_delete=models.CASCADE, related_name="findings"
    )
    key = models.SlugField(max_length=80, help_text="Stable identifier within the inspection.")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    reference = models.CharField(
        max_length=20, blank=True, help_text="The report's own number, where known."
    )
    text = models.TextField(blank=True, help_text="Exact text; blank while not yet recorded.")
    summary = models.TextField(blank=True)
    addressees_as_written = models.TextField(blank=True)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    addressees = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="findings_addressed"
    )
    deadline = models.DateField(
        null=True, blank=True, help_text="The day it falls due (month-end for 'by <month>')."
    )
    deadline_precision = models.CharField(
        max_length=12, choices=DEADLINE_PRECISION_CHOICES, default=deadlines.Precision.NONE.value
    )
    cause_of_concern = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answering_recommendations",
        limit_choices_to={"kind__in": ["cause_of_concern", "accelerated_cause_of_concern"]},
    )
    capabilities = models.ManyToManyField(Capability, blank=True, related_name="findings")
    repeats = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeated_by",
        help_text="An earlier finding this one raises again (shown on both).",
    )
    supersedes = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="superseded_by",
        help_text="An earlier finding this one replaces (its open items close as superseded).",
    )
    position = models.PositiveSmallIntegerField(default=0)
    source = models.TextField(blank=True)
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["inspection", "position", "id"]
        indexes = [models.Index(fields=["updated_at"], name="finding_updated")]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "key"], name="finding_unique_key"),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True, deadline_precision="none")
                | Q(deadline__isnull=False, deadline_precision__in=["day", "month", "immediately"]),
                name="finding_deadline_matches_precision",
            ),
        ]

    def __str__(self) -> str:
        label = self.get_kind_display()
        if self.reference:
            label += f" {self.reference}"
        return f"{label}: {self.display_text}"[:120]

    @property
    def display_text(self) -> str:
        """The report's words; else the summary, marked as one; else that they are unknown."""
        if self.text:
            return self.text
        if self.summary:
            return f"Summary ({self.TEXT_NOT_RECORDED.lower()}): {self.summary}"
        return f"{self.TEXT_NOT_RECORDED}."

    @property
    def deadline_display(self) -> str:
        return deadlines.format_deadline(self.deadline, self.deadline_precision)


class TrackedItemQuerySet(models.QuerySet):
    def visible_to(self, user, *, day: datetime.date | None = None):
        """Items of the organisations the user may see (organisations.selectors)."""
        from organisations.selectors import visible_organisation_ids

        ids = visible_organisation_ids(user, day=day or timezone.localdate())
        return self if ids is None else self.filter(organisation_id__in=ids)

    def editable_by(self, user):
        """Items of the organisations where the user is an editor or a lead."""
        from .access import organisation_ids_user_changes

        return self.filter(organisation_id__in=organisation_ids_user_changes(user))

    def open(self):
        return self.filter(open_condition())

    def with_needs_owner(self):
        """`needs_owner`: open, and its owner was deactivated or no longer belongs to the
        item's organisation (organisations.services.person_deactivate keeps them as owner)."""
        from organisations.models import Membership

        still_a_member = Exists(
            Membership.objects.filter(
                user_id=OuterRef("owner_id"), organisation_id=OuterRef("organisation_id")
            )
        )
        orphaned = Q(owner__isnull=False) & (Q(owner__is_active=False) | ~still_a_member)
        return self.annotate(
            needs_owner=Case(
                When(open_condition() & orphaned, then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            )
        )

    def reminders_not_paused(self, today: datetime.date):
        """Items whose reminders no lead has paused over `today` (the reminder scan's)."""
        return self.exclude(reminders_paused_until__gte=today)

    def update(self, **fields):
        """A bulk change of target dates (a data fix, a test's arrangement) keeps each item's
        stored effective deadline too: the new target date, else its finding's deadline."""
        if "target_date" in fields and "effective_deadline" not in fields:
            new = fields["target_date"]
            if not hasattr(new, "resolve_expression"):
                new = Value(new, output_field=models.DateField())
            finding_deadline = Finding.objects.filter(pk=OuterRef("finding_id")).values("deadline")[
                :1
            ]
            fields["effective_deadline"] = Coalesce(
                new, Subquery(finding_deadline), output_field=models.DateField()
            )
        return super().update(**fields)

    def with_effective_deadline(self):
        """Unchanged: `effective_deadline` is stored on each item (kept by the services that
        change a target date or a finding's deadline). Kept so callers written for the old
        annotation go on working."""
        return self

    def in_deadline_order(self):
        """Soonest effective deadline first, those without one last, ties by id: the order
        of every list, read straight from the (organisation, deadline, id) indexes."""
        return self.order_by(DEADLINE_ORDER_KEY, "id")

    def overdue(self, today: datetime.date):
        return self.with_effective_deadline().filter(overdue_condition(today))

    def due_soon(self, today: datetime.date, within_days: int = deadlines.DUE_SOON_DAYS):
        return self.with_effective_deadline().filter(due_soon_condition(today, within_days))

    def with_rag(self, today: datetime.date, within_days: int = deadlines.DUE_SOON_DAYS):
        """The database form of deadlines.rag(); tests hold the two in agreement."""
        slipped = Q(target_date__isnull=False, finding__deadline__isnull=False) & Q(
            target_date__gt=F("finding__deadline")
        )
        return self.with_effective_deadline().annotate(
            rag=Case(
                When(~open_condition(), then=Value(deadlines.Rag.GREEN.value)),
                When(~Q(blocked_by=""), then=Value(deadlines.Rag.RED.value)),
                When(overdue_condition(today), then=Value(deadlines.Rag.RED.value)),
                When(slipped, then=Value(deadlines.Rag.AMBER.value)),
                When(
                    due_soon_condition(today, within_days),
                    then=Value(deadlines.Rag.AMBER.value),
                ),
                default=Value(deadlines.Rag.GREEN.value),
                output_field=models.CharField(),
            )
        )


# The stored effective deadline as lists sort on it: no deadline sorts after every date. An
# expression (not NULLS LAST) so that a keyset comparison (key, id) > (last key, last id)
# reads an index range; the indexes below are on this same expression.
LAST_DAY = datetime.date.max
DEADLINE_ORDER_KEY = Coalesce(
    F("effective_deadline"), Value(LAST_DAY, output_field=models.DateField())
)


# The database forms of deadlines.is_overdue() and deadlines.is_due_soon(), on a queryset
# annotated with `effective_deadline`. Every list, count and RAG uses these; tests hold them
# in agreement with deadlines.py.
def open_condition() -> Q:
    return ~Q(status__in=TrackedItem.CLOSED_STATUSES)


def overdue_condition(today: datetime.date) -> Q:
    return open_condition() & Q(effective_deadline__lt=today)


def due_soon_condition(today: datetime.date, within_days: int = deadlines.DUE_SOON_DAYS) -> Q:
    horizon = today + datetime.timedelta(days=within_days)
    return open_condition() & Q(effective_deadline__gte=today, effective_deadline__lte=horizon)


class TrackedItem(models.Model):
    """A finding as it applies to one responsible organisation: the unit that plans,
    reminders and dashboards count."""

    class Status(models.TextChoices):
        AWAITING_REVIEW = "awaiting_review", "Awaiting review"
        BEING_PROGRESSED = "being_progressed", "Being progressed"
        PROPOSED_COMPLETE = "proposed_complete", "Proposed complete (awaiting sign-off)"
        # A recommendation or cause of concern signed off by the force's lead, waiting for
        # the inspectorate to confirm it discharged (or return it).
        AWAITING_INSPECTORATE = "awaiting_inspectorate", "Complete, awaiting the inspectorate"
        COMPLETE = "complete", "Complete"
        NO_FURTHER_ACTION = "no_further_action", "No further action needed"
        SUPERSEDED = "superseded", "Superseded"
        # Its organisation was removed from the finding's addressees after publication.
        WITHDRAWN = "withdrawn", "Withdrawn (no longer addressed to this organisation)"

    CLOSED_STATUSES = (
        Status.COMPLETE,
        Status.NO_FURTHER_ACTION,
        Status.SUPERSEDED,
        Status.WITHDRAWN,
    )

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="tracked_items")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="tracked_items"
    )
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.AWAITING_REVIEW)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_items",
    )
    target_date = models.DateField(
        null=True, blank=True, help_text="The organisation's own target; may be revised."
    )
    # The target date, else the finding's deadline (deadlines.effective_deadline), stored so
    # that lists sort and page on one indexed column. Written by the services that change
    # either date (recommendations.services: _record, finding_upsert, finding_fan_out).
    effective_deadline = models.DateField(null=True, blank=True, editable=False)
    blocked_by = models.CharField(
        max_length=300, blank=True, help_text="External dependency holding this up, if any."
    )
    reminders_paused_until = models.DateField(
        null=True,
        blank=True,
        help_text="A lead paused its reminders up to and including this day (the history "
        "says who and why); the reminder scan skips it until then.",
    )
    reminders_pause_reason = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrackedItemQuerySet.as_manager()

    class Meta:
        ordering = ["finding", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["finding", "organisation"], name="tracked_item_one_per_organisation"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            # The drill-down list and My work page by keyset (deadline order, then id):
            # within an organisation, and nationally.
            models.Index(
                "organisation", DEADLINE_ORDER_KEY, "id", name="tracked_item_org_deadline"
            ),
            models.Index(DEADLINE_ORDER_KEY, "id", name="tracked_item_deadline"),
            # Once read by the dashboards' cache key (now ScopeDataVersion and the tallies).
            models.Index(fields=["updated_at"], name="tracked_item_updated"),
            # The national dashboard's open items due from the first of this month to today,
            # by organisation and by inspection, read by an index-only scan
            # (dashboards.selectors.tally).
            models.Index(
                fields=["effective_deadline"],
                include=["organisation", "finding"],
                name="tracked_item_open_deadline",
                condition=~Q(
                    status__in=["complete", "no_further_action", "superseded", "withdrawn"]
                ),
            ),
            # The daily reminder scan (reminders.services) reads every open item in chunks.
            models.Index(
                fields=["target_date"],
                include=["finding", "organisation", "owner"],
                name="tracked_item_open_scan",
                condition=~Q(
                    status__in=["complete", "no_further_action", "superseded", "withdrawn"]
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.finding} – {self.organisation.short_name}"

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES

    def reminders_paused_on(self, today: datetime.date) -> bool:
        return self.reminders_paused_until is not None and self.reminders_paused_until >= today

    def rag(self, today: datetime.date) -> deadlines.Rag:
        return deadlines.rag(
            is_closed=self.is_closed,
            is_blocked=bool(self.blocked_by),
            inspectorate_deadline=self.finding.deadline,
            target_date=self.target_date,
            today=today,
        )


class ScopeDataVersion(models.Model):
    """A counter per organisation, raised in the same transaction as every write to its
    tracked items (recommendations.services._scope_versions_raise). On SQLite what is cached
    from an organisation's items (the dashboards) is keyed on the sum over its scope, so a
    write in one force changes the keys of the scopes holding that force (its region, the
    nation) and of no other; on PostgreSQL CountedVersion, which changes only with what is
    counted, takes its place."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.version}"


class CountedVersion(models.Model):
    """A counter per organisation raised by PostgreSQL triggers (migration 0010) in the
    transaction of every write that changes what the dashboards count of its items: an item
    added or deleted, or its organisation, finding, status, effective deadline, target date
    or blocked flag changed, or its finding's deadline, inspection or kind. The dashboards'
    cache key sums it over their scope (recommendations.selectors.tracking_scope_version), so
    a write that changes none of that (an owner, a narrative, a reminder) leaves the cached
    counts in place, and any write that may change one counts again. Not kept on SQLite,
    which keys on ScopeDataVersion instead."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.version}"


def _tally_key(to: str, *, db_index: bool = False) -> models.ForeignKey:
    """A tally's organisation or inspection: no database constraint (the triggers write the
    rows) and no reverse accessor. Most tallies are read by their unique key's index, so
    they need no index of their own."""
    return models.ForeignKey(
        to,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=db_index,
        related_name="+",
    )


class CountedChange(models.Model):
    """What a write changed in the dashboards' counts of one organisation's items, under the
    CountedVersion it raised: each item row as the dashboards count it, taken away (sign -1)
    or added (+1), or, for a write these rows cannot express (a finding's deadline,
    inspection or kind changed; an item whose finding is gone), one row with `recount` set.
    Written by the same PostgreSQL triggers as CountedVersion (migration 0011), so a
    dashboard counted at some versions is brought up to the current ones by adding these
    rows (dashboards.selectors.figures). Kept for COUNTED_CHANGE_RETENTION
    (recommendations.tally.counted_changes_prune); a dashboard that finds one missing counts
    again."""

    organisation = _tally_key("organisations.Organisation")
    version = models.BigIntegerField()
    recount = models.BooleanField(default=False)
    sign = models.SmallIntegerField(default=0)
    status = models.CharField(max_length=30, blank=True)
    deadline = models.DateField(null=True)
    blocked = models.BooleanField(default=False)
    slipped = models.BooleanField(default=False)
    inspection = models.ForeignKey(
        "inspections.Inspection",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(db_default=Now())

    class Meta:
        indexes = [models.Index(fields=["organisation", "version"], name="counted_change_version")]

    def __str__(self) -> str:
        return f"{self.organisation_id}@{self.version}: {self.sign:+d} {self.status}"


class Tally(models.Model):
    """How many tracked items share the key of the tally's unique constraint (each one
    below says what it counts; TrackedItemTally says how they are kept)."""

    count = models.IntegerField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        key = self._meta.constraints[0].fields
        values = (getattr(self, self._meta.get_field(name).attname) for name in key)
        return f"{'/'.join(map(str, values))}: {self.count}"


class TrackedItemTally(Tally):
    """How many tracked items share an organisation, a status and what their RAG rating and
    deadline counts need (the month of the effective deadline, blocked, a target date past
    the inspectorate's deadline), so the dashboards count from a few thousand rows rather than
    every item. Closed items keep only organisation and status: nothing else about them is
    counted. The month, not the day, so "overdue" and "due soon" are decided at read time
    (dashboards.selectors.tally) and the tally never goes stale as days pass.
    InspectionTally counts the same items by inspection.

    Both are kept by PostgreSQL triggers on the items and findings tables (migration 0008),
    in the transaction of every write whatever makes it (the services, the admin, a bulk
    update, a COPY), as a constraint is; `manage.py tally_rebuild` makes them again from the
    items. Not kept on SQLite (development): the dashboards count live there."""

    organisation = _tally_key("organisations.Organisation", db_index=True)
    status = models.CharField(max_length=30)
    deadline_month = models.DateField(null=True)  # the first of the month; None when closed
    blocked = models.BooleanField()
    slipped = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "status", "deadline_month", "blocked", "slipped"],
                nulls_distinct=False,
                name="tracked_item_tally_key",
            )
        ]


class InspectionTally(Tally):
    """How many tracked items of each inspection are open or closed, the open ones by the
    month of their effective deadline (TrackedItemTally says how it is kept)."""

    inspection = _tally_key("inspections.Inspection", db_index=True)
    is_open = models.BooleanField()
    deadline_month = models.DateField(null=True)  # None when closed

    class Meta:
        # The national dashboard reads the months from this one on (dashboards.selectors
        # .tally): fewer rows than the months before it.
        indexes = [models.Index(fields=["deadline_month"], name="inspection_tally_month")]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "is_open", "deadline_month"],
                nulls_distinct=False,
                name="inspection_tally_key",
            )
        ]


class OrganisationInspectionTally(Tally):
    """InspectionTally per organisation too: how many tracked items of each organisation and
    inspection are open or closed, the open ones by the month of their effective deadline, so
    a region's or a force's dashboard counts by inspection from the tally rather than from its
    items (TrackedItemTally says how it is kept; migration 0009 adds it to the triggers)."""

    # No index of their own: the key's unique index leads with the organisation, which is
    # what a scoped dashboard reads by, and every write to an item updates these rows.
    organisation = _tally_key("organisations.Organisation")
    inspection = _tally_key("inspections.Inspection")
    is_open = models.BooleanField()
    deadline_month = models.DateField(null=True)  # None when closed

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "inspection", "is_open", "deadline_month"],
                nulls_distinct=False,
                name="organisation_inspection_tally_key",
                include=["count"],  # a region reads its rows by an index-only scan
            )
        ]


class InspectionOpenTally(Tally):
    """InspectionTally without the month: how many tracked items of each inspection are open
    or closed, for the national dashboard's counts by inspection (TrackedItemTally says how
    it is kept)."""

    inspection = _tally_key("inspections.Inspection")
    is_open = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "is_open"], name="inspection_open_tally_key"
            )
        ]


class OrganisationStatusTally(Tally):
    """How many tracked items each organisation has in each status: the national dashboard's
    totals, open and status counts by organisation from a few hundred rows (TrackedItemTally
    says how it is kept; migration 0009 adds it to the triggers)."""

    organisation = _tally_key("organisations.Organisation")
    status = models.CharField(max_length=30)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "status"], name="organisation_status_tally_key"
            )
        ]


class OrganisationMonthTally(Tally):
    """How many open tracked items each organisation has by the month of their effective
    deadline (closed items and open ones without a deadline in the row with no month): the
    national dashboard's overdue count by organisation (TrackedItemTally says how it is
    kept)."""

    organisation = _tally_key("organisations.Organisation")
    deadline_month = models.DateField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "deadline_month"],
                nulls_distinct=False,
                name="organisation_month_tally_key",
            )
        ]


class NationalMonthTally(Tally):
    """TrackedItemTally without the organisation and the status: every item by the month of
    its deadline, blocked and slipped (closed items in the row with no month, neither blocked
    nor slipped), so the national headline's deadline and RAG counts and the timeline read
    some hundreds of rows (TrackedItemTally says how it is kept)."""

    deadline_month = models.DateField(null=True)
    blocked = models.BooleanField()
    slipped = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["deadline_month", "blocked", "slipped"],
                nulls_distinct=False,
                name="national_month_tally_key",
            )
        ]


class NationalDayTally(Tally):
    """NationalMonthTally by the day of the deadline: the national dashboard reads the days
    from the first of this month to the end of the longest "due within" window, where
    overdue and due soon change from day to day (TrackedItemTally says how it is kept)."""

    deadline = models.DateField(null=True)  # None when closed or without a deadline
    blocked = models.BooleanField()
    slipped = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "blocked", "slipped"],
                nulls_distinct=False,
                name="national_day_tally_key",
            )
        ]


class TrackedItemEvent(models.Model):
    """One dated entry in a tracked item's history. Rows are only ever added."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        STATUS_CHANGE = "status_change", "Status change"
        PROGRESS_UPDATE = "progress_update", "Progress update"
        COMMENT = "comment", "Comment"
        TARGET_DATE_REVISION = "target_date_revision", "Target date revision"
        OWNER_CHANGE = "owner_change", "Owner change"
        EVIDENCE = "evidence", "Evidence added"
        REMINDERS_PAUSED = "reminders_paused", "Reminders paused"
        REMINDERS_RESUMED = "reminders_resumed", "Reminders resumed"

    item = models.ForeignKey(TrackedItem, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    occurred_on = models.DateField(help_text="The day it happened, which may predate recording.")
    recorded_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tracked_item_events",
    )
    actor_name = models.CharField(
        max_length=160, blank=True, help_text="Who acted, where not a user here."
    )
    from_status = models.CharField(max_length=30, choices=TrackedItem.Status.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=TrackedItem.Status.choices, blank=True)
    narrative = models.TextField(blank=True)
    percent_complete = models.PositiveSmallIntegerField(null=True, blank=True)
    old_date = models.DateField(null=True, blank=True)
    new_date = models.DateField(null=True, blank=True)
    item_version = models.PositiveIntegerField(
        default=1, help_text="The item's version once this was recorded."
    )

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["item", "-occurred_on", "-id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__isnull=True) | Q(percent_complete__lte=100),
                name="event_percent_complete_at_most_100",
            )
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on}: {self.get_kind_display()}"


def _evidence_path(evidence: "Evidence", filename: str) -> str:
    """A generated name: what the uploader called the file is kept only as metadata."""
    suffix = Path(filename).suffix.lower()
    return f"evidence/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    item = models.ForeignKey(TrackedItem, on_delete=models.CASCADE, related_name="evidence")
    event = models.ForeignKey(TrackedItemEvent, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=_evidence_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evidence_uploaded"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.original_name


class TargetDateRevision(models.Model):
    """A request to move an organisation's own target date; a lead decides. The
    inspectorate's deadline is never changed."""

    class State(models.TextChoices):
        PENDING = "pending", "Awaiting a lead's approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    item = models.ForeignKey(
        TrackedItem, on_delete=models.CASCADE, related_name="target_date_revisions"
    )
    old_date = models.DateField(null=True, blank=True)
    proposed_date = models.DateField()
    reason = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(state="pending"),
                name="one_pending_target_date_revision_per_item",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="target_date_revision_has_a_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.old_date} → {self.proposed_date} ({self.state})"

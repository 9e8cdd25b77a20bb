"""Reads for Section 55: which reports concern an office, who may see or change a response,
the office's list, and what the force's own records already say about each recommendation.

Each function runs a constant number of queries whatever the data size."""

import dataclasses
import datetime
from collections import defaultdict
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Window

from actionplans.models import Action
from inspections.models import Inspection
from organisations.access import has_national_view, organisation_ids_with
from organisations.models import Organisation, Oversight, RegionMembership
from recommendations.models import Finding, TrackedItem, TrackedItemEvent
from rocu_tracker import deadlines

from .access import board_force_ids, chief_officer_force_ids
from .models import (
    Position,
    Section55Coverage,
    Section55Position,
    Section55Publication,
    Section55PublishedPosition,
    Section55Response,
)

Stage = Section55Response.Stage


def local_policing_bodies() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=Organisation.Kind.LOCAL_POLICING_BODY)


def forces_overseen(body: Organisation, day: datetime.date) -> QuerySet[Organisation]:
    """The forces `body` oversaw on `day`."""
    return Organisation.objects.filter(
        id__in=Oversight.objects.on(day).filter(body=body).values("force_id")
    )


def _in_force(relationship, day: datetime.date) -> bool:
    """The Python form of DatedQuerySet.on() for rows already loaded."""
    return (relationship.valid_from is None or relationship.valid_from <= day) and (
        relationship.valid_to is None or day <= relationship.valid_to
    )


def _dated(field: str, valid_from, valid_to) -> Q:
    q = Q()
    if valid_from:
        q &= Q(**{f"{field}__gte": valid_from})
    if valid_to:
        q &= Q(**{f"{field}__lte": valid_to})
    return q


def inspections_concerning(body: Organisation) -> QuerySet[Inspection]:
    """Every report that concerns a force `body` oversaw on the report's publication date.

    A national or thematic report concerns every force unless its Section55Coverage says
    otherwise; any other report concerns the forces among its subjects, named directly or
    through a ROCU region they belonged to on that date. Only published reports to which
    Section 55 applies (inspections.Inspection.section55_applies) concern anyone."""
    oversights = list(Oversight.objects.filter(body=body))
    if not oversights:
        return Inspection.objects.none()
    memberships = list(
        RegionMembership.objects.filter(force_id__in=[o.force_id for o in oversights])
    )
    national = (Q(type=Inspection.Type.THEMATIC) | Q(scope=Inspection.Scope.NATIONAL)) & ~Q(
        section55_coverage__concerns=Section55Coverage.Concerns.SUBJECTS_ONLY
    )
    national |= Q(section55_coverage__concerns=Section55Coverage.Concerns.EVERY_FORCE)
    conditions = []
    for oversight in oversights:
        overseen = _dated("published_on", oversight.valid_from, oversight.valid_to)
        about = [Q(subjects=oversight.force_id)]
        about += [
            Q(subjects=membership.region_id)
            & _dated("published_on", membership.valid_from, membership.valid_to)
            for membership in memberships
            if membership.force_id == oversight.force_id
        ]
        conditions.append(overseen & (national | reduce(or_, about)))
    # A draft not yet published to the trackers, or a report to which Section 55 does not
    # apply, asks nothing of the body.
    ids = (
        Inspection.objects.published_to_trackers()
        .filter(section55_applies=True)
        .filter(reduce(or_, conditions))
        .values("id")
    )
    return Inspection.objects.filter(id__in=ids).select_related("inspectorate")


def concerns(inspection: Inspection, body: Organisation) -> bool:
    return inspections_concerning(body).filter(pk=inspection.pk).exists()


def recommendations(inspection: Inspection) -> QuerySet[Finding]:
    """The report's recommendations, in the report's order: one position each."""
    return inspection.findings.filter(kind=Finding.Kind.RECOMMENDATION).order_by("position", "id")


def recommendation_label(finding: Finding, number: int) -> str:
    """'Recommendation 1' by the report's own number; where that is not recorded, by its
    place in our list, in square brackets as supplied numbering is ('Recommendation [2]')."""
    if finding.reference:
        return f"Recommendation {finding.reference}"
    return f"Recommendation [{number}]"


@dataclasses.dataclass(frozen=True)
class Coverage:
    """How many of the report's recommendations a response answers: the ones recorded here
    (`covered`) against the number the report states (`stated`, None where not recorded)."""

    covered: int
    stated: int | None

    @property
    def is_partial(self) -> bool:
        """True unless the response is known to answer every recommendation the report makes."""
        return self.stated is None or self.covered < self.stated

    @property
    def is_exact(self) -> bool:
        """The response answers exactly as many recommendations as the report states."""
        return self.covered == self.stated

    @property
    def sentence(self) -> str:
        """The plain statement every page, document and export of the response carries."""
        covered, stated = self.covered, self.stated
        if stated is None:
            return (
                f"This response covers {_recommendations(covered)}. How many recommendations "
                "the report makes is not recorded here, so it may not answer them all."
            )
        if covered < stated:
            return (
                f"This response covers {covered} of the report's {_recommendations(stated)}; "
                f"it does not answer the other {stated - covered}."
            )
        if covered > stated:
            return f"This response covers {_recommendations(covered)}; the report states {stated}."
        return f"This response covers all {_recommendations(stated)} the report makes."


def _recommendations(count: int) -> str:
    return f"{count} recommendation{'' if count == 1 else 's'}"


def coverage(inspection: Inspection, covered: int) -> Coverage:
    return Coverage(covered=covered, stated=inspection.stated_recommendations)


def offices_visible_to(user, *, today: datetime.date) -> QuerySet[Organisation]:
    """Offices whose response lists the user may read: their own, their boards' forces'
    bodies, or every body for the national view."""
    bodies = local_policing_bodies()
    if has_national_view(user):
        return bodies
    own = organisation_ids_with(user)
    board_bodies = Oversight.objects.on(today).filter(force_id__in=board_force_ids(user, today))
    return bodies.filter(Q(id__in=own) | Q(id__in=board_bodies.values("body_id")))


def responses_awaiting_chief_officer(user) -> list[Section55Response]:
    """Responses whose chief officer's comments the user's force may still enter or change
    (any not frozen by publication): the body must have overseen the force on the report's
    publication date."""
    force_ids = chief_officer_force_ids(user)
    oversights = list(Oversight.objects.filter(force_id__in=force_ids))
    responses = (
        Section55Response.objects.filter(body_id__in={o.body_id for o in oversights})
        .exclude(stage__in=[Stage.PUBLISHED, Stage.COPIES_SENT])
        .select_related("body", "inspection")
        .order_by("chief_officer_comments_due_on", "inspection__published_on")
    )
    return [
        response
        for response in responses
        if any(
            o.body_id == response.body_id and _in_force(o, response.inspection.published_on)
            for o in oversights
        )
    ]


# --- the office's list ----------------------------------------------------------------------


@dataclasses.dataclass
class ResponseRow:
    inspection: Inspection
    response: Section55Response | None
    last_day: datetime.date | None
    days_left: int | None
    rag: deadlines.Rag
    is_overdue: bool
    latest: Section55Publication | None
    first_published_on: datetime.date | None

    @property
    def stage_label(self) -> str:
        return self.response.get_stage_display() if self.response else Stage.NOT_STARTED.label

    @property
    def days_late(self) -> int | None:
        """Days after the last day that the first version was published."""
        first = self.first_published_on
        if first and self.last_day and first > self.last_day:
            return (first - self.last_day).days
        return None


def response_rows(body: Organisation, *, today: datetime.date) -> list[ResponseRow]:
    """Every report that concerns the office, with its clock and stage; overdue first
    (the most overdue at the top), then open by last day, then published, newest first."""
    inspections = list(inspections_concerning(body))
    responses = {
        response.inspection_id: response
        for response in Section55Response.objects.filter(
            body=body, inspection__in=[i.id for i in inspections]
        ).prefetch_related(
            Prefetch("publications", queryset=Section55Publication.objects.order_by("version"))
        )
    }
    rows = []
    for inspection in inspections:
        response = responses.get(inspection.id)
        publications = list(response.publications.all()) if response else []
        closed = bool(publications)
        last_day = deadlines.section55_last_day(inspection.published_on)
        rows.append(
            ResponseRow(
                inspection=inspection,
                response=response,
                last_day=last_day,
                days_left=None if closed else deadlines.days_left(last_day, today),
                rag=deadlines.rag(
                    is_closed=closed,
                    is_blocked=False,
                    inspectorate_deadline=last_day,
                    target_date=None,
                    today=today,
                ),
                is_overdue=deadlines.is_overdue(is_closed=closed, deadline=last_day, today=today),
                latest=publications[-1] if publications else None,
                first_published_on=publications[0].published_on if publications else None,
            )
        )

    def order(row: ResponseRow):
        if row.latest:
            return (3, -row.inspection.published_on.toordinal())
        if row.last_day is None:
            return (2, -row.inspection.published_on.toordinal())
        return (0 if row.is_overdue else 1, row.last_day.toordinal())

    return sorted(rows, key=order)


# --- one response ---------------------------------------------------------------------------


@dataclasses.dataclass
class Prefill:
    """What the force's own records suggest for a recommendation's position."""

    position: str
    explanation: str
    source: str


@dataclasses.dataclass
class RecommendationRow:
    finding: Finding
    label: str
    position: Section55Position | None
    prefill: Prefill | None

    @property
    def text(self) -> str:
        """The recommendation's exact text; '' while it is not recorded."""
        return self.finding.text

    @property
    def summary(self) -> str:
        """What is known of it where the exact text is not recorded (never its wording)."""
        return "" if self.finding.text else self.finding.summary


_POSITION_FROM_STATUS = {
    TrackedItem.Status.AWAITING_REVIEW: "",
    TrackedItem.Status.BEING_PROGRESSED: Position.ACTION_PROPOSED,
    TrackedItem.Status.PROPOSED_COMPLETE: Position.ACTION_TAKEN,
    TrackedItem.Status.COMPLETE: Position.ACTION_TAKEN,
    TrackedItem.Status.NO_FURTHER_ACTION: Position.NO_ACTION,
    TrackedItem.Status.SUPERSEDED: Position.NO_ACTION,
}


def recommendation_rows(
    *, inspection: Inspection, body: Organisation, response: Section55Response | None
) -> list[RecommendationRow]:
    """Each recommendation with the office's saved position, if any, and what the force's
    tracked items and action plan suggest for it."""
    findings = list(recommendations(inspection))
    positions = {p.finding_id: p for p in response.positions.all()} if response is not None else {}
    prefills = _prefills(findings, body=body, day=inspection.published_on)
    return [
        RecommendationRow(
            finding=finding,
            label=recommendation_label(finding, number),
            position=positions.get(finding.id),
            prefill=prefills.get(finding.id),
        )
        for number, finding in enumerate(findings, start=1)
    ]


def _prefills(findings: list[Finding], *, body: Organisation, day: datetime.date):
    """Per finding id, a Prefill from the force's tracked item, or failing that from the
    tracked item of the ROCU region the force belonged to (recommendations to each region)."""
    force_ids = list(forces_overseen(body, day).values_list("id", flat=True))
    region_ids = list(
        RegionMembership.objects.on(day)
        .filter(force_id__in=force_ids)
        .values_list("region_id", flat=True)
    )
    items = TrackedItem.objects.filter(
        finding__in=findings, organisation_id__in=force_ids + region_ids
    ).select_related("organisation")
    chosen: dict[int, TrackedItem] = {}
    for item in sorted(items, key=lambda i: i.organisation_id not in force_ids):
        chosen.setdefault(item.finding_id, item)
    latest: dict[int, TrackedItemEvent] = {}
    narrated = TrackedItemEvent.objects.filter(item__in=chosen.values()).exclude(narrative="")
    narrated = narrated.only("item_id", "occurred_on", "narrative")
    for event in narrated.order_by("-occurred_on", "-id"):
        latest.setdefault(event.item_id, event)
    actions: dict[int, list[Action]] = defaultdict(list)
    links = Action.serves.through.objects.filter(trackeditem__in=chosen.values()).select_related(
        "action"
    )
    for link in links.order_by("action__due_on", "action_id"):
        actions[link.trackeditem_id].append(link.action)
    return {
        finding_id: prefill
        for finding_id, item in chosen.items()
        if (prefill := _prefill(item, latest.get(item.id), actions[item.id]))
    }


def _prefill(item: TrackedItem, event: TrackedItemEvent | None, actions: list[Action]):
    position = _POSITION_FROM_STATUS.get(item.status, "")
    if not position and actions:
        position = Position.ACTION_PROPOSED
    parts = [event.narrative.strip()] if event else []
    if actions:
        lines = [f"Actions in {item.organisation.short_name}'s action plan:"]
        for action in actions:
            details = [action.owner_title] if action.owner_title else []
            if action.due_on:
                details.append(f"due {deadlines.format_day(action.due_on)}")
            details.append(action.get_status_display().lower())
            lines.append(f"- {action.title} ({'; '.join(details)})")
        parts.append("\n".join(lines))
    if not position and not parts:
        return None
    source = f"{item.organisation.short_name}'s tracked item ({item.get_status_display().lower()}"
    if event:
        source += f", last updated {deadlines.format_day(event.occurred_on)}"
    source += ")"
    if actions:
        source += f" and {len(actions)} action{'s' if len(actions) != 1 else ''}"
    return Prefill(position=position, explanation="\n\n".join(parts), source=source)


def publication_missing(response: Section55Response, rows: list[RecommendationRow]) -> list[str]:
    """What must be done before the response can be published; empty when it is ready.
    `rows` are the response's recommendation_rows()."""
    missing = []
    if response.chief_officer_comments_status == Section55Response.ChiefOfficerComments.AWAITED:
        missing.append(
            "The chief officer's comments are neither recorded nor marked as not received."
        )
    if not response.office_comments.strip():
        missing.append("The office's comments are not written.")
    for row in rows:
        if row.position is None or not row.position.position:
            missing.append(f"{row.label} has no position.")
        elif not row.position.explanation.strip():
            missing.append(f"{row.label} has no explanation.")
    return missing


def publication_warnings(response: Section55Response, rows: list[RecommendationRow]) -> list[str]:
    """What the office must acknowledge before publishing: the response answers fewer
    recommendations than the report makes (or the number it makes is not recorded), or a
    recommendation's exact text is not recorded. Empty when there is nothing to warn of."""
    warnings = []
    covered = coverage(response.inspection, len(rows))
    if covered.stated is None:
        warnings.append(
            f"How many recommendations the report makes is not recorded. {len(rows)} "
            f"{'is' if len(rows) == 1 else 'are'} recorded here, and the published response "
            "will say that it may not answer them all."
        )
    elif covered.covered < covered.stated:
        warnings.append(
            f"The report makes {covered.stated} recommendations and only {covered.covered} "
            f"{'is' if covered.covered == 1 else 'are'} recorded here: the response will "
            f"answer {covered.covered} of the report's {covered.stated}, and will say so "
            "wherever it appears."
        )
    for row in rows:
        if not row.text:
            warnings.append(
                f"The exact text of {row.label.lower()} is not recorded: the published "
                "response will say so instead of quoting it."
            )
    return warnings


def publications(response: Section55Response) -> list[Section55Publication]:
    """The response's published versions, newest first."""
    return list(response.publications.order_by("-version"))


def history(response: Section55Response):
    return response.events.select_related("actor")


# --- public ---------------------------------------------------------------------------------


def latest_publications(*, body: Organisation | None = None) -> QuerySet[Section55Publication]:
    """The newest published version of each response (of one office, or of all)."""
    newer = Section55Publication.objects.filter(
        response_id=OuterRef("response_id"), version__gt=OuterRef("version")
    )
    publications_qs = Section55Publication.objects.exclude(Exists(newer)).annotate(
        covered=Count("positions")
    )
    if body is not None:
        publications_qs = publications_qs.filter(response__body=body)
    return (
        publications_qs.select_related("response__body", "response__inspection__inspectorate")
        .prefetch_related("response__inspection__stated_counts")
        .order_by("-published_on", "response__inspection__title", "response__body__name")
    )


def published_version(
    *, body_slug: str, inspection_slug: str, version: int | None = None
) -> Section55Publication | None:
    """One published version (the newest when `version` is None), or None."""
    publications_qs = Section55Publication.objects.filter(
        response__body__slug=body_slug,
        response__body__kind=Organisation.Kind.LOCAL_POLICING_BODY,
        response__inspection__slug=inspection_slug,
    ).select_related("response__body", "response__inspection__inspectorate")
    if version is not None:
        publications_qs = publications_qs.filter(version=version)
    return publications_qs.order_by("-version").first()


def publication_positions(publication: Section55Publication):
    return publication.positions.all()


def national_positions():
    """Every position of every response's newest published version, for the national CSV."""
    return (
        Section55PublishedPosition.objects.filter(
            publication__in=latest_publications().values("id")
        )
        .annotate(covered=Window(Count("id"), partition_by=[F("publication_id")]))
        .select_related(
            "publication__response__body", "publication__response__inspection__inspectorate"
        )
        .order_by(
            "publication__response__inspection__published_on",
            "publication__response__inspection__slug",
            "publication__response__body__name",
            "order",
        )
    )

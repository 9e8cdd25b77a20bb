"""Every write to inspections: the reference loader's upsert, and the intake pages' services
(create, edit, stated counts, findings and their order, publishing to the trackers). The
intake services check inspections.access first, and each runs in one transaction."""

import datetime
from collections.abc import Iterable, Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from organisations.access import as_recorded, require_keep_reference_data
from organisations.models import Organisation
from recommendations import services as recommendation_services
from recommendations.models import Finding
from rocu_tracker import deadlines

from . import access
from .models import Inspection, InspectionStatedCount


def inspection_upsert(
    *,
    slug: str,
    by,
    subjects=(),
    stated_counts: Mapping[str, int | None] | None = None,
    **fields,
) -> Inspection:
    """The reference loader's write: the loader (or a superuser) only."""
    require_keep_reference_data(by)
    inspection, _ = Inspection.objects.update_or_create(slug=slug, defaults=fields)
    inspection.subjects.set(subjects)
    if stated_counts is not None:
        inspection_stated_counts_set(inspection=inspection, counts=stated_counts, by=by)
    return inspection


def inspection_stated_counts_set(
    *, inspection: Inspection, counts: Mapping[str, int | None], by
) -> None:
    """The counts the report states, one row per kind; a kind given None is not stated."""
    access.require_edit_inspection(by, inspection)
    unknown = set(counts) - set(Finding.Kind.values)
    if unknown:
        raise ValidationError(f"Unknown kinds of finding: {', '.join(sorted(unknown))}.")
    stated = {kind: count for kind, count in counts.items() if count is not None}
    if any(count < 0 for count in stated.values()):
        raise ValidationError("A stated count cannot be negative.")
    getattr(inspection, "_prefetched_objects_cache", {}).pop("stated_counts", None)
    inspection.stated_counts.exclude(kind__in=stated).delete()
    for kind, count in stated.items():
        InspectionStatedCount.objects.update_or_create(
            inspection=inspection, kind=kind, defaults={"count": count}
        )


def inspection_mark_published(*, inspection: Inspection, by) -> None:
    """Record that the inspection is published to the trackers (the reference loader's
    inspections are); no-op if it already is."""
    access.require_edit_inspection(by, inspection)
    Inspection.objects.filter(pk=inspection.pk, published_to_trackers_at__isnull=True).update(
        published_to_trackers_at=timezone.now(), published_to_trackers_by=as_recorded(by)
    )
    inspection.refresh_from_db(fields=["published_to_trackers_at", "published_to_trackers_by"])


# --- the intake pages -----------------------------------------------------------------------

INSPECTION_FIELDS = (
    "inspectorate",
    "type",
    "scope",
    "title",
    "published_on",
    "url",
    "fieldwork",
    "section55_applies",
    "stated_counts_source",
)


def _require_subjects_allowed(by, *, inspectorate: Organisation, subjects) -> None:
    if not access.can_enter_inspection_as(
        by, inspectorate=inspectorate, subject_ids=[subject.id for subject in subjects]
    ):
        raise PermissionDenied(
            "You may enter only your inspectorate's reports, or reports about your force "
            "(name it among the organisations the report is about)."
        )


def _unique_slug(title: str, published_on: datetime.date) -> str:
    base = slugify(f"{published_on.year} {title}")[:90] or f"inspection-{published_on.year}"
    slug, number = base, 1
    while Inspection.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


@transaction.atomic
def inspection_create(
    *,
    by: AbstractBaseUser,
    inspectorate: Organisation,
    type: str,
    scope: str,
    title: str,
    published_on: datetime.date,
    subjects: Iterable[Organisation] = (),
    url: str = "",
    fieldwork: str = "",
    section55_applies: bool = True,
    stated_counts_source: str = "",
    stated_counts: Mapping[str, int | None] | None = None,
) -> Inspection:
    """A new inspection, a draft until published to the trackers."""
    access.require_create_inspection(by)
    subjects = list(subjects)
    _require_subjects_allowed(by, inspectorate=inspectorate, subjects=subjects)
    if inspectorate.kind != Organisation.Kind.INSPECTORATE:
        raise ValidationError("Choose an inspectorate.")
    deadlines.require_plausible_date(published_on)
    inspection = Inspection.objects.create(
        slug=_unique_slug(title, published_on),
        inspectorate=inspectorate,
        type=type,
        scope=scope,
        title=title.strip(),
        published_on=published_on,
        url=url,
        fieldwork=fieldwork,
        section55_applies=section55_applies,
        stated_counts_source=stated_counts_source,
    )
    inspection.subjects.set(subjects)
    inspection_stated_counts_set(inspection=inspection, counts=stated_counts or {}, by=by)
    return inspection


@transaction.atomic
def inspection_update(
    *,
    inspection: Inspection,
    by: AbstractBaseUser,
    subjects: Iterable[Organisation] | None = None,
    stated_counts: Mapping[str, int | None] | None = None,
    **fields,
) -> Inspection:
    """Change an inspection's details. Once published, its publication date (the day its
    items' history opens and its Section 55 clock starts) no longer changes."""
    access.require_edit_inspection(by, inspection)
    unknown = set(fields) - set(INSPECTION_FIELDS)
    if unknown:
        raise ValidationError(f"Not an inspection detail: {', '.join(sorted(unknown))}.")
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if (
        inspection.is_published_to_trackers
        and "published_on" in fields
        and fields["published_on"] != inspection.published_on
    ):
        raise ValidationError(
            "The publication date cannot change once the inspection is published to the "
            "trackers: its items' history opens on it."
        )
    if "published_on" in fields:
        deadlines.require_plausible_date(fields["published_on"])
    subjects = list(subjects) if subjects is not None else list(inspection.subjects.all())
    _require_subjects_allowed(
        by, inspectorate=fields.get("inspectorate", inspection.inspectorate), subjects=subjects
    )
    for name, value in fields.items():
        setattr(inspection, name, value)
    inspection.save()
    inspection.subjects.set(subjects)
    if stated_counts is not None:
        inspection_stated_counts_set(inspection=inspection, counts=stated_counts, by=by)
    return inspection


FINDING_FIELDS = (
    "kind",
    "reference",
    "text",
    "summary",
    "addressees_as_written",
    "audience",
    "deadline",
    "deadline_precision",
    "cause_of_concern",
    "note",
)


def _check_finding(inspection: Inspection, fields: Mapping, addressees: list) -> None:
    cause = fields.get("cause_of_concern")
    if cause is not None and (
        cause.inspection_id != inspection.pk
        or cause.kind
        not in (Finding.Kind.CAUSE_OF_CONCERN, Finding.Kind.ACCELERATED_CAUSE_OF_CONCERN)
    ):
        raise ValidationError("It can only answer a cause of concern of this inspection.")
    precision = fields.get("deadline_precision", deadlines.Precision.NONE.value)
    if precision in (deadlines.Precision.DAY, deadlines.Precision.MONTH):
        if fields.get("deadline") is None:
            raise ValidationError("Give the deadline's date, or choose “no deadline”.")
        deadlines.require_plausible_date(fields["deadline"])
    if not (fields.get("text", "").strip() or fields.get("summary", "").strip()):
        raise ValidationError(
            "Give the report's words, or a summary (shown marked as one) while they are unknown."
        )
    if fields.get("audience") == Finding.Audience.NAMED and not addressees:
        raise ValidationError("Choose the bodies it is addressed to, or another audience.")


def _finding_key(inspection: Inspection, fields: Mapping) -> str:
    base = slugify(f"{fields['kind']} {fields.get('reference') or ''}")[:70]
    key, number = base, 1
    while inspection.findings.filter(key=key).exists():
        number += 1
        key = f"{base}-{number}"
    return key


@transaction.atomic
def finding_create(
    *,
    inspection: Inspection,
    by: AbstractBaseUser,
    addressees: Iterable[Organisation] = (),
    capabilities=(),
    **fields,
) -> Finding:
    """Add a finding at the end of the inspection's list. On a published inspection it fans
    out at once (recommendations.services.finding_upsert)."""
    access.require_edit_inspection(by, inspection)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    addressees = list(addressees)
    _check_fields(fields)
    _check_finding(inspection, fields, addressees)
    _normalise_deadline(inspection, fields)
    last = inspection.findings.aggregate(last=Max("position"))["last"] or 0
    return recommendation_services.finding_upsert(
        inspection=inspection,
        key=_finding_key(inspection, fields),
        addressees=addressees,
        capabilities=capabilities,
        by=by,
        position=last + 1,
        source=f"Entered by hand by {by.get_username()}",
        **fields,
    )


@transaction.atomic
def finding_update(
    *,
    finding: Finding,
    by: AbstractBaseUser,
    addressees: Iterable[Organisation] = (),
    capabilities=(),
    **fields,
) -> Finding:
    """Change a finding. On a published inspection, new addressees get items, removed
    ones' open items are withdrawn and re-added ones' withdrawn items reopened, each with an
    event; no history is deleted."""
    inspection = Inspection.objects.select_for_update().get(pk=finding.inspection_id)
    access.require_edit_inspection(by, inspection)
    addressees = list(addressees)
    _check_fields(fields)
    fields = {**{name: getattr(finding, name) for name in FINDING_FIELDS}, **fields}
    _check_finding(inspection, fields, addressees)
    _normalise_deadline(inspection, fields)
    if (
        inspection.is_published_to_trackers
        and finding.kind in Finding.TRACKED_KINDS
        and fields.get("kind", finding.kind) not in Finding.TRACKED_KINDS
        and finding.tracked_items.exists()
    ):
        raise ValidationError(
            "This finding is tracked by the organisations it is addressed to; it cannot "
            "become a kind that is never tracked."
        )
    return recommendation_services.finding_upsert(
        inspection=inspection,
        key=finding.key,
        addressees=addressees,
        capabilities=capabilities,
        by=by,
        **fields,
    )


def _check_fields(fields: Mapping) -> None:
    unknown = set(fields) - set(FINDING_FIELDS)
    if unknown:
        raise ValidationError(f"Not a finding's detail: {', '.join(sorted(unknown))}.")


def _normalise_deadline(inspection: Inspection, fields: dict) -> None:
    """The deadline stored as deadlines.py reads it: 'immediately' is the publication day,
    a month its last day, no precision no date."""
    precision = fields.get("deadline_precision", deadlines.Precision.NONE.value)
    fields["deadline_precision"] = precision
    if precision == deadlines.Precision.IMMEDIATELY.value:
        fields["deadline"] = inspection.published_on
    elif precision == deadlines.Precision.MONTH.value:
        day = fields["deadline"]
        fields["deadline"] = deadlines.month_end(day.year, day.month)
    elif precision == deadlines.Precision.NONE.value:
        fields["deadline"] = None


@transaction.atomic
def findings_reorder(
    *, inspection: Inspection, by: AbstractBaseUser, finding: Finding, move: int
) -> None:
    """Move a finding up (-1) or down (+1) in the inspection's list."""
    access.require_edit_inspection(by, inspection)
    findings = list(inspection.findings.select_for_update().order_by("position", "id"))
    index = next((i for i, f in enumerate(findings) if f.pk == finding.pk), None)
    if index is None:
        raise ValidationError("That finding is not part of this inspection.")
    target = index + move
    if move not in (-1, 1) or not 0 <= target < len(findings):
        return
    findings[index], findings[target] = findings[target], findings[index]
    for position, each in enumerate(findings, start=1):
        if each.position != position:
            each.position = position
            each.save(update_fields=["position", "updated_at"])


def publication_preview(inspection: Inspection) -> list[tuple[Finding, int]]:
    """Each finding with how many tracked items publishing would create for it."""
    findings = list(inspection.findings.prefetch_related("addressees"))
    return [
        (
            finding,
            len(recommendation_services.finding_responsible_organisations(finding))
            if finding.kind in Finding.TRACKED_KINDS
            else 0,
        )
        for finding in findings
    ]


@transaction.atomic
def inspection_publish_to_trackers(*, inspection: Inspection, by: AbstractBaseUser) -> int:
    """Publish a draft inspection: each tracked finding fans out to one tracked item per
    responsible organisation, on the publication date. Returns how many items it made."""
    access.require_edit_inspection(by, inspection)
    locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if locked.is_published_to_trackers:
        raise ValidationError("This inspection is already published to the trackers.")
    findings = list(locked.findings.select_related("inspection__inspectorate"))
    tracked = [finding for finding in findings if finding.kind in Finding.TRACKED_KINDS]
    unaddressed = [
        finding
        for finding in tracked
        if not recommendation_services.finding_responsible_organisations(finding)
    ]
    if unaddressed:
        names = ", ".join(str(finding)[:60] for finding in unaddressed)
        raise ValidationError(f"Say who must answer each finding before publishing: {names}.")
    if not tracked:
        raise ValidationError("Add at least one finding that is tracked before publishing.")
    created = sum(
        len(recommendation_services.finding_fan_out(finding=finding, by=by)) for finding in tracked
    )
    locked.published_to_trackers_at = timezone.now()
    locked.published_to_trackers_by = by
    locked.save(update_fields=["published_to_trackers_at", "published_to_trackers_by"])
    inspection.refresh_from_db()
    return created

"""Load the committed reference fixture (forces, bodies, regions, the ROCU inspections and
their known findings) through each app's services, in one transaction.

The fixture is checked as it is read; any problem raises ReferenceDataError naming where it
is, and because everything runs in one transaction nothing is written.
"""

import dataclasses
import datetime
import json
from pathlib import Path

from django.db import transaction

from organisations import services as organisation_services
from organisations.access import SYSTEM
from organisations.models import Organisation
from recommendations import services as recommendation_services
from recommendations.models import Finding, TrackedItem
from rocu_tracker import deadlines

from . import services as inspection_services
from .models import Inspection

# The fixture's keys for the counts a report states, and the kind of finding each counts.
STATED_COUNT_KEYS = {
    "stated_recommendations": Finding.Kind.RECOMMENDATION,
    "stated_causes_of_concern": Finding.Kind.CAUSE_OF_CONCERN,
    "stated_areas_for_improvement": Finding.Kind.AREA_FOR_IMPROVEMENT,
}

DEFAULT_PATH = Path(__file__).resolve().parent / "reference" / "rocu_reference.json"
SCHEMA = 1


class ReferenceDataError(Exception):
    pass


@dataclasses.dataclass
class LoadReport:
    organisations: int = 0
    oversight: int = 0
    region_memberships: int = 0
    capabilities: int = 0
    inspections: int = 0
    findings: int = 0
    tracked_items_created: int = 0


class _Reader:
    """Typed access to one fixture record, with errors that say where the problem is."""

    def __init__(self, record: dict, where: str):
        if not isinstance(record, dict):
            raise ReferenceDataError(f"{where}: expected an object, found {type(record).__name__}")
        self.record = record
        self.where = where

    def text(self, key: str, *, required: bool = True) -> str:
        value = self.record.get(key, None if required else "")
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise ReferenceDataError(f"{self.where}: '{key}' must be a non-empty string")
        return value

    def choice(self, key: str, choices) -> str:
        value = self.text(key)
        if value not in choices:
            raise ReferenceDataError(
                f"{self.where}: '{key}' is '{value}', expected one of {sorted(choices)}"
            )
        return value

    def date(self, key: str) -> datetime.date | None:
        value = self.record.get(key)
        if value is None:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            raise ReferenceDataError(f"{self.where}: '{key}' is not a date: {value!r}") from None

    def count(self, key: str) -> int | None:
        value = self.record.get(key)
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ReferenceDataError(f"{self.where}: '{key}' must be a whole number or null")
        return value

    def items(self, key: str) -> list:
        value = self.record.get(key, [])
        if not isinstance(value, list):
            raise ReferenceDataError(f"{self.where}: '{key}' must be a list")
        return value


def reference_data_load(*, path: Path = DEFAULT_PATH) -> LoadReport:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ReferenceDataError(f"Cannot read the reference fixture {path}: {error}") from None
    root = _Reader(data, str(path))
    if data.get("schema") != SCHEMA:
        raise ReferenceDataError(f"{path}: 'schema' must be {SCHEMA}")
    with transaction.atomic():
        return _load(root)


def _load(root: _Reader) -> LoadReport:
    report = LoadReport()
    organisations = _load_organisations(root, report)

    def organisation(slug, where, kind=None) -> Organisation:
        found = organisations.get(slug)
        if found is None:
            raise ReferenceDataError(f"{where}: unknown organisation '{slug}'")
        if kind and found.kind != kind:
            raise ReferenceDataError(f"{where}: '{slug}' is a {found.kind}, expected a {kind}")
        return found

    for index, raw in enumerate(root.items("oversight")):
        row = _Reader(raw, f"oversight[{index}]")
        organisation_services.oversight_record(
            force=organisation(row.text("force"), row.where, Organisation.Kind.FORCE),
            body=organisation(row.text("body"), row.where, Organisation.Kind.LOCAL_POLICING_BODY),
            valid_from=row.date("valid_from"),
            valid_to=row.date("valid_to"),
            note=row.text("note", required=False),
            by=SYSTEM,
        )
        report.oversight += 1
    for index, raw in enumerate(root.items("region_memberships")):
        row = _Reader(raw, f"region_memberships[{index}]")
        organisation_services.region_membership_record(
            force=organisation(row.text("force"), row.where, Organisation.Kind.FORCE),
            region=organisation(row.text("region"), row.where, Organisation.Kind.REGION),
            valid_from=row.date("valid_from"),
            valid_to=row.date("valid_to"),
            note=row.text("note", required=False),
            by=SYSTEM,
        )
        report.region_memberships += 1
    capabilities = {}
    for index, raw in enumerate(root.items("capabilities")):
        row = _Reader(raw, f"capabilities[{index}]")
        capability = recommendation_services.capability_upsert(
            by=SYSTEM,
            slug=row.text("slug"),
            name=row.text("name"),
            source=row.text("source", required=False),
            note=row.text("note", required=False),
        )
        capabilities[capability.slug] = capability
        report.capabilities += 1
    for index, raw in enumerate(root.items("inspections")):
        _load_inspection(_Reader(raw, f"inspections[{index}]"), organisation, capabilities, report)
    return report


def _load_organisations(root: _Reader, report: LoadReport) -> dict[str, Organisation]:
    organisations: dict[str, Organisation] = {}
    for index, raw in enumerate(root.items("organisations")):
        row = _Reader(raw, f"organisations[{index}]")
        slug = row.text("slug")
        if slug in organisations:
            raise ReferenceDataError(f"{row.where}: duplicate slug '{slug}'")
        organisations[slug] = organisation_services.organisation_upsert(
            slug=slug,
            kind=row.choice("kind", Organisation.Kind.values),
            name=row.text("name"),
            short_name=row.text("short_name"),
            police_uk_id=row.text("police_uk_id", required=False),
            region_name=row.text("region_name", required=False),
            note=row.text("note", required=False),
            source=row.text("source", required=False),
            by=SYSTEM,
        )
        report.organisations += 1
    return organisations


def _load_inspection(row: _Reader, organisation, capabilities, report: LoadReport) -> None:
    published_on = row.date("published_on")
    if published_on is None:
        raise ReferenceDataError(f"{row.where}: 'published_on' is required")
    inspection = inspection_services.inspection_upsert(
        by=SYSTEM,
        slug=row.text("slug"),
        inspectorate=organisation(
            row.text("inspectorate"), row.where, Organisation.Kind.INSPECTORATE
        ),
        type=row.choice("type", Inspection.Type.values),
        scope=row.choice("scope", Inspection.Scope.values),
        title=row.text("title"),
        published_on=published_on,
        publication_note=row.text("publication_note", required=False),
        fieldwork=row.text("fieldwork", required=False),
        url=row.text("url", required=False),
        isbn=row.text("isbn", required=False),
        lead_inspector=row.text("lead_inspector", required=False),
        stated_counts={kind: row.count(key) for key, kind in STATED_COUNT_KEYS.items()},
        stated_counts_source=row.text("stated_counts_source", required=False),
        recorded_note=row.text("recorded_note", required=False),
        subjects=[organisation(slug, row.where) for slug in row.items("subjects")],
    )
    report.inspections += 1
    # The reference inspections are published to the trackers: each finding fans out as it
    # is saved (and a re-load adds new addressees' items and withdraws removed ones').
    inspection_services.inspection_mark_published(inspection=inspection, by=SYSTEM)
    items_before = TrackedItem.objects.count()
    findings: dict[str, Finding] = {}
    for position, raw in enumerate(row.items("findings"), start=1):
        finding_row = _Reader(raw, f"{row.where}.findings[{position - 1}]")
        finding = _load_finding(
            finding_row, inspection, position, findings, organisation, capabilities
        )
        findings[finding.key] = finding
        report.findings += 1
    report.tracked_items_created += TrackedItem.objects.count() - items_before


def _load_finding(row: _Reader, inspection, position, findings, organisation, capabilities):
    try:
        deadline, precision = deadlines.parse_deadline(row.record.get("deadline"))
    except (TypeError, ValueError):
        raise ReferenceDataError(
            f"{row.where}: 'deadline' must be YYYY-MM-DD, YYYY-MM or null, "
            f"found {row.record.get('deadline')!r}"
        ) from None
    cause_key = row.record.get("cause_of_concern")
    if cause_key is not None and cause_key not in findings:
        raise ReferenceDataError(
            f"{row.where}: 'cause_of_concern' '{cause_key}' is not an earlier finding"
        )
    unknown_capabilities = [slug for slug in row.items("capabilities") if slug not in capabilities]
    if unknown_capabilities:
        raise ReferenceDataError(f"{row.where}: unknown capabilities {unknown_capabilities}")
    return recommendation_services.finding_upsert(
        by=SYSTEM,
        inspection=inspection,
        key=row.text("key"),
        kind=row.choice("kind", Finding.Kind.values),
        reference=row.text("reference", required=False),
        text=row.text("text", required=False),
        summary=row.text("summary", required=False),
        addressees_as_written=row.text("addressees_as_written", required=False),
        audience=row.choice("audience", Finding.Audience.values),
        deadline=deadline,
        deadline_precision=precision,
        cause_of_concern=findings.get(cause_key),
        position=position,
        source=row.text("source", required=False),
        note=row.text("note", required=False),
        addressees=[organisation(slug, row.where) for slug in row.items("addressees")],
        capabilities=[capabilities[slug] for slug in row.items("capabilities")],
    )

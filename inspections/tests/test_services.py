"""The intake services: drafts, publishing to the trackers, fan-out that follows the
addressees, the untracked kinds, deadlines as precise as the report, and who may do it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from inspections import access, services
from inspections.models import Inspection
from organisations.access import SYSTEM
from organisations.models import Organisation
from recommendations import services as recommendation_services
from recommendations.models import Finding, TrackedItem, TrackedItemEvent

D = datetime.date
FORCES = 43


def _inspection(by, organisations, **overrides):
    fields = {
        "inspectorate": organisations["hmicfrs"],
        "type": Inspection.Type.THEMATIC,
        "scope": Inspection.Scope.NATIONAL,
        "title": "A test inspection, not a real report",
        "published_on": D(2026, 3, 4),
        "stated_counts": {Finding.Kind.RECOMMENDATION: 3},
    }
    return services.inspection_create(by=by, **(fields | overrides))


def _finding(inspection, by, **overrides):
    fields = {
        "kind": Finding.Kind.RECOMMENDATION,
        "reference": "1",
        "text": "A test recommendation, not the report's words.",
        "addressees_as_written": "every police force in England and Wales",
        "audience": Finding.Audience.ALL_FORCES,
        "deadline_precision": "day",
        "deadline": D(2026, 9, 30),
    }
    return services.finding_create(inspection=inspection, by=by, **(fields | overrides))


def test_it_keeps_findings_a_draft_until_the_liaison_publishes(hmicfrs_liaison, organisations):
    inspection = _inspection(hmicfrs_liaison, organisations)
    finding = _finding(inspection, hmicfrs_liaison)
    assert not inspection.is_published_to_trackers
    assert not finding.tracked_items.exists()

    created = services.inspection_publish_to_trackers(inspection=inspection, by=hmicfrs_liaison)

    assert created == FORCES
    assert inspection.published_to_trackers_by == hmicfrs_liaison
    items = TrackedItem.objects.filter(finding=finding)
    assert items.count() == FORCES
    assert set(items.values_list("organisation__kind", flat=True)) == {Organisation.Kind.FORCE}
    created_events = TrackedItemEvent.objects.filter(
        item__finding=finding, kind=TrackedItemEvent.Kind.CREATED
    )
    assert set(created_events.values_list("occurred_on", flat=True)) == {D(2026, 3, 4)}


def test_it_refuses_to_publish_twice_or_without_addressees(hmicfrs_liaison, organisations):
    inspection = _inspection(hmicfrs_liaison, organisations)
    _finding(inspection, hmicfrs_liaison, audience=Finding.Audience.NOT_RECORDED)
    with pytest.raises(ValidationError, match="who must answer"):
        services.inspection_publish_to_trackers(inspection=inspection, by=hmicfrs_liaison)
    assert not TrackedItem.objects.filter(finding__inspection=inspection).exists()
    inspection.findings.update(audience=Finding.Audience.ALL_FORCES)
    services.inspection_publish_to_trackers(inspection=inspection, by=hmicfrs_liaison)
    with pytest.raises(ValidationError, match="already published"):
        services.inspection_publish_to_trackers(inspection=inspection, by=hmicfrs_liaison)


def test_it_fans_out_each_region_as_the_regions_were_on_the_publication_date(
    hmicfrs_liaison, organisations
):
    inspection = _inspection(hmicfrs_liaison, organisations, published_on=D(2021, 2, 10))
    finding = _finding(inspection, hmicfrs_liaison, audience=Finding.Audience.EACH_REGION)
    services.inspection_publish_to_trackers(inspection=inspection, by=hmicfrs_liaison)
    expected = set(recommendation_services.finding_responsible_organisations(finding))
    assert {item.organisation for item in finding.tracked_items.all()} == expected
    assert all(o.kind == Organisation.Kind.REGION for o in expected) and len(expected) == 10


def test_it_adds_items_for_new_addressees_and_withdraws_removed_ones(
    hmicfrs_liaison, organisations
):
    devon, cambs, kent = (
        organisations[slug] for slug in ("devon-and-cornwall", "cambridgeshire", "kent")
    )
    inspection = _inspection(hmicfrs_liaison, organisations)
    finding = _finding(
        inspection, hmicfrs_liaison, audience=Finding.Audience.NAMED, addressees=[devon, cambs]
    )
    services.inspection_publish_to_trackers(inspection=inspection, by=hmicfrs_liaison)
    cambs_item = finding.tracked_items.get(organisation=cambs)

    services.finding_update(
        finding=finding,
        by=hmicfrs_liaison,
        addressees_as_written="Devon and Cornwall Police and Kent Police",
        addressees=[devon, kent],
    )

    assert finding.tracked_items.count() == 3  # nothing deleted
    assert finding.tracked_items.get(organisation=kent).status == TrackedItem.Status.AWAITING_REVIEW
    cambs_item.refresh_from_db()
    assert cambs_item.status == TrackedItem.Status.WITHDRAWN
    assert cambs_item.version == 2
    withdrawal = cambs_item.events.get(to_status=TrackedItem.Status.WITHDRAWN)
    assert withdrawal.actor == hmicfrs_liaison
    assert "removed from the finding's addressees" in withdrawal.narrative
    assert finding.tracked_items.get(organisation=devon).status == (
        TrackedItem.Status.AWAITING_REVIEW
    )


def test_it_reopens_the_withdrawn_item_of_an_addressee_added_back(hmicfrs_liaison, organisations):
    devon, cambs = (organisations[slug] for slug in ("devon-and-cornwall", "cambridgeshire"))
    inspection = _inspection(hmicfrs_liaison, organisations)
    finding = _finding(
        inspection, hmicfrs_liaison, audience=Finding.Audience.NAMED, addressees=[devon, cambs]
    )
    services.inspection_publish_to_trackers(inspection=inspection, by=hmicfrs_liaison)
    services.finding_update(finding=finding, by=hmicfrs_liaison, addressees=[devon])

    services.finding_update(finding=finding, by=hmicfrs_liaison, addressees=[devon, cambs])

    cambs_item = finding.tracked_items.get(organisation=cambs)  # the same one, not a second
    assert cambs_item.status == TrackedItem.Status.AWAITING_REVIEW
    assert cambs_item.version == 3
    moves = list(
        cambs_item.events.filter(kind=TrackedItemEvent.Kind.STATUS_CHANGE)
        .order_by("id")
        .values_list("from_status", "to_status", "actor", "narrative")
    )
    assert [(from_status, to_status) for from_status, to_status, *_ in moves] == [
        (TrackedItem.Status.AWAITING_REVIEW, TrackedItem.Status.WITHDRAWN),
        (TrackedItem.Status.WITHDRAWN, TrackedItem.Status.AWAITING_REVIEW),
    ]
    assert {actor for _, _, actor, _ in moves} == {hmicfrs_liaison.id}
    assert moves[1][3].startswith("Addressed again: ")
    assert finding.tracked_items.count() == 2


def test_it_fans_out_a_finding_saved_by_finding_upsert_on_a_published_inspection(
    hmicfrs_liaison, organisations
):
    """The paste and import pages save through finding_upsert: it follows publication too."""
    inspection = _inspection(hmicfrs_liaison, organisations)
    draft = recommendation_services.finding_upsert(
        inspection=inspection, key="draft", kind="recommendation", audience="all_forces", by=SYSTEM
    )
    assert not draft.tracked_items.exists()
    services.inspection_publish_to_trackers(inspection=inspection, by=hmicfrs_liaison)
    later = recommendation_services.finding_upsert(
        inspection=inspection,
        key="later",
        kind="recommendation",
        audience="named",
        addressees=[organisations["kent"]],
        by=SYSTEM,
    )
    assert draft.tracked_items.count() == FORCES
    assert [item.organisation.slug for item in later.tracked_items.all()] == ["kent"]


def test_it_records_innovative_practice_and_informational_findings_but_never_tracks_them(
    hmicfrs_liaison, organisations
):
    inspection = _inspection(hmicfrs_liaison, organisations)
    recommendation = _finding(inspection, hmicfrs_liaison)
    practice = _finding(
        inspection, hmicfrs_liaison, kind=Finding.Kind.INNOVATIVE_PRACTICE, reference=""
    )
    info = _finding(inspection, hmicfrs_liaison, kind=Finding.Kind.INFORMATIONAL, reference="")

    created = services.inspection_publish_to_trackers(inspection=inspection, by=hmicfrs_liaison)

    assert created == FORCES == recommendation.tracked_items.count()
    assert not practice.tracked_items.exists() and not info.tracked_items.exists()
    with pytest.raises(ValidationError, match="never tracked"):
        services.finding_update(
            finding=recommendation, by=hmicfrs_liaison, kind=Finding.Kind.INFORMATIONAL
        )


def test_it_stores_a_day_a_month_and_immediately_as_the_deadlines_module_reads_them(
    hmicfrs_liaison, organisations
):
    inspection = _inspection(hmicfrs_liaison, organisations)
    day = _finding(inspection, hmicfrs_liaison, deadline=D(2026, 6, 30))
    month = _finding(
        inspection, hmicfrs_liaison, deadline_precision="month", deadline=D(2027, 2, 3)
    )
    now = _finding(inspection, hmicfrs_liaison, deadline_precision="immediately", deadline=None)
    none = _finding(inspection, hmicfrs_liaison, deadline_precision="none", deadline=D(2027, 1, 1))
    assert day.deadline_display == "30 June 2026"
    assert (month.deadline, month.deadline_display) == (D(2027, 2, 28), "By February 2027")
    assert now.deadline == D(2026, 3, 4) and now.deadline_precision == "immediately"
    assert none.deadline is None
    with pytest.raises(ValidationError, match="deadline's date"):
        _finding(inspection, hmicfrs_liaison, deadline=None)


def test_it_needs_the_words_or_a_summary_marked_as_one(hmicfrs_liaison, organisations):
    inspection = _inspection(hmicfrs_liaison, organisations)
    with pytest.raises(ValidationError, match="summary"):
        _finding(inspection, hmicfrs_liaison, text="")
    finding = _finding(inspection, hmicfrs_liaison, text="", summary="Publish a plan.")
    assert finding.display_text.startswith("Summary (exact text not yet recorded)")


def test_it_links_recommendations_to_the_cause_of_concern_they_answer(
    hmicfrs_liaison, organisations
):
    inspection = _inspection(hmicfrs_liaison, organisations)
    cause = _finding(inspection, hmicfrs_liaison, kind=Finding.Kind.CAUSE_OF_CONCERN)
    answer = _finding(inspection, hmicfrs_liaison, reference="2", cause_of_concern=cause)
    assert list(cause.answering_recommendations.all()) == [answer]
    other = _inspection(hmicfrs_liaison, organisations, title="Another test inspection")
    with pytest.raises(ValidationError, match="cause of concern of this inspection"):
        _finding(other, hmicfrs_liaison, cause_of_concern=cause)


def test_it_reorders_findings_up_and_down(hmicfrs_liaison, organisations):
    inspection = _inspection(hmicfrs_liaison, organisations)
    first, second, third = (
        _finding(inspection, hmicfrs_liaison, reference=str(n)) for n in (1, 2, 3)
    )
    services.findings_reorder(inspection=inspection, by=hmicfrs_liaison, finding=third, move=-1)
    services.findings_reorder(inspection=inspection, by=hmicfrs_liaison, finding=first, move=-1)
    order = list(inspection.findings.order_by("position").values_list("reference", flat=True))
    assert order == ["1", "3", "2"]


def test_it_keeps_stated_counts_as_one_row_per_kind(hmicfrs_liaison, organisations):
    inspection = _inspection(
        hmicfrs_liaison,
        organisations,
        stated_counts={"recommendation": 6, "cause_of_concern": 1, "innovative_practice": 2},
    )
    assert inspection.stated_counts.count() == 3
    assert (inspection.stated_recommendations, inspection.stated_causes_of_concern) == (6, 1)
    services.inspection_update(
        inspection=inspection, by=hmicfrs_liaison, stated_counts={"recommendation": 7}
    )
    inspection.refresh_from_db()
    assert inspection.stated_counts_by_kind() == {"recommendation": 7}


def test_it_keeps_a_published_inspections_publication_date(hmicfrs_liaison, organisations):
    inspection = _inspection(hmicfrs_liaison, organisations)
    _finding(inspection, hmicfrs_liaison)
    services.inspection_publish_to_trackers(inspection=inspection, by=hmicfrs_liaison)
    with pytest.raises(ValidationError, match="publication date cannot change"):
        services.inspection_update(
            inspection=inspection, by=hmicfrs_liaison, published_on=D(2026, 3, 5)
        )


# --- who may ---------------------------------------------------------------------------------


def test_it_lets_only_liaisons_enter_inspections(
    hmicfrs_liaison, dc_liaison, cambs_editor, board_member, dc_lead, organisations
):
    assert access.can_create_inspection(hmicfrs_liaison)
    assert access.can_create_inspection(dc_liaison)
    for outsider in (cambs_editor, board_member, dc_lead):
        assert not access.can_create_inspection(outsider)
        with pytest.raises(PermissionDenied):
            _inspection(outsider, organisations)


def test_it_lets_a_forces_liaison_edit_only_the_reports_about_their_force(
    hmicfrs_liaison, dc_liaison, cambs_editor, organisations
):
    devon = organisations["devon-and-cornwall"]
    with pytest.raises(PermissionDenied):
        _inspection(dc_liaison, organisations, scope=Inspection.Scope.FORCE)  # not about Devon
    own = _inspection(dc_liaison, organisations, type=Inspection.Type.PEEL, subjects=[devon])
    national = _inspection(hmicfrs_liaison, organisations)
    assert access.can_edit_inspection(dc_liaison, own)
    assert access.can_edit_inspection(hmicfrs_liaison, own)  # its inspectorate's
    assert not access.can_edit_inspection(dc_liaison, national)
    assert not access.can_edit_inspection(cambs_editor, own)
    with pytest.raises(PermissionDenied):
        _finding(national, dc_liaison)
    with pytest.raises(PermissionDenied):
        services.inspection_publish_to_trackers(inspection=own, by=cambs_editor)
    with pytest.raises(PermissionDenied):  # nor drop their force to escape the rule
        services.inspection_update(inspection=own, by=dc_liaison, subjects=[])


def test_it_lets_an_hmic_liaison_complete_the_2015_report_with_the_right_fan_out(hmic_liaison):
    """The 2015 report states 11 recommendations and one is recorded; entering the other
    ten (test data, not the report's words) completes it, each fanned out at once."""
    review = Inspection.objects.get(slug="hmic-2015-rocu-review")
    assert review.is_published_to_trackers
    items_before = TrackedItem.objects.filter(finding__inspection=review).count()
    for number in range(2, 12):
        finding = services.finding_create(
            inspection=review,
            by=hmic_liaison,
            kind=Finding.Kind.RECOMMENDATION,
            reference=str(number),
            summary=f"Test recommendation {number}: test data, not the report's words.",
            addressees_as_written="Test data: each ROCU region",
            audience=Finding.Audience.EACH_REGION,
            deadline_precision="none",
        )
        regions_2015 = recommendation_services.finding_responsible_organisations(finding)
        assert finding.tracked_items.count() == len(regions_2015) == 10
    assert review.findings.filter(kind=Finding.Kind.RECOMMENDATION).count() == 11
    assert TrackedItem.objects.filter(finding__inspection=review).count() == items_before + 100

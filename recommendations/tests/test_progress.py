"""Progress updates, sign-off, owners and target dates: the rules of issue 3."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations.access import SYSTEM
from organisations.services import membership_grant
from recommendations import services
from recommendations.models import Evidence, TargetDateRevision, TrackedItem

Status = TrackedItem.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def item(reference_data):
    """The 2015 force-level recommendation as it applies to Devon and Cornwall."""
    return TrackedItem.objects.get(
        organisation__slug="devon-and-cornwall", finding__audience="all_forces"
    )


def _evidence(name="plan.pdf", content=b"%PDF-1.4 plan"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _propose(item, user):
    return services.progress_update_add(
        item=item,
        by=user,
        expected_version=item.version,
        status=Status.PROPOSED_COMPLETE,
        narrative="Plan published on the force website.",
        evidence_files=[_evidence()],
    )


def test_it_appends_an_update_and_never_overwrites(item, dc_editor):
    services.progress_update_add(
        item=item,
        by=dc_editor,
        expected_version=1,
        status=Status.BEING_PROGRESSED,
        narrative="Drafting with the PCC and SWROCU.",
        percent_complete=20,
    )
    services.progress_update_add(
        item=item,
        by=dc_editor,
        expected_version=2,
        status=Status.BEING_PROGRESSED,
        narrative="Consulted the ROCU executive board.",
        percent_complete=60,
    )
    narratives = list(item.events.order_by("id").values_list("narrative", "percent_complete"))
    assert narratives[1:] == [
        ("Drafting with the PCC and SWROCU.", 20),
        ("Consulted the ROCU executive board.", 60),
    ]
    assert item.version == 3


def test_proposing_completion_needs_a_narrative_and_evidence(item, dc_editor):
    for narrative, files in [("", [_evidence()]), ("Done.", [])]:
        with pytest.raises(ValidationError):
            services.progress_update_add(
                item=item,
                by=dc_editor,
                expected_version=1,
                status=Status.PROPOSED_COMPLETE,
                narrative=narrative,
                evidence_files=files,
            )
    item.refresh_from_db()
    assert (item.status, item.version, item.events.count()) == (Status.AWAITING_REVIEW, 1, 1)
    assert not Evidence.objects.exists()


def test_a_lead_accepts_a_proposal_and_the_proposer_cannot(item, dc_editor, dc_lead):
    _propose(item, dc_lead)
    with pytest.raises(PermissionDenied):
        services.tracked_item_accept(item=item, by=dc_lead, expected_version=item.version)
    services.progress_update_add(
        item=item,
        by=dc_editor,
        expected_version=item.version,
        status=Status.PROPOSED_COMPLETE,
        narrative="Still proposed.",
    )
    other_lead = _second_lead(item, dc_lead)
    services.tracked_item_accept(item=item, by=other_lead, expected_version=item.version)
    item.refresh_from_db()
    # a recommendation: the inspectorate, not the force, discharges it (test_inspectorate.py)
    assert item.status == Status.AWAITING_INSPECTORATE


def _second_lead(item, dc_lead):
    lead = get_user_model().objects.create_user("second.lead")
    membership_grant(user=lead, organisation=item.organisation, role="lead", by=SYSTEM)
    return lead


def test_an_editor_cannot_sign_off(item, dc_editor):
    _propose(item, dc_editor)
    with pytest.raises(PermissionDenied):
        services.tracked_item_accept(item=item, by=dc_editor, expected_version=item.version)
    with pytest.raises(PermissionDenied):
        services.progress_update_add(
            item=item,
            by=dc_editor,
            expected_version=item.version,
            status=Status.COMPLETE,
            narrative="Done",
        )


def test_a_lead_returns_a_proposal_with_a_reason(item, dc_editor, dc_lead):
    _propose(item, dc_editor)
    with pytest.raises(ValidationError):
        services.tracked_item_return(
            item=item, by=dc_lead, expected_version=item.version, reason=" "
        )
    services.tracked_item_return(
        item=item, by=dc_lead, expected_version=item.version, reason="Needs the board's view."
    )
    item.refresh_from_db()
    assert item.status == Status.BEING_PROGRESSED
    assert item.events.first().narrative == "Needs the board's view."


def test_a_stale_save_is_refused_and_says_what_changed(item, dc_editor, dc_lead):
    seen = item.version
    services.progress_update_add(
        item=item,
        by=dc_lead,
        expected_version=seen,
        status=Status.BEING_PROGRESSED,
        narrative="Lead's update.",
    )
    with pytest.raises(services.StaleEditError) as refused:
        services.progress_update_add(
            item=item,
            by=dc_editor,
            expected_version=seen,
            status=Status.AWAITING_REVIEW,
            narrative="Editor's update.",
            evidence_files=[_evidence()],
        )
    assert [change.narrative for change in refused.value.changes] == ["Lead's update."]
    assert not item.events.filter(narrative="Editor's update.").exists()
    assert not Evidence.objects.exists()


def test_owners_come_from_the_organisation_and_changes_are_recorded(
    item, dc_editor, dc_lead, cambs_editor
):
    services.tracked_item_assign(item=item, owner=dc_editor, by=dc_lead, expected_version=1)
    with pytest.raises(ValidationError):
        services.tracked_item_assign(
            item=item, owner=cambs_editor, by=dc_lead, expected_version=item.version
        )
    services.tracked_item_assign(
        item=item, owner=dc_lead, by=dc_lead, expected_version=item.version
    )
    assert [
        event.narrative for event in item.events.filter(kind="owner_change").order_by("id")
    ] == [
        "Owner changed from nobody to alice.",
        "Owner changed from alice to bob.",
    ]


def test_a_target_date_revision_needs_a_reason_and_another_lead(item, dc_editor, dc_lead):
    new_date = datetime.date(2027, 3, 31)
    with pytest.raises(ValidationError):
        services.target_date_revision_request(
            item=item, by=dc_editor, proposed_date=new_date, reason=""
        )
    revision = services.target_date_revision_request(
        item=item, by=dc_editor, proposed_date=new_date, reason="Awaiting the regional review."
    )
    with pytest.raises(ValidationError):
        services.target_date_revision_request(
            item=item, by=dc_editor, proposed_date=new_date, reason="Again."
        )
    with pytest.raises(PermissionDenied):
        services.target_date_revision_decide(revision=revision, by=dc_editor, approve=True)
    services.target_date_revision_decide(revision=revision, by=dc_lead, approve=True)
    item.refresh_from_db()
    assert item.target_date == new_date
    assert item.finding.deadline == datetime.date(2016, 6, 30)  # never changed
    revision.refresh_from_db()
    assert revision.state == TargetDateRevision.State.APPROVED


def test_only_the_organisations_editors_update_it(item, cambs_editor, dc_pcc_staff, board_member):
    for user in (cambs_editor, dc_pcc_staff, board_member):
        with pytest.raises(PermissionDenied):
            services.progress_update_add(
                item=item,
                by=user,
                expected_version=1,
                status=Status.BEING_PROGRESSED,
                narrative="Not mine.",
            )
    assert item.events.count() == 1


def test_a_progress_update_reads_the_persons_roles_once(item, dc_lead):
    """The role lookup is memoised on the user object (organisations.access.roles_of): the
    checks of one update, however many, read the memberships once."""
    person = get_user_model().objects.get(pk=dc_lead.pk)  # a fresh object, as a request's
    with CaptureQueriesContext(connection) as queries:
        _propose(item, person)
    membership_reads = [q["sql"] for q in queries if '"organisations_membership"' in q["sql"]]
    assert len(membership_reads) == 1

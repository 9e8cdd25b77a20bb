import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from inspections import services as inspection_services
from organisations.access import SYSTEM
from rocu_tracker.versioning import StaleEditError
from section55 import services
from section55.models import (
    Agreement,
    Position,
    Section55Event,
    Section55Publication,
    Section55Response,
)

from .conftest import complete, recommendations_of

pytestmark = pytest.mark.django_db

Stage = Section55Response.Stage
Kind = Section55Event.Kind


def _kinds(response):
    return list(response.events.order_by("id").values_list("kind", flat=True))


def test_it_opens_one_response_and_records_it(response, inspection_2021, dc_pcc):
    again = services.section55_response_open(inspection=inspection_2021, body=dc_pcc, by=SYSTEM)
    assert again == response
    assert response.stage == Stage.NOT_STARTED
    assert _kinds(response) == [Kind.OPENED]


def test_only_a_local_policing_body_answers(inspection_2021, organisations):
    with pytest.raises(ValidationError, match="Only a local policing body"):
        services.section55_response_open(
            inspection=inspection_2021, body=organisations["devon-and-cornwall"], by=SYSTEM
        )


def test_it_records_every_step_as_a_dated_stage_change(response, dc_pcc_staff):
    complete(response, by=dc_pcc_staff)
    moves = list(
        response.events.exclude(to_stage="")
        .order_by("id")
        .values_list("kind", "occurred_on", "from_stage", "to_stage")
    )
    assert moves == [
        (
            Kind.CHIEF_OFFICER_INVITED,
            datetime.date(2021, 2, 11),
            Stage.NOT_STARTED,
            Stage.CHIEF_OFFICER_INVITED,
        ),
        (
            Kind.CHIEF_OFFICER_COMMENTS,
            datetime.date(2021, 3, 9),
            Stage.CHIEF_OFFICER_INVITED,
            Stage.CHIEF_OFFICER_COMMENTED,
        ),
        (
            Kind.OFFICE_COMMENTS,
            timezone.localdate(),
            Stage.CHIEF_OFFICER_COMMENTED,
            Stage.DRAFTING,
        ),
    ]
    assert set(response.events.values_list("actor", flat=True)) == {None, dc_pcc_staff.id}


def test_a_late_step_never_moves_the_stage_back(response):
    services.section55_office_comments_record(
        response=response, comments="Drafted early.", by=SYSTEM
    )
    services.section55_chief_officer_comments_record(
        response=response, comments="Late comments.", received_on=None, by=SYSTEM
    )
    assert response.stage == Stage.DRAFTING


def test_the_comments_cannot_be_due_before_the_invitation(response):
    with pytest.raises(ValidationError, match="cannot be due before"):
        services.section55_chief_officer_invite(
            response=response,
            invited_on=datetime.date(2021, 3, 1),
            comments_due_on=datetime.date(2021, 2, 1),
            by=SYSTEM,
        )


def test_it_marks_who_entered_the_chief_officers_comments(response, dc_editor):
    rec_1 = recommendations_of(response)[0]
    services.section55_chief_officer_comments_record(
        response=response,
        comments="My comments.",
        received_on=None,
        entered_by=Section55Response.EnteredBy.FORCE,
        views=[services.ChiefOfficerView(rec_1, Agreement.DISAGREES, "I do not agree.")],
        by=dc_editor,
    )
    response.refresh_from_db()
    assert response.chief_officer_comments_entered_by == Section55Response.EnteredBy.FORCE
    assert response.positions.get(finding=rec_1).chief_officer_agreement == Agreement.DISAGREES
    event = response.events.get(kind=Kind.CHIEF_OFFICER_COMMENTS)
    assert event.narrative == "Entered by the force. Disagrees with recommendation 1."


def test_comments_are_marked_not_received_only_after_the_date_set(response):
    with pytest.raises(ValidationError, match="Invite the chief officer"):
        services.section55_chief_officer_comments_not_received(response=response, by=SYSTEM)
    with time_machine.travel(datetime.date(2021, 2, 11)):
        services.section55_chief_officer_invite(
            response=response,
            invited_on=datetime.date(2021, 2, 11),
            comments_due_on=datetime.date(2021, 3, 10),
            by=SYSTEM,
        )
    with (
        time_machine.travel(datetime.date(2021, 3, 10)),
        pytest.raises(ValidationError, match="until 10 March 2021"),
    ):
        services.section55_chief_officer_comments_not_received(response=response, by=SYSTEM)
    with time_machine.travel(datetime.date(2021, 3, 11)):
        services.section55_chief_officer_comments_not_received(response=response, by=SYSTEM)
    assert response.chief_officer_comments_status == "not_received"
    assert response.stage == Stage.CHIEF_OFFICER_COMMENTED


def test_a_position_needs_an_explanation_and_a_recommendation_of_this_report(
    response, inspection_2015
):
    rec_1 = recommendations_of(response)[0]
    with pytest.raises(ValidationError, match="explain"):
        services.section55_position_set(
            response=response,
            finding=rec_1,
            position=Position.NO_ACTION,
            explanation=" ",
            by=SYSTEM,
        )
    with pytest.raises(ValidationError, match="not a recommendation of this report"):
        services.section55_position_set(
            response=response,
            finding=inspection_2015.findings.get(),
            position=Position.NO_ACTION,
            explanation="Why",
            by=SYSTEM,
        )
    cause_of_concern = response.inspection.findings.get(key="funding")
    with pytest.raises(ValidationError, match="not a recommendation of this report"):
        services.section55_position_set(
            response=response,
            finding=cause_of_concern,
            position=Position.NO_ACTION,
            explanation="Why",
            by=SYSTEM,
        )


def test_publishing_is_refused_with_the_list_of_what_is_missing(response):
    with pytest.raises(ValidationError) as refused:
        services.section55_response_publish(response=response, by=SYSTEM)
    assert refused.value.messages == [
        "The chief officer's comments are neither recorded nor marked as not received.",
        "The office's comments are not written.",
        "Recommendation 1 has no position.",
        "Recommendation [2] has no position.",
        "Recommendation [3] has no position.",
        "Recommendation [4] has no position.",
    ]
    assert not Section55Publication.objects.exists()
    assert response.stage == Stage.NOT_STARTED


def test_it_refuses_publication_while_one_recommendation_has_no_position(response):
    complete(response, positions=False)
    for finding in recommendations_of(response)[:-1]:
        services.section55_position_set(
            response=response,
            finding=finding,
            position=Position.ACTION_TAKEN,
            explanation="Done",
            by=SYSTEM,
        )
    with pytest.raises(ValidationError) as refused:
        services.section55_response_publish(response=response, by=SYSTEM)
    assert refused.value.messages == ["Recommendation [4] has no position."]


def test_publishing_freezes_a_copy_of_everything(response, dc_pcc_staff):
    complete(response)
    publication = services.section55_response_publish(
        response=response,
        acknowledged=True,
        published_on=datetime.date(2021, 4, 1),
        by=dc_pcc_staff,
    )
    response.refresh_from_db()
    assert response.stage == Stage.PUBLISHED
    assert publication.version == 1
    assert publication.office_comments == "I welcome this report."
    assert publication.chief_officer_comments == "I welcome the report."
    positions = list(publication.positions.values_list("label", "position", "explanation"))
    assert positions == [
        ("Recommendation 1", "no_action", "Explanation 1."),
        ("Recommendation [2]", "action_proposed", "Explanation 2."),
        ("Recommendation [3]", "action_proposed", "Explanation 3."),
        ("Recommendation [4]", "action_proposed", "Explanation 4."),
    ]
    assert publication.positions.get(order=1).chief_officer_agreement == Agreement.DISAGREES
    event = response.events.get(kind=Kind.PUBLISHED)
    assert (event.occurred_on, event.version, event.actor) == (
        datetime.date(2021, 4, 1),
        1,
        dc_pcc_staff,
    )

    rec_1 = recommendations_of(response)[0]
    for attempt in [
        lambda: services.section55_office_comments_record(
            response=response, comments="New", by=SYSTEM
        ),
        lambda: services.section55_position_set(
            response=response,
            finding=rec_1,
            position=Position.ACTION_TAKEN,
            explanation="New",
            by=SYSTEM,
        ),
        lambda: services.section55_chief_officer_comments_record(
            response=response, comments="New", received_on=None, by=SYSTEM
        ),
        lambda: services.section55_response_publish(response=response, by=SYSTEM),
    ]:
        with pytest.raises(ValidationError):
            attempt()


def test_a_correction_is_a_new_version_and_the_old_one_is_kept(response):
    complete(response)
    first = services.section55_response_publish(
        response=response, acknowledged=True, published_on=datetime.date(2021, 4, 1), by=SYSTEM
    )
    services.section55_correction_start(
        response=response, reason="Recommendation 1 misquoted.", by=SYSTEM
    )
    assert response.stage == Stage.CORRECTING
    rec_1 = recommendations_of(response)[0]
    services.section55_position_set(
        response=response,
        finding=rec_1,
        position=Position.NO_ACTION,
        explanation="Corrected.",
        by=SYSTEM,
    )
    with pytest.raises(ValidationError, match="cannot be published before it"):
        services.section55_response_publish(
            response=response, acknowledged=True, published_on=datetime.date(2021, 3, 31), by=SYSTEM
        )
    second = services.section55_response_publish(
        response=response, acknowledged=True, published_on=datetime.date(2021, 4, 20), by=SYSTEM
    )
    assert second.version == 2
    assert second.correction_note == "Recommendation 1 misquoted."
    assert second.positions.get(order=1).explanation == "Corrected."
    first.refresh_from_db()
    assert first.positions.get(order=1).explanation == "Explanation 1."
    assert response.publications.count() == 2


def test_a_correction_needs_a_published_response_and_a_reason(response):
    with pytest.raises(ValidationError, match="cannot move"):
        services.section55_correction_start(response=response, reason="Typo", by=SYSTEM)
    complete(response)
    services.section55_response_publish(response=response, acknowledged=True, by=SYSTEM)
    with pytest.raises(ValidationError, match="Say what"):
        services.section55_correction_start(response=response, reason="", by=SYSTEM)


def test_it_records_the_copies_sent_once_each(response):
    complete(response)
    services.section55_response_publish(
        response=response, published_on=datetime.date(2021, 4, 1), acknowledged=True, by=SYSTEM
    )
    with pytest.raises(ValidationError, match="before the response is published"):
        services.section55_copies_record(
            response=response, home_secretary_on=datetime.date(2021, 3, 31), by=SYSTEM
        )
    services.section55_copies_record(
        response=response, home_secretary_on=datetime.date(2021, 4, 2), by=SYSTEM
    )
    assert response.stage == Stage.PUBLISHED
    publication = services.section55_copies_record(
        response=response, inspectorate_on=datetime.date(2021, 4, 3), by=SYSTEM
    )
    assert response.stage == Stage.COPIES_SENT
    assert (publication.copy_to_home_secretary_on, publication.copy_to_inspectorate_on) == (
        datetime.date(2021, 4, 2),
        datetime.date(2021, 4, 3),
    )
    with pytest.raises(ValidationError, match="already recorded"):
        services.section55_copies_record(
            response=response, home_secretary_on=datetime.date(2021, 4, 4), by=SYSTEM
        )
    assert _kinds(response)[-2:] == [Kind.COPY_HOME_SECRETARY, Kind.COPY_INSPECTORATE]


def test_copies_wait_for_publication(response):
    with pytest.raises(ValidationError, match="once the response is published"):
        services.section55_copies_record(
            response=response, home_secretary_on=datetime.date(2021, 4, 2), by=SYSTEM
        )


def test_the_transition_table_allows_only_its_moves():
    for from_stage, allowed in services.TRANSITIONS.items():
        for to_stage in Stage.values:
            response = Section55Response(stage=from_stage)
            if to_stage in allowed:
                services._move(response, to_stage)
                assert response.stage == to_stage
            else:
                with pytest.raises(ValidationError):
                    services._move(response, to_stage)


# --- stale edits, partial responses --------------------------------------------------------


def test_it_refuses_a_stale_save_saying_what_changed_and_takes_the_next_one(response, dc_pcc_staff):
    seen = response.version
    services.section55_office_comments_record(
        response=response, comments="First office text.", expected_version=seen, by=dc_pcc_staff
    )
    with pytest.raises(StaleEditError) as refused:
        services.section55_office_comments_record(
            response=response, comments="Second office text.", expected_version=seen, by=SYSTEM
        )
    assert [change.kind for change in refused.value.changes] == [Kind.OFFICE_COMMENTS]
    assert refused.value.changes[0].actor == dc_pcc_staff
    response.refresh_from_db()
    assert response.office_comments == "First office text."
    assert refused.value.current_version == response.version == seen + 1

    services.section55_office_comments_record(
        response=response,
        comments="Second office text.",
        expected_version=refused.value.current_version,
        by=SYSTEM,
    )
    response.refresh_from_db()
    assert (response.office_comments, response.version) == ("Second office text.", seen + 2)


def test_it_never_reverts_the_chief_officers_comments_from_a_stale_copy(response, dc_editor):
    stale = Section55Response.objects.get(pk=response.pk)
    services.section55_chief_officer_comments_record(
        response=response,
        comments="The force's own comments.",
        received_on=None,
        entered_by=Section55Response.EnteredBy.FORCE,
        by=dc_editor,
    )
    services.section55_office_comments_record(
        response=stale, comments="The office's comments.", by=SYSTEM
    )
    response.refresh_from_db()
    assert response.chief_officer_comments == "The force's own comments."
    assert response.office_comments == "The office's comments."
    assert response.stage == Stage.DRAFTING


def test_it_publishes_a_partial_response_only_once_the_office_acknowledges_it(
    response, dc_pcc_staff
):
    complete(response)
    with pytest.raises(ValidationError) as refused:
        services.section55_response_publish(response=response, by=dc_pcc_staff)
    assert refused.value.messages == [
        "Read these warnings and tick the box to acknowledge them before publishing.",
        "The report makes 6 recommendations and only 4 are recorded here: the response will "
        "answer 4 of the report's 6, and will say so wherever it appears.",
        "The exact text of recommendation 1 is not recorded: the published response will say "
        "so instead of quoting it.",
    ]
    assert not Section55Publication.objects.exists()

    publication = services.section55_response_publish(
        response=response, acknowledged=True, by=dc_pcc_staff
    )
    narrative = response.events.get(kind=Kind.PUBLISHED).narrative
    assert narrative.startswith("Version 1. Acknowledged: The report makes 6 recommendations")
    assert "recommendation 1 is not recorded" in narrative
    first = publication.positions.get(order=1)
    assert (first.label, first.recommendation, first.recommendation_summary) == (
        "Recommendation 1",
        "",
        "",
    )
    assert publication.positions.get(order=2).recommendation.startswith("By February 2022")


def test_it_publishes_a_complete_response_without_an_acknowledgement(response):
    inspection = response.inspection
    inspection_services.inspection_stated_counts_set(
        inspection=inspection, counts={"recommendation": 4}, by=SYSTEM
    )
    inspection.findings.filter(reference="1").update(text="The words of recommendation 1.")
    complete(response)
    publication = services.section55_response_publish(response=response, by=SYSTEM)
    assert publication.version == 1
    assert response.events.get(kind=Kind.PUBLISHED).narrative == "Version 1."

import datetime

import pytest

from actionplans import services as actionplan_services
from inspections.models import Inspection
from organisations.access import SYSTEM
from recommendations import services as recommendation_services
from recommendations.models import TrackedItem
from recommendations.tests.factories import FindingFactory, InspectionFactory
from rocu_tracker import deadlines
from section55 import selectors, services
from section55.models import Position, Section55Coverage

from .conftest import complete

pytestmark = pytest.mark.django_db


def _inspection(organisations, **fields):
    return InspectionFactory(inspectorate=organisations["hmicfrs"], **fields)


def _concerned(body) -> set[str]:
    return set(selectors.inspections_concerning(body).values_list("slug", flat=True))


def test_a_national_report_concerns_every_office(organisations):
    """West Yorkshire's PCC, not yet the Mayor, answers the report of February 2021."""
    for slug in ["devon-and-cornwall-pcc", "cambridgeshire-pcc", "west-yorkshire-pcc"]:
        assert "hmicfrs-2021-rocu-inspection" in _concerned(organisations[slug])


def test_a_report_marked_otherwise_concerns_only_its_subjects(organisations):
    report = _inspection(organisations)  # thematic, national
    report.subjects.set([organisations["nersou"]])
    assert report.slug in _concerned(organisations["devon-and-cornwall-pcc"])
    Section55Coverage.objects.create(
        inspection=report, concerns=Section55Coverage.Concerns.SUBJECTS_ONLY
    )
    assert report.slug not in _concerned(organisations["devon-and-cornwall-pcc"])
    assert report.slug in _concerned(organisations["durham-pcc"])


def test_a_force_report_concerns_only_that_forces_office(organisations):
    report = _inspection(organisations, type=Inspection.Type.FORCE, scope=Inspection.Scope.FORCE)
    report.subjects.set([organisations["devon-and-cornwall"]])
    assert report.slug in _concerned(organisations["devon-and-cornwall-pcc"])
    assert report.slug not in _concerned(organisations["cambridgeshire-pcc"])


def test_a_regional_report_concerns_the_offices_of_the_regions_forces(organisations):
    report = _inspection(
        organisations, type=Inspection.Type.REGIONAL_SOC, scope=Inspection.Scope.REGIONAL
    )
    report.subjects.set([organisations["swrocu"]])
    assert report.slug in _concerned(organisations["devon-and-cornwall-pcc"])
    assert report.slug in _concerned(organisations["dorset-pcc"])
    assert report.slug not in _concerned(organisations["cambridgeshire-pcc"])


def test_the_office_that_oversaw_the_force_on_publication_day_answers(organisations):
    """West Yorkshire's PCC became the Mayor on 1 May 2021."""
    before = _inspection(organisations, published_on=datetime.date(2021, 4, 30))
    after = _inspection(organisations, published_on=datetime.date(2021, 5, 1))
    assert before.slug in _concerned(organisations["west-yorkshire-pcc"])
    assert after.slug not in _concerned(organisations["west-yorkshire-pcc"])
    assert after.slug in _concerned(organisations["west-yorkshire-mayor"])
    assert before.slug not in _concerned(organisations["west-yorkshire-mayor"])


def test_the_list_puts_overdue_responses_first(organisations, dc_pcc, response):
    today = datetime.date(2021, 6, 1)
    due_soon = _inspection(organisations, published_on=datetime.date(2021, 4, 20))
    long_overdue = _inspection(organisations, published_on=datetime.date(2020, 1, 1))
    published = _inspection(organisations, published_on=datetime.date(2021, 1, 5))
    FindingFactory(inspection=published)
    done = services.section55_response_open(inspection=published, body=dc_pcc, by=SYSTEM)
    complete(done)
    services.section55_response_publish(
        response=done, published_on=datetime.date(2021, 2, 1), acknowledged=True, by=SYSTEM
    )

    rows = selectors.response_rows(dc_pcc, today=today)
    assert [row.inspection.slug for row in rows] == [
        long_overdue.slug,
        "hmicfrs-2021-rocu-inspection",  # last day 6 April 2021
        due_soon.slug,
        "hmic-2015-rocu-review",  # no statutory time limit
        published.slug,
    ]
    first, second, third, fourth, fifth = rows
    assert (first.is_overdue, first.rag, first.days_left) == (True, deadlines.Rag.RED, -462)
    assert (second.last_day, second.days_left, second.stage_label) == (
        datetime.date(2021, 4, 6),
        -56,
        "Not started",
    )
    assert (third.is_overdue, third.rag, third.days_left) == (False, deadlines.Rag.AMBER, 13)
    assert (fourth.last_day, fourth.rag) == (None, deadlines.Rag.GREEN)
    assert (fifth.latest.version, fifth.rag, fifth.days_left) == (1, deadlines.Rag.GREEN, None)


def test_the_list_reads_a_constant_number_of_queries(
    organisations, dc_pcc, django_assert_max_num_queries
):
    for _ in range(30):
        inspection = _inspection(organisations)
        services.section55_response_open(inspection=inspection, body=dc_pcc, by=SYSTEM)
    with django_assert_max_num_queries(6):
        rows = selectors.response_rows(dc_pcc, today=datetime.date(2021, 6, 1))
    assert len(rows) == 32


def test_positions_are_prefilled_from_the_forces_tracked_item_and_plan(
    organisations, inspection_2015, cambs_editor
):
    """The Cambridgeshire board paper: the force is progressing an action plan."""
    body = organisations["cambridgeshire-pcc"]
    finding = inspection_2015.findings.get()
    recommendation_services.finding_fan_out(finding=finding, by=SYSTEM)
    item = TrackedItem.objects.get(finding=finding, organisation__slug="cambridgeshire")
    recommendation_services.tracked_item_transition(
        item=item,
        to_status=TrackedItem.Status.BEING_PROGRESSED,
        narrative="An action plan will be progressed by the Constabulary.",
        occurred_on=datetime.date(2016, 2, 25),
        by=SYSTEM,
    )
    plan = actionplan_services.action_plan_create(
        organisation=item.organisation, inspection=inspection_2015, title="Plan", by=SYSTEM
    )
    actionplan_services.action_add(
        plan=plan,
        title="Develop the action plan with the PCC and ERSOU",
        owner_title="Head of the Central Intelligence Bureau",
        due_on=datetime.date(2016, 6, 30),
        serves=[item],
        by=SYSTEM,
    )
    [row] = selectors.recommendation_rows(inspection=inspection_2015, body=body, response=None)
    assert row.prefill.position == Position.ACTION_PROPOSED
    assert row.prefill.explanation == (
        "An action plan will be progressed by the Constabulary.\n\n"
        "Actions in Cambridgeshire's action plan:\n"
        "- Develop the action plan with the PCC and ERSOU (Head of the Central Intelligence "
        "Bureau; due 30 June 2016; not started)"
    )
    assert row.prefill.source == (
        "Cambridgeshire's tracked item (being progressed, last updated 25 February 2016) "
        "and 1 action"
    )


def test_a_recommendation_to_each_region_is_prefilled_from_the_regions_item(
    organisations, inspection_2021, dc_pcc
):
    finding = inspection_2021.findings.get(key="sio-lro-systems")
    recommendation_services.finding_fan_out(finding=finding, by=SYSTEM)
    item = TrackedItem.objects.get(finding=finding, organisation__slug="swrocu")
    recommendation_services.tracked_item_transition(
        item=item,
        to_status=TrackedItem.Status.PROPOSED_COMPLETE,
        narrative="Systems are in place.",
        by=SYSTEM,
    )
    rows = selectors.recommendation_rows(inspection=inspection_2021, body=dc_pcc, response=None)
    prefill = {row.finding.key: row.prefill for row in rows}
    assert prefill["sio-lro-systems"].position == Position.ACTION_TAKEN
    assert prefill["sio-lro-systems"].explanation == "Systems are in place."
    assert prefill["recommendation-1"] is None

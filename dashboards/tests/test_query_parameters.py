"""Whatever the query string holds, the dashboards' pages answer with the form's error (or a
404 for another organisation's board paper), never a server error."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

BAD_IDS = ["²", "-1", "0", "abc", "1.5", "", "99999999999999999999999", str(2**63), "1e9"]


@pytest.fixture
def dates():
    today = timezone.localdate()
    return {
        "meeting_on": today.isoformat(),
        "next_meeting_on": (today + datetime.timedelta(days=91)).isoformat(),
    }


@pytest.mark.parametrize("organisation", BAD_IDS)
def test_it_answers_a_bad_organisation_on_the_board_paper_with_the_forms_error(
    client, board_member, dates, organisation
):
    client.force_login(board_member)
    query = {**dates, "organisation": organisation}
    response = client.get(reverse("dashboards:board_paper"), query)
    assert response.status_code == 400
    assert response.context["paper"] is None
    assert response.context["form"].errors["organisation"]
    pdf = client.get(reverse("dashboards:board_paper_pdf"), query)
    assert pdf.status_code == 302  # back to the page, which says what is wrong


def test_it_still_hides_another_organisations_board_paper(
    client, board_member, organisations, dates
):
    client.force_login(board_member)
    query = {**dates, "organisation": organisations["cambridgeshire"].id}
    assert client.get(reverse("dashboards:board_paper"), query).status_code == 404
    assert client.get(reverse("dashboards:board_paper_pdf"), query).status_code == 404
    own = {**dates, "organisation": organisations["devon-and-cornwall"].id}
    assert client.get(reverse("dashboards:board_paper"), own).status_code == 200


def test_it_answers_bad_dates_on_the_board_paper_with_the_forms_error(
    client, board_member, organisations
):
    client.force_login(board_member)
    query = {"organisation": organisations["devon-and-cornwall"].id}
    for meeting in ["²", "2026-02-30", "99999-01-01", "abc"]:
        response = client.get(
            reverse("dashboards:board_paper"),
            {**query, "meeting_on": meeting, "next_meeting_on": "2027-01-01"},
        )
        assert response.status_code == 400, meeting
        assert response.context["form"].errors["meeting_on"], meeting


@pytest.mark.parametrize(
    "name", ["organisation", "inspection", "region", "capability", "kind", "status", "due"]
)
def test_it_answers_a_bad_filter_on_the_lists_with_the_forms_error(client, board_member, name):
    client.force_login(board_member)
    for value in BAD_IDS:
        query = {name: value}
        assert client.get(reverse("dashboards:dashboard"), query).status_code == 200, value
        listing = client.get(reverse("dashboards:items"), query)
        assert listing.status_code == 200, value
        if value:
            assert listing.context["filterset"].errors[name], value
            for export in ("dashboards:export_csv", "dashboards:export_xlsx"):
                assert client.get(reverse(export), query).status_code == 400, (export, value)


def test_it_shows_a_page_of_the_list_for_any_page_number(client, board_member):
    client.force_login(board_member)
    for value in [*BAD_IDS, "last"]:
        response = client.get(reverse("dashboards:items"), {"page": value})
        assert response.status_code == 200, value
        assert response.context["page_obj"].number >= 1, value

"""Who reads a response's draft: the office's staff (and superusers) read all of it, the
force's editors and leads the chief officer's part on their own page; a board member of the
region sees the stage, the clock, the dates and the published versions, never the draft."""

import datetime

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from organisations.access import SYSTEM
from organisations.models import Membership
from organisations.services import membership_grant
from section55 import access, services

from .conftest import DETAIL_2021, PUBLIC_2021, complete, recommendations_of

pytestmark = pytest.mark.django_db

# What the draft made by conftest.complete() says, which a board member must never read.
DRAFT_TEXT = [
    "I welcome this report.",  # the office's comments
    "Explanation 3.",  # a position's explanation
    "I welcome the report.",  # the chief officer's comments, unpublished
    "Not needed.",  # the chief officer's note on recommendation 1
    "Disagrees with",  # the history's narrative of the chief officer's views
]
# What a board member gets on each private page of a response in draft: no letter exists yet.
DRAFT_STATUS = {
    "": 200,
    "chief-officer/": 403,
    "letter/": 404,
    "letter.pdf": 404,
    "board-paper/": 403,
    "board-paper.pdf": 403,
}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def draft(response, dc_pcc_staff):
    return complete(response, by=dc_pcc_staff)


def _publish(response, by):
    services.section55_response_publish(
        response=response, published_on=datetime.date(2021, 4, 1), acknowledged=True, by=by
    )
    response.refresh_from_db()
    return response


@pytest.fixture
def administrator(django_user_model, organisations):
    """An administrator at the inspectorate who is not a superuser: the national view."""
    user = django_user_model.objects.create_user(username="ivy", password="pw")
    membership_grant(
        user=user,
        organisation=organisations["hmicfrs"],
        role=Membership.Role.ADMINISTRATOR,
        by=SYSTEM,
    )
    return user


def test_it_lets_only_the_offices_staff_and_superusers_read_the_draft(
    draft, dc_pcc_staff, board_member, dc_lead, administrator, cambs_pcc_staff, django_user_model
):
    root = django_user_model.objects.create_user(username="root", is_superuser=True)
    assert access.can_read_draft(dc_pcc_staff, draft)
    assert access.can_read_draft(root, draft)
    for user in (board_member, dc_lead, administrator, cambs_pcc_staff):
        assert not access.can_read_draft(user, draft), user


def test_it_shows_a_board_member_the_row_with_its_stage_and_clock(draft, board_member):
    page = _client(board_member).get("/section55/", {"office": "devon-and-cornwall-pcc"})
    assertContains(page, "Regional Organised Crime Units: An inspection")
    assertContains(page, "Drafting the response")
    assertContains(page, "6 April 2021")


def test_it_shows_a_board_member_the_stage_and_clock_but_no_draft_text(draft, board_member):
    page = _client(board_member).get(DETAIL_2021)
    assert page.status_code == 200
    for shown in ["Drafting the response", "6 April 2021", "Invited on 11 February 2021"]:
        assertContains(page, shown)
    assertContains(page, "Office&#x27;s comments saved")  # the history keeps its dates
    assertContains(page, 'id="draft-notice"', html=False)
    assertNotContains(page, "Board paper on this response")


def test_it_keeps_the_draft_text_off_every_page_a_board_member_reaches(draft, board_member):
    client = _client(board_member)
    pages = {"/section55/?office=devon-and-cornwall-pcc": 200}
    pages |= {DETAIL_2021 + suffix: status for suffix, status in DRAFT_STATUS.items()}
    for url, status in pages.items():
        page = client.get(url)
        assert page.status_code == status, url
        for text in DRAFT_TEXT:
            assert text not in page.content.decode(errors="replace"), (url, text)
    for suffix in ["", "print/", "response.pdf", "response.json", "response.csv"]:
        assert client.get(PUBLIC_2021 + suffix).status_code == 404


@pytest.mark.parametrize("suffix", ["board-paper/", "board-paper.pdf", "chief-officer/"])
def test_it_answers_a_board_member_403_on_the_draft_only_pages(draft, board_member, suffix):
    page = _client(board_member).get(DETAIL_2021 + suffix)
    assert page.status_code == 403
    assertContains(page, 'id="draft-refusal"', status_code=403, html=False)
    assertContains(page, "draft", status_code=403)


def test_it_gives_an_administrator_who_is_not_a_superuser_no_draft(draft, administrator):
    client = _client(administrator)
    page = client.get(DETAIL_2021)
    assertContains(page, "Drafting the response")
    for text in DRAFT_TEXT:
        assertNotContains(page, text)
    assert client.get(DETAIL_2021 + "board-paper/").status_code == 403


def test_it_still_shows_the_office_staff_everything_and_lets_them_edit(draft, dc_pcc_staff):
    client = _client(dc_pcc_staff)
    page = client.get(DETAIL_2021)
    for text in DRAFT_TEXT:
        assertContains(page, text)
    assertContains(client.get(DETAIL_2021 + "board-paper/"), "Explanation 3.")
    draft.refresh_from_db()
    saved = client.post(
        DETAIL_2021 + "office-comments/", {"comments": "Revised.", "version": draft.version}
    )
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert draft.office_comments == "Revised."


def test_it_lets_a_superuser_read_the_draft(draft, django_user_model):
    root = django_user_model.objects.create_user(username="root", is_superuser=True)
    client = _client(root)
    assertContains(client.get(DETAIL_2021), "Explanation 3.")
    assertContains(client.get(DETAIL_2021 + "board-paper/"), "Explanation 3.")


def test_it_lets_the_forces_lead_read_the_chief_officers_views_and_record_comments(draft, dc_lead):
    client = _client(dc_lead)
    page = client.get(DETAIL_2021 + "chief-officer/")
    assertContains(page, "Not needed.")
    assertNotContains(page, "I welcome this report.")  # the office's own text stays its own
    rec_1, *others = recommendations_of(draft)
    draft.refresh_from_db()
    data = {"comments": "Revised by the force.", "received_on": "2021-03-09"}
    data |= {"version": draft.version, f"agreement_{rec_1.id}": "agrees"}
    data |= {f"agreement_{finding.id}": "agrees" for finding in others}
    assert client.post(DETAIL_2021 + "chief-officer/", data).status_code == 302
    draft.refresh_from_db()
    assert draft.chief_officer_comments == "Revised by the force."
    assert draft.chief_officer_comments_entered_by == "force"


def test_it_shows_a_board_member_the_published_version_once_published(
    draft, dc_pcc_staff, board_member
):
    _publish(draft, dc_pcc_staff)
    client = _client(board_member)
    page = client.get(DETAIL_2021)
    assertContains(page, "The published response: version 1")
    for text in ["I welcome this report.", "Explanation 3.", "I welcome the report."]:
        assertContains(page, text)
    assertNotContains(page, "Disagrees with")  # the history still without its narratives
    assertContains(client.get(DETAIL_2021 + "letter/"), "Dear Home Secretary")
    assertContains(client.get(DETAIL_2021 + "board-paper/"), "Explanation 3.")


def test_it_keeps_a_correction_in_draft_from_a_board_member(draft, dc_pcc_staff, board_member):
    _publish(draft, dc_pcc_staff)
    services.section55_correction_start(response=draft, reason="A typo.", by=dc_pcc_staff)
    services.section55_office_comments_record(
        response=draft, comments="The corrected comments.", by=dc_pcc_staff
    )
    client = _client(board_member)
    page = client.get(DETAIL_2021)
    assertContains(page, "I welcome this report.")  # version 1, as published
    assertNotContains(page, "The corrected comments.")
    assert client.get(DETAIL_2021 + "board-paper/").status_code == 403
    assertContains(client.get(DETAIL_2021 + "letter/"), "Dear Home Secretary")
    assertContains(_client(dc_pcc_staff).get(DETAIL_2021), "The corrected comments.")

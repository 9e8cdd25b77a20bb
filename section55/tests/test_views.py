"""The office's pages and the public ones, as each member of the cast meets them."""

import csv
import datetime
import io
import json
import re

import pytest
from django.test import Client
from pypdf import PdfReader
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from section55 import services
from section55.models import Section55Response

from .conftest import DETAIL_2021, PUBLIC_2021, complete, recommendations_of

pytestmark = pytest.mark.django_db

PRIVATE_GETS = ["", "chief-officer/", "letter/", "letter.pdf", "board-paper/", "board-paper.pdf"]
PRIVATE_POSTS = [
    "start/",
    "invite/",
    "not-received/",
    "office-comments/",
    "publish/",
    "copies/",
    "correction/",
]
PUBLIC_SUFFIXES = ["", "print/", "response.pdf", "response.json", "response.csv"]


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _pdf_text(content: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


@pytest.fixture
def published(response, dc_pcc_staff):
    complete(response, by=dc_pcc_staff)
    services.section55_response_publish(
        response=response, published_on=datetime.date(2021, 4, 1), by=dc_pcc_staff
    )
    return response


# --- who may do what -----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", PRIVATE_GETS)
def test_it_sends_an_anonymous_visitor_to_the_login_page(client, published, suffix):
    response = client.get(DETAIL_2021 + suffix)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("suffix", PRIVATE_GETS)
def test_another_office_gets_a_404_on_every_private_page(published, cambs_pcc_staff, suffix):
    assert _client(cambs_pcc_staff).get(DETAIL_2021 + suffix).status_code == 404


@pytest.mark.parametrize("suffix", PRIVATE_POSTS)
def test_another_office_gets_a_404_on_every_write(response, cambs_pcc_staff, suffix):
    assert _client(cambs_pcc_staff).post(DETAIL_2021 + suffix).status_code == 404
    rec_1 = recommendations_of(response)[0]
    position = _client(cambs_pcc_staff).post(f"{DETAIL_2021}positions/{rec_1.id}/")
    assert position.status_code == 404


def test_a_force_user_cannot_publish(response, dc_editor, dc_lead):
    complete(response)
    for user in (dc_editor, dc_lead):
        refused = _client(user).post(DETAIL_2021 + "publish/", {"published_on": "2021-04-01"})
        assert refused.status_code == 404
        assert _client(user).get(DETAIL_2021).status_code == 404
    response.refresh_from_db()
    assert response.stage == Section55Response.Stage.DRAFTING
    assert not response.publications.exists()


def test_the_force_enters_its_chief_officers_comments_in_its_own_view(response, dc_editor):
    services.section55_chief_officer_invite(
        response=response,
        invited_on=datetime.date(2021, 2, 11),
        comments_due_on=datetime.date(2021, 3, 10),
    )
    client = _client(dc_editor)
    assertContains(client.get("/section55/"), "Your chief officer's comments")
    page = client.get(DETAIL_2021 + "chief-officer/")
    assertContains(page, "asked for them by <strong>10 March 2021</strong>", html=False)
    assertNotContains(page, "on the chief officer's behalf")
    rec_1, *others = recommendations_of(response)
    data = {"comments": "I do not agree with recommendation 1.", "received_on": "2021-03-09"}
    data |= {f"agreement_{f.id}": "agrees" for f in others}
    data |= {f"agreement_{rec_1.id}": "disagrees", f"note_{rec_1.id}": "The NCA has powers."}
    assert client.post(DETAIL_2021 + "chief-officer/", data).status_code == 302
    response.refresh_from_db()
    assert response.chief_officer_comments_entered_by == Section55Response.EnteredBy.FORCE
    assert response.positions.get(finding=rec_1).chief_officer_note == "The NCA has powers."
    assert response.events.get(kind="chief_officer_comments").actor == dc_editor


def test_another_forces_editor_gets_a_404_on_the_chief_officers_page(response, cambs_editor):
    client = _client(cambs_editor)
    assert client.get(DETAIL_2021 + "chief-officer/").status_code == 404
    assert client.post(DETAIL_2021 + "chief-officer/", {"comments": "x"}).status_code == 404
    assertNotContains(client.get("/section55/"), "Your chief officer's comments")


def test_the_office_enters_them_on_the_chief_officers_behalf(response, dc_pcc_staff):
    client = _client(dc_pcc_staff)
    assertContains(client.get(DETAIL_2021 + "chief-officer/"), "on the chief officer's behalf")
    data = {"comments": "Comments sent by email.", "received_on": ""}
    data |= {f"agreement_{f.id}": "not_stated" for f in recommendations_of(response)}
    assertRedirects(
        client.post(DETAIL_2021 + "chief-officer/", data),
        DETAIL_2021,
        fetch_redirect_response=False,
    )
    response.refresh_from_db()
    assert response.chief_officer_comments_entered_by == Section55Response.EnteredBy.OFFICE


def test_a_board_member_reads_but_changes_nothing(published, board_member):
    client = _client(board_member)
    page = client.get(DETAIL_2021)
    assertContains(page, "Explanation 3.")
    assertNotContains(page, "Start a correction")
    assertNotContains(page, '<form method="post" action="/section55/', html=False)
    assert client.post(DETAIL_2021 + "correction/", {"reason": "x"}).status_code == 403
    assert client.get(DETAIL_2021 + "board-paper/").status_code == 200


def test_the_menu_offers_section_55_to_office_staff_and_force_editors(
    reference_data, dc_pcc_staff, dc_editor, board_member
):
    for user, shown in [(dc_pcc_staff, True), (dc_editor, True), (board_member, False)]:
        page = _client(user).get("/section55/")
        assert page.status_code == 200
        assert ('href="/section55/">Section 55</a>' in page.content.decode()) is shown, user


# --- the office's journey ------------------------------------------------------------------


def test_the_office_lists_its_reports_with_their_clocks(response, dc_pcc_staff):
    page = _client(dc_pcc_staff).get("/section55/").content.decode()
    assert "Devon and Cornwall Police and Crime Commissioner" in page
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", page.split("<tbody>")[1], flags=re.S)
    assert len(rows) == 2
    assert _text(rows[0]).startswith("Regional Organised Crime Units: An inspection")
    assert "6 April 2021" in _text(rows[0]) and "overdue" in _text(rows[0])
    assert "No statutory time limit" in _text(rows[1])


def test_the_office_starts_a_response_from_its_page(reference_data, dc_pcc_staff):
    client = _client(dc_pcc_staff)
    assertContains(client.get(DETAIL_2021), "Start the response")
    assertRedirects(client.post(DETAIL_2021 + "start/"), DETAIL_2021)
    assert Section55Response.objects.get().events.get().kind == "opened"


def test_publishing_is_refused_on_the_page_with_what_is_missing(response, dc_pcc_staff):
    complete(response, positions=False)
    page = _client(dc_pcc_staff).post(DETAIL_2021 + "publish/", {"published_on": "2021-04-01"})
    assert page.status_code == 400
    refusal = _text(re.search(r'id="publish-refusal">(.*?)</div>', page.content.decode(), re.S)[1])
    assert refusal == (
        "The response cannot be published yet Recommendation 1 has no position. "
        "Recommendation [2] has no position. Recommendation [3] has no position. "
        "Recommendation [4] has no position."
    )


def test_a_position_form_shows_the_prefill_until_the_office_saves_one(response, dc_pcc_staff):
    client = _client(dc_pcc_staff)
    rec_1 = recommendations_of(response)[0]
    saved = client.post(
        f"{DETAIL_2021}positions/{rec_1.id}/",
        {
            f"rec-{rec_1.id}-position": "no_action",
            f"rec-{rec_1.id}-explanation": "The NCA has the powers it needs.",
            f"rec-{rec_1.id}-agreement": "disagrees",
        },
    )
    assertRedirects(saved, DETAIL_2021)
    position = response.positions.get(finding=rec_1)
    assert (position.position, position.agreement) == ("no_action", "disagrees")
    invalid = client.post(f"{DETAIL_2021}positions/{rec_1.id}/", {})
    assert invalid.status_code == 400


# --- public pages --------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", PUBLIC_SUFFIXES)
def test_nothing_unpublished_is_public(response, client, suffix):
    complete(response)
    assert client.get(PUBLIC_2021 + suffix).status_code == 404
    assert client.get(PUBLIC_2021 + "v1/" + suffix).status_code == 404
    assertNotContains(client.get("/responses/"), "Devon and Cornwall")
    national = client.get("/responses/national.csv")
    assert b"".join(national.streaming_content).decode().count("\n") == 1


def test_an_anonymous_visitor_reads_the_published_response(published, client):
    page = client.get(PUBLIC_2021)
    assertContains(page, "I welcome the report.")
    assertContains(page, "I welcome this report.")
    assertContains(client.get("/responses/"), "Devon and Cornwall Police and Crime Commissioner")
    assertContains(client.get("/responses/devon-and-cornwall-pcc/"), "An inspection of the")


def test_json_csv_and_pdf_carry_the_same_positions_as_the_page(published, client):
    html = client.get(PUBLIC_2021).content.decode()
    tbody = html.split('id="positions"')[1].split("<tbody>")[1].split("</tbody>")[0]
    page_rows = [
        [_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", tbody, re.S)
    ]
    data = json.loads(client.get(PUBLIC_2021 + "response.json").content)
    csv_rows = list(
        csv.DictReader(io.StringIO(client.get(PUBLIC_2021 + "response.csv").content.decode()))
    )
    national = list(
        csv.DictReader(
            io.StringIO(b"".join(client.get("/responses/national.csv").streaming_content).decode())
        )
    )
    pdf = client.get(PUBLIC_2021 + "response.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    pdf_text = _pdf_text(pdf.content)

    assert len(page_rows) == len(data["positions"]) == len(csv_rows) == len(national) == 4
    for page_row, record, csv_row, national_row in zip(
        page_rows, data["positions"], csv_rows, national, strict=True
    ):
        assert page_row[0].startswith(record["recommendation"])
        assert page_row[1] == record["position_label"]
        assert page_row[2] == record["explanation"] == csv_row["explanation"]
        assert csv_row == national_row
        assert (csv_row["recommendation"], csv_row["position"]) == (
            record["recommendation"],
            record["position"],
        )
        assert record["recommendation"] in pdf_text
        assert record["explanation"] in pdf_text
        assert record["position_label"] in pdf_text
    assert data["chief_officer_comments"]["text"] == "I welcome the report."
    assert data["positions"][0]["chief_officer_agreement"] == "disagrees"
    assert "I welcome the report." in pdf_text


def test_a_correction_is_published_as_a_new_version_and_the_old_one_stays(
    published, dc_pcc_staff, client
):
    office = _client(dc_pcc_staff)
    assertRedirects(office.post(DETAIL_2021 + "correction/", {"reason": "A typo."}), DETAIL_2021)
    office.post(DETAIL_2021 + "office-comments/", {"comments": "I warmly welcome this report."})
    assertContains(client.get(PUBLIC_2021), "I welcome this report.")  # still version 1
    assertRedirects(
        office.post(DETAIL_2021 + "publish/", {"published_on": "2021-04-10"}), DETAIL_2021
    )
    assertContains(client.get(PUBLIC_2021), "I warmly welcome this report.")
    old = client.get(PUBLIC_2021 + "v1/")
    assertContains(old, "I welcome this report.")
    assertContains(old, "It was corrected by")
    assert json.loads(client.get(PUBLIC_2021 + "response.json").content)["versions"] == [2, 1]


def test_the_letter_and_the_board_paper_print_and_open_as_pdfs(published, dc_pcc_staff):
    client = _client(dc_pcc_staff)
    letter = _pdf_text(client.get(DETAIL_2021 + "letter.pdf").content)
    assert "Dear Home Secretary" in letter
    assert "section 55(6)" in letter
    assertContains(client.get(DETAIL_2021 + "letter/"), "http://testserver" + PUBLIC_2021)
    paper = _pdf_text(
        client.get(DETAIL_2021 + "board-paper.pdf", {"to": "Business Coordination Board"}).content
    )
    for heading in ["1. Purpose", "2. Recommendation", "3. Background", "4. Inspection findings"]:
        assert heading in paper
    assert "Business Coordination Board" in paper
    assert "The chief officer disagrees with it." in paper
    assert "Explanation 4." in paper


def test_the_letter_waits_for_publication(response, dc_pcc_staff):
    assert _client(dc_pcc_staff).get(DETAIL_2021 + "letter/").status_code == 404


def test_the_response_page_reads_a_constant_number_of_queries(
    published, dc_pcc_staff, django_assert_max_num_queries
):
    client = _client(dc_pcc_staff)
    client.get(DETAIL_2021)
    with django_assert_max_num_queries(40):
        assert client.get(DETAIL_2021).status_code == 200

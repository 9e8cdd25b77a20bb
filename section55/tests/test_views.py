"""The office's pages and the public ones, as each member of the cast meets them."""

import csv
import datetime
import io
import json
import re
from html import unescape

import pytest
from django.test import Client
from pypdf import PdfReader
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from inspections import services as inspection_services
from organisations.access import SYSTEM
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
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _pdf_text(content: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


@pytest.fixture
def published(response, dc_pcc_staff):
    complete(response, by=dc_pcc_staff)
    services.section55_response_publish(
        response=response,
        published_on=datetime.date(2021, 4, 1),
        acknowledged=True,
        by=dc_pcc_staff,
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
        by=SYSTEM,
    )
    client = _client(dc_editor)
    assertContains(client.get("/section55/"), "Your chief officer's comments")
    page = client.get(DETAIL_2021 + "chief-officer/")
    assertContains(page, "asked for them by <strong>10 March 2021</strong>", html=False)
    assertNotContains(page, "on the chief officer's behalf")
    rec_1, *others = recommendations_of(response)
    response.refresh_from_db()
    data = {
        "comments": "I do not agree with recommendation 1.",
        "received_on": "2021-03-09",
        "version": response.version,
    }
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
    data = {"comments": "Comments sent by email.", "received_on": "", "version": response.version}
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
            f"rec-{rec_1.id}-version": response.version,
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
    published.refresh_from_db()
    saved = office.post(
        DETAIL_2021 + "office-comments/",
        {"comments": "I warmly welcome this report.", "version": published.version},
    )
    assertRedirects(saved, DETAIL_2021)
    assertContains(client.get(PUBLIC_2021), "I welcome this report.")  # still version 1
    assertRedirects(
        office.post(DETAIL_2021 + "publish/", {"published_on": "2021-04-10", "acknowledged": "on"}),
        DETAIL_2021,
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


# --- what a partial response covers --------------------------------------------------------

COVERS = "This response covers 4 of the report's 6 recommendations; it does not answer the other 2."
NOT_RECORDED = "Exact text not yet recorded."


def _version(html: str, name: str = "version") -> int:
    return int(re.search(rf'name="{re.escape(name)}" value="(\d+)"', html)[1])


def test_it_asks_the_office_to_acknowledge_a_partial_response_before_publishing(
    response, dc_pcc_staff
):
    complete(response)
    client = _client(dc_pcc_staff)
    page = client.get(DETAIL_2021).content.decode()
    assert "Everything the law asks for is here" not in page
    warnings = _text(re.search(r'id="publish-warnings">(.*?)</div>', page, re.S)[1])
    assert "The report makes 6 recommendations and only 4 are recorded here" in warnings
    assert "I have read the warnings above" in page

    refused = client.post(DETAIL_2021 + "publish/", {"published_on": "2021-04-01"})
    assert refused.status_code == 400
    assertContains(refused, "tick the box to acknowledge them", status_code=400)
    assert not response.publications.exists()

    published = client.post(
        DETAIL_2021 + "publish/", {"published_on": "2021-04-01", "acknowledged": "on"}
    )
    assertRedirects(published, DETAIL_2021)
    assert "Acknowledged" in response.events.get(kind="published").narrative


def test_it_says_what_a_partial_response_covers_wherever_it_appears(
    published, dc_pcc_staff, client
):
    office = _client(dc_pcc_staff)
    assert COVERS in _text(office.get(DETAIL_2021).content.decode())
    letter = _text(office.get(DETAIL_2021 + "letter/").content.decode())
    assert COVERS in letter
    assert "each of the 4 recommendations" not in letter
    assert COVERS in _pdf_text(office.get(DETAIL_2021 + "letter.pdf").content)

    page = _text(client.get(PUBLIC_2021).content.decode())
    assert COVERS in page
    assert "(Exact text not yet recorded.)" not in page
    assert f"Recommendation 1 {NOT_RECORDED}" in page
    assert COVERS in _text(client.get(PUBLIC_2021 + "print/").content.decode())
    assert "4 of the report's 6" in _text(client.get("/responses/").content.decode())

    data = json.loads(client.get(PUBLIC_2021 + "response.json").content)
    assert data["coverage"] == {
        "recommendations_answered": 4,
        "recommendations_in_report": 6,
        "complete": False,
        "statement": COVERS,
    }
    assert data["positions"][0]["recommendation_text"] is None
    assert data["positions"][0]["recommendation_text_recorded"] is False
    for body in (
        client.get(PUBLIC_2021 + "response.csv").content,
        b"".join(client.get("/responses/national.csv").streaming_content),
    ):
        rows = list(csv.DictReader(io.StringIO(body.decode())))
        assert {row["coverage"] for row in rows} == {COVERS}
        assert {(r["recommendations_answered"], r["recommendations_in_report"]) for r in rows} == {
            ("4", "6")
        }
        assert (rows[0]["recommendation_text"], rows[0]["recommendation_text_recorded"]) == (
            "",
            "no",
        )


def test_it_shows_a_missing_recommendation_text_as_missing_on_the_office_pages(
    response, dc_pcc_staff
):
    client = _client(dc_pcc_staff)
    for url in (DETAIL_2021, DETAIL_2021 + "chief-officer/", DETAIL_2021 + "board-paper/"):
        page = client.get(url).content.decode()
        assert "(Exact text not yet recorded.)" not in page
        assert f'<p class="not-recorded"><em>{NOT_RECORDED}</em>' in page, url


# --- stale saves ---------------------------------------------------------------------------


def test_it_refuses_a_stale_office_comments_save_and_takes_the_second(
    response, dc_pcc_staff, django_user_model, organisations
):
    from organisations.models import Membership
    from organisations.services import membership_grant

    gail = django_user_model.objects.create_user(username="gail", password="pw")
    membership_grant(
        user=gail,
        organisation=organisations["devon-and-cornwall-pcc"],
        role=Membership.Role.PCC_STAFF,
        by=SYSTEM,
    )
    dana, gail = _client(dc_pcc_staff), _client(gail)
    seen = _version(dana.get(DETAIL_2021).content.decode())
    assert _version(gail.get(DETAIL_2021).content.decode()) == seen
    url = DETAIL_2021 + "office-comments/"
    assertRedirects(dana.post(url, {"comments": "Dana's text.", "version": seen}), DETAIL_2021)

    refused = gail.post(url, {"comments": "Gail's text.", "version": seen})
    assert refused.status_code == 400
    html = refused.content.decode()
    form = html.split('id="office-comments"')[1].split("</form>")[0]
    assert "Someone else saved this response after you opened it" in form
    assert "What changed since you opened the page" in form
    assert "Office's comments saved" in _text(form)
    assert "Gail's text." in _text(form)
    response.refresh_from_db()
    assert response.office_comments == "Dana's text."
    assert _version(form) == response.version != seen

    again = gail.post(url, {"comments": "Gail's text.", "version": _version(form)})
    assertRedirects(again, DETAIL_2021)
    response.refresh_from_db()
    assert response.office_comments == "Gail's text."


def test_an_office_save_cannot_revert_the_chief_officers_comments(
    response, dc_pcc_staff, dc_editor
):
    office, force = _client(dc_pcc_staff), _client(dc_editor)
    office_seen = _version(office.get(DETAIL_2021).content.decode())
    force_page = force.get(DETAIL_2021 + "chief-officer/").content.decode()
    data = {"comments": "The chief constable's words.", "received_on": "2021-03-09"}
    data |= {f"agreement_{f.id}": "agrees" for f in recommendations_of(response)}
    data["version"] = _version(force_page)
    assert force.post(DETAIL_2021 + "chief-officer/", data).status_code == 302

    refused = office.post(
        DETAIL_2021 + "office-comments/", {"comments": "Office text.", "version": office_seen}
    )
    assert refused.status_code == 400
    response.refresh_from_db()
    assert response.chief_officer_comments == "The chief constable's words."
    assert response.chief_officer_comments_entered_by == Section55Response.EnteredBy.FORCE


# --- formula-safe CSV ----------------------------------------------------------------------

FORMULAS = {
    "=": '=HYPERLINK("http://example.org","click")',
    "+": "+1+2",
    "-": "-3+4",
    "@": "@SUM(A1:A2)",
}


def test_it_makes_every_formula_inert_in_both_public_csvs(response, dc_editor, client):
    """Cells typed by the force (the chief officer's notes) and by the office (explanations)
    starting = + - @ reach both CSVs with a leading apostrophe, never raw."""
    findings = recommendations_of(response)
    services.section55_chief_officer_comments_record(
        response=response,
        comments="=1+1",
        received_on=None,
        entered_by=Section55Response.EnteredBy.FORCE,
        views=[
            services.ChiefOfficerView(finding, "agrees", formula)
            for finding, formula in zip(findings, FORMULAS.values(), strict=True)
        ],
        by=dc_editor,
    )
    services.section55_office_comments_record(response=response, comments="@office", by=SYSTEM)
    for finding, formula in zip(findings, FORMULAS.values(), strict=True):
        services.section55_position_set(
            response=response,
            finding=finding,
            position="action_taken",
            explanation=formula,
            by=SYSTEM,
        )
    services.section55_response_publish(response=response, acknowledged=True, by=SYSTEM)

    for body in (
        client.get(PUBLIC_2021 + "response.csv").content,
        b"".join(client.get("/responses/national.csv").streaming_content),
    ):
        rows = list(csv.reader(io.StringIO(body.decode())))
        cells = [cell for row in rows for cell in row]
        assert not [cell for cell in cells if cell.startswith(tuple(FORMULAS))]
        data = rows[1:]
        header = rows[0]
        explanations = [row[header.index("explanation")] for row in data]
        notes = [row[header.index("chief_officer_note")] for row in data]
        assert explanations == notes == ["'" + formula for formula in FORMULAS.values()]


def test_it_calls_a_response_complete_only_when_it_answers_every_recommendation(
    response, dc_pcc_staff, client
):
    inspection = response.inspection
    inspection_services.inspection_stated_counts_set(
        inspection=inspection, counts={"recommendation": 4}, by=SYSTEM
    )
    inspection.findings.filter(reference="1").update(text="The words of recommendation 1.")
    complete(response)
    office = _client(dc_pcc_staff)
    page = office.get(DETAIL_2021).content.decode()
    assert 'id="publish-warnings"' not in page
    assert "I have read the warnings above" not in page
    assertRedirects(
        office.post(DETAIL_2021 + "publish/", {"published_on": "2021-04-01"}), DETAIL_2021
    )
    letter = _text(office.get(DETAIL_2021 + "letter/").content.decode())
    assert "our response to each of the 4 recommendations it makes." in letter
    assert "does not answer" not in letter
    public = _text(client.get(PUBLIC_2021).content.decode())
    assert "This response covers all 4 recommendations the report makes." in public

"""The inspection pages as a user meets them: sign-in, what the reports' real data shows, and
a query count that does not grow with the data."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from recommendations.models import Capability, Finding, TrackedItem
from recommendations.tests.factories import (
    FindingFactory,
    InspectionFactory,
    InspectorateFactory,
    OrganisationFactory,
    TrackedItemFactory,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")
LIST_URL = "/inspections/"
LOGIN_URL = "/accounts/login/"
URL_2015 = "/inspections/hmic-2015-rocu-review/"
URL_2021 = "/inspections/hmicfrs-2021-rocu-inspection/"
TITLE_2015 = "Regional Organised Crime Units – A review of capability and effectiveness"
TITLE_2021 = (
    "Regional Organised Crime Units: An inspection of the effectiveness of the Regional "
    "Organised Crime Units"
)


def _at(year: int, month: int, day: int) -> datetime.datetime:
    """Midday in London on that day, for time_machine."""
    return datetime.datetime(year, month, day, 12, tzinfo=LONDON)


def _text(html: str) -> str:
    """Markup stripped and whitespace collapsed, for reading a fragment as words."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _definition(html: str, term: str) -> str:
    """The words of the <dd> that follows the <dt> holding exactly `term`."""
    match = re.search(
        rf"<dt[^>]*>\s*{re.escape(term)}\s*</dt>\s*<dd[^>]*>(.*?)</dd>", html, flags=re.S
    )
    assert match, f"no <dt>{term}</dt> on the page"
    return _text(match.group(1))


def _article(html: str, key: str) -> str:
    """The markup of the finding card with id finding-<key>."""
    match = re.search(rf'<article[^>]*id="finding-{re.escape(key)}".*?</article>', html, re.S)
    assert match, f"no finding card for {key}"
    return match.group(0)


def _body_rows(html: str) -> list[str]:
    tbody = re.search(r"<tbody>(.*?)</tbody>", html, flags=re.S)
    assert tbody, "no table body on the page"
    return re.findall(r"<tr>(.*?)</tr>", tbody.group(1), flags=re.S)


def _get(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- signing in -------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST_URL, URL_2021, "/inspections/no-such-report/"])
def test_it_sends_an_anonymous_visitor_to_the_login_page(client, reference_data, url):
    response = client.get(url)

    assertRedirects(response, f"{LOGIN_URL}?next={url}")


def test_it_gives_404_for_an_unknown_inspection(client, board_member):
    client.force_login(board_member)

    response = client.get("/inspections/no-such-report/")

    assert response.status_code == 404


def test_it_signs_in_through_the_real_login_form(board_member):
    client = Client(enforce_csrf_checks=True)
    form = _get(client, LOGIN_URL)
    assert 'name="username"' in form
    assert 'name="password"' in form
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)

    response = client.post(
        LOGIN_URL,
        {"username": "erin", "password": "pw", "csrfmiddlewaretoken": token},
        follow=True,
    )

    assert response.redirect_chain[-1] == (LIST_URL, 302)
    assert response.status_code == 200
    assert response.wsgi_request.user == board_member
    assertContains(
        response, 'Signed in as </span><span class="navbar-account-name" title="erin">erin'
    )
    assertContains(response, TITLE_2021)


def test_it_signs_in_to_the_page_asked_for(client, board_member):
    response = client.post(
        LOGIN_URL, {"username": "erin", "password": "pw", "next": URL_2021}, follow=True
    )

    assert response.redirect_chain == [(URL_2021, 302)]
    assertContains(response, "6 April 2021")


def test_it_refuses_a_wrong_password(client, board_member):
    response = client.post(LOGIN_URL, {"username": "erin", "password": "not-pw"})

    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assertRedirects(client.get(LIST_URL), f"{LOGIN_URL}?next={LIST_URL}")


def test_it_signs_out_only_on_post_and_ends_the_session(client, board_member):
    client.force_login(board_member)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get(LIST_URL).status_code == 200

    response = client.post("/accounts/logout/")

    assertRedirects(response, LOGIN_URL)
    assert "_auth_user_id" not in client.session
    assertRedirects(client.get(LIST_URL), f"{LOGIN_URL}?next={LIST_URL}")


# --- the real reports -------------------------------------------------------------------


def test_it_shows_the_2021_inspection_as_recorded(client, board_member):
    client.force_login(board_member)

    html = _get(client, URL_2021)

    assert _definition(html, "Published").startswith("10 February 2021 ")
    assert _definition(html, "Section 55 last day").startswith("6 April 2021 (56 days")
    recorded = _definition(html, "Findings recorded")
    assert "4 of 6 recommendations recorded, 3 with full text" in recorded
    assert "1 of 1 cause of concern recorded" in recorded
    recommendation_1 = _text(_article(html, "recommendation-1"))
    assert recommendation_1.startswith("Recommendation 1 No deadline recorded")
    assert "Exact text not yet recorded." in recommendation_1
    assert "Not tracked: who must answer it is not yet recorded." in recommendation_1
    for key in ("sio-lro-systems", "chief-officer-for-each-rocu", "funding-model"):
        card = _article(html, key)
        assert '<span class="badge text-bg-light border ms-2">By February 2022</span>' in card
        assert "Exact text not yet recorded" not in card


def test_it_shows_the_2015_review_with_its_roll_up(client, board_member):
    with time_machine.travel(_at(2026, 11, 22), tick=False):
        client.force_login(board_member)
        response = client.get(URL_2015)

    html = response.content.decode()
    assert _definition(html, "Published").startswith("1 December 2015")
    assert _definition(html, "Section 55 last day").startswith("No statutory time limit")
    assert _definition(html, "Findings recorded").startswith("1 of 11 recommendations recorded ")
    card = _article(html, "force-action-plan")
    assert '<span class="badge text-bg-light border ms-2">30 June 2016</span>' in card
    assert "Progress across 43 responsible organisations" in _text(card)
    assertContains(
        response, '<tr><td>Awaiting review</td><td class="text-end">43</td></tr>', html=True
    )
    assertContains(
        response,
        '<tr class="table-danger"><td>Overdue (open past its deadline)</td>'
        '<td class="text-end">43</td></tr>',
        html=True,
    )
    assert len(re.findall(r"<tr[^>]*>\s*<td>", card)) == 2  # no other status has items


@pytest.mark.parametrize(("day", "overdue"), [((2016, 6, 30), 0), ((2016, 7, 1), 43)])
def test_it_counts_overdue_from_the_day_after_the_deadline(client, board_member, day, overdue):
    with time_machine.travel(_at(*day), tick=False):
        client.force_login(board_member)
        html = _get(client, URL_2015)

    assert re.search(
        rf"Overdue \(open past its deadline\)</td>\s*<td[^>]*>{overdue}</td>",
        _article(html, "force-action-plan"),
    )


def test_it_counts_overdue_items_by_their_own_target_date(client, board_member):
    """Within one finding, an organisation's target date replaces the inspectorate's deadline,
    and closed items are never overdue."""
    finding = FindingFactory(deadline=datetime.date(2026, 12, 31), deadline_precision="day")
    Status = TrackedItem.Status
    for target_date, status in [
        (datetime.date(2026, 1, 31), Status.AWAITING_REVIEW),  # overdue
        (datetime.date(2026, 6, 30), Status.BEING_PROGRESSED),  # overdue, another date
        (datetime.date(2026, 3, 31), Status.COMPLETE),  # closed
        (None, Status.AWAITING_REVIEW),  # the finding's deadline is still ahead
        (datetime.date(2027, 1, 31), Status.AWAITING_REVIEW),  # revised later: not yet due
    ]:
        TrackedItemFactory(finding=finding, target_date=target_date, status=status)

    with time_machine.travel(_at(2026, 11, 22), tick=False):
        client.force_login(board_member)
        html = _get(client, finding.inspection.get_absolute_url())

    card = _text(_article(html, finding.key))
    assert "Progress across 5 responsible organisations" in card
    assert "Awaiting review 3 Being progressed 1 Complete 1" in card
    assert "Overdue (open past its deadline) 2" in card


def test_it_escapes_what_users_entered(client, board_member):
    script = "<script>alert(1)</script>"
    inspection = InspectionFactory(title=f"Title {script}", publication_note=script)
    FindingFactory(inspection=inspection, text=script, addressees_as_written=script)
    client.force_login(board_member)

    response = client.get(inspection.get_absolute_url())

    assertNotContains(response, script)
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;", count=5)


def test_it_lists_both_inspections_newest_first(client, board_member):
    client.force_login(board_member)

    html = _get(client, LIST_URL)

    rows = _body_rows(html)
    assert len(rows) == 2
    assert TITLE_2021 in rows[0] and TITLE_2015 in rows[1]
    assert f'href="{URL_2021}"' in rows[0] and f'href="{URL_2015}"' in rows[1]
    newer, older = _text(rows[0]), _text(rows[1])
    assert "HMICFRS 10 February 2021 6 April 2021 (56 days" in newer
    assert "4 of 6 recommendations recorded, 3 with full text" in newer
    assert "HMIC 1 December 2015 No statutory time limit" in older
    assert "1 of 11 recommendations recorded" in older


def test_it_has_a_skip_link_to_the_main_landmark(client, board_member):
    client.force_login(board_member)

    for url in (LIST_URL, URL_2021, LOGIN_URL):
        html = (client if url != LOGIN_URL else Client()).get(url).content.decode()
        skip = re.search(r'<a [^>]*href="#main"[^>]*>([^<]+)</a>', html)
        assert skip and skip.group(1) == "Skip to main content"
        assert html.index('href="#main"') < html.index("<header>")
        assert len(re.findall(r"<main\b[^>]*\bid=\"main\"", html)) == 1
        assert html.count("<main") == 1


# --- query budgets ----------------------------------------------------------------------


@pytest.fixture
def reader(empty_database, django_user_model):
    """A signed-in user with no reference data: the budgets count only what we build."""
    return django_user_model.objects.create_user(username="reader", password="pw")


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _grow(inspection) -> None:
    """From one finding with one tracked item to 50 findings with three each: a cause of
    concern, recommendations answering it, some with capabilities and named addressees, the
    items in every status and some with their own target dates."""
    organisations = [OrganisationFactory() for _ in range(3)]
    capabilities = [
        Capability.objects.create(slug=f"capability-{n}", name=f"Capability {n}") for n in range(3)
    ]
    first = inspection.findings.get()
    first.tracked_items.all().delete()
    cause = FindingFactory(
        inspection=inspection,
        kind=Finding.Kind.CAUSE_OF_CONCERN,
        deadline=None,
        deadline_precision="none",
        summary="Funding is not sustainable",
    )
    findings = [first, cause]
    for n in range(48):
        finding = FindingFactory(
            inspection=inspection,
            cause_of_concern=cause if n % 3 == 0 else None,
            text="" if n % 5 == 0 else f"Recommendation {n}",
            deadline=datetime.date(2020 + n % 10, 1 + n % 12, 1),
            deadline_precision="day",
        )
        if n % 2:
            finding.capabilities.set(capabilities[: 1 + n % 3])
            finding.addressees.set(organisations[: 1 + n % 3])
        findings.append(finding)
    statuses = list(TrackedItem.Status)
    for n, finding in enumerate(findings):
        for m, organisation in enumerate(organisations):
            TrackedItemFactory(
                finding=finding,
                organisation=organisation,
                status=statuses[(n + m) % len(statuses)],
                target_date=datetime.date(2025, 1 + n % 12, 1) if m else None,
            )
    assert inspection.findings.count() == 50
    assert TrackedItem.objects.filter(finding__inspection=inspection).count() == 150


@pytest.mark.parametrize("page", ["detail", "list"])
def test_it_runs_as_many_queries_for_50_findings_as_for_1(client, reader, page):
    inspection = TrackedItemFactory().finding.inspection
    url = inspection.get_absolute_url() if page == "detail" else LIST_URL
    client.force_login(reader)
    client.get(url)  # warm any per-process caches, so only the page's own queries differ
    small = _count_queries(client, url)

    _grow(inspection)
    other_inspectorate = InspectorateFactory(slug="hmic", short_name="HMIC", name="HMIC")
    for _ in range(3):
        TrackedItemFactory(finding__inspection__inspectorate=other_inspectorate)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    if page == "detail":
        assert html.count("<article") == 50
        assert html.count("Progress across 3 responsible organisations") == 50
        assert "Capabilities" in html and "Answers" in html
    else:
        assert len(_body_rows(html)) == 4
    assert len(queries) == small, "\n".join(query["sql"] for query in queries)

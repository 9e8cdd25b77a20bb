"""The public progress tracker: an organisation opts in per inspection, its editors write
public updates, and anyone reads the opted-in items as HTML, JSON and CSV under /public/."""

import csv
import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards.tests.helpers import make_items
from inspections.models import Inspection
from organisations.access import SYSTEM
from public_progress import services
from public_progress.models import ProgressPublication, PublicUpdate
from recommendations import services as item_services
from recommendations.models import TrackedItem
from recommendations.tests.factories import InspectionFactory, TrackedItemFactory
from section55 import services as section55_services
from section55.tests.conftest import complete

pytestmark = pytest.mark.django_db

DEVON = "devon-and-cornwall"
FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def devon(organisations):
    return organisations[DEVON]


@pytest.fixture
def report(today):
    return InspectionFactory(slug="a-public-report", title="A public report", published_on=today)


@pytest.fixture
def other_report(today):
    return InspectionFactory(slug="a-private-report", title="A report kept private")


@pytest.fixture
def items(devon, report, today):
    return make_items(3, organisation=devon, today=today, inspection=report, text="Public words")


def _urls(organisation=DEVON, inspection="a-public-report"):
    args = [organisation, inspection]
    return [
        reverse(f"public_progress:{name}", args=args)
        for name in ("progress", "progress_json", "progress_csv")
    ]


def _publish(devon, inspection, by=SYSTEM, published=True):
    return services.progress_publication_set(
        organisation=devon, inspection=inspection, published=published, by=by
    )


def _csv(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_anonymous_visitors_read_only_opted_in_inspections(
    client, devon, report, other_report, items, today, organisations
):
    make_items(2, organisation=devon, today=today, inspection=other_report, text="Kept back")
    make_items(
        2,
        organisation=organisations["cambridgeshire"],
        today=today,
        inspection=report,
        text="Another force's",
    )
    for url in _urls():
        assert client.get(url).status_code == 404
    _publish(devon, report)

    index = client.get(reverse("public_progress:index")).content.decode()
    assert "A public report" in index
    assert "A report kept private" not in index
    page, as_json, as_csv = (client.get(url) for url in _urls())
    assert page.status_code == as_json.status_code == as_csv.status_code == 200
    html = page.content.decode()
    assert html.count("Public words") == 3
    assert "Kept back" not in html and "Another force's" not in html
    data = json.loads(as_json.content)
    assert [item["reference"] for item in data["items"]] == [
        f"{label} {number}"
        for label, number in zip(
            ["Recommendation", "Cause of concern", "Accelerated cause of concern"],
            [1, 2, 3],
            strict=True,
        )
    ]
    rows = _csv(as_csv)
    assert [row["finding_text"] for row in rows] == [item["finding_text"] for item in data["items"]]
    assert rows[0]["status"] == "Awaiting review" == data["items"][0]["status"]
    assert rows[0]["deadline"] == "" and data["items"][0]["deadline"] is None
    assert (
        rows[1]["deadline"] == data["items"][1]["deadline"] == items[1].finding.deadline.isoformat()
    )
    for url in _urls(inspection="a-private-report"):
        assert client.get(url).status_code == 404
    for url in _urls(organisation="cambridgeshire"):
        assert client.get(url).status_code == 404

    _publish(devon, report, published=False)
    for url in _urls():
        assert client.get(url).status_code == 404
    assert "A public report" not in client.get(reverse("public_progress:index")).content.decode()


def test_public_pages_can_be_cached_and_need_no_login(client, devon, report, items):
    _publish(devon, report)
    for url in [reverse("public_progress:index"), *_urls()]:
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")


def test_an_inspection_not_published_to_the_trackers_is_never_public(client, devon, today):
    draft = InspectionFactory(slug="a-draft-report", published_to_trackers_at=None)
    make_items(1, organisation=devon, today=today, inspection=draft)
    with pytest.raises(ValidationError):
        _publish(devon, draft)
    ProgressPublication.objects.create(
        organisation=devon, inspection=draft, is_published=True, changed_at=timezone.now()
    )
    for url in _urls(inspection="a-draft-report"):
        assert client.get(url).status_code == 404


def test_a_formula_written_by_an_editor_is_inert_in_the_csv(
    client, devon, report, items, dc_editor
):
    services.public_update_add(item=items[0], text=FORMULA, by=dc_editor)
    services.public_update_add(item=items[1], text="<script>alert(1)</script>", by=dc_editor)
    _publish(devon, report)
    page, as_json, as_csv = (client.get(url) for url in _urls())
    cells = [cell for row in csv.reader(io.StringIO(as_csv.content.decode())) for cell in row]
    assert "'" + FORMULA in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
    assert json.loads(as_json.content)["items"][0]["last_public_update"]["text"] == FORMULA
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_it_shows_the_latest_public_update_with_its_date_and_never_staff_or_drafts(
    client, devon, report, items, dc_editor, dc_lead
):
    dc_editor.first_name, dc_editor.last_name = "Alice", "Anderson"
    dc_editor.save()
    item = items[0]
    item_services.tracked_item_assign(item=item, owner=dc_editor, by=SYSTEM)
    item.refresh_from_db()
    item_services.progress_update_add(
        item=item,
        by=dc_editor,
        expected_version=item.version,
        status=TrackedItem.Status.BEING_PROGRESSED,
        narrative="An internal narrative about the budget.",
        evidence_files=[SimpleUploadedFile("secret-plan.pdf", b"%PDF-1.4", "application/pdf")],
    )
    earlier = timezone.now() - datetime.timedelta(days=10)
    services.public_update_add(item=item, text="The first public word.", by=dc_lead, now=earlier)
    services.public_update_add(item=item, text="The plan is agreed.", by=dc_editor)
    _publish(devon, report)

    bodies = [client.get(url).content.decode() for url in _urls()]
    for body in bodies:
        assert "The plan is agreed." in body
        assert "The first public word." not in body
        for secret in ("Alice", "Anderson", "alice", "bob", "internal narrative", "secret-plan"):
            assert secret not in body
    record = json.loads(bodies[1])["items"][0]
    assert record["status"] == "Being progressed"
    assert record["last_public_update"] == {
        "text": "The plan is agreed.",
        "date": timezone.localdate().isoformat(),
    }


def test_it_links_the_published_section55_response_and_never_a_draft(client, organisations, devon):
    inspection = Inspection.objects.get(slug="hmicfrs-2021-rocu-inspection")
    if not TrackedItem.objects.filter(organisation=devon, finding__inspection=inspection).exists():
        TrackedItemFactory(finding=inspection.findings.first(), organisation=devon)
    _publish(devon, inspection)
    response = section55_services.section55_response_open(
        inspection=inspection, body=organisations["devon-and-cornwall-pcc"], by=SYSTEM
    )
    complete(response)
    urls = _urls(inspection=inspection.slug)
    assert json.loads(client.get(urls[1]).content)["section55_response"] is None
    assert (
        f"/responses/devon-and-cornwall-pcc/{inspection.slug}"
        not in client.get(urls[0]).content.decode()
    )

    section55_services.section55_response_publish(response=response, acknowledged=True, by=SYSTEM)
    link = f"/responses/devon-and-cornwall-pcc/{inspection.slug}/v1/"
    assert f'href="http://testserver{link}"' in client.get(urls[0]).content.decode()
    assert json.loads(client.get(urls[1]).content)["section55_response"].endswith(link)
    assert _csv(client.get(urls[2]))[0]["section55_response"].endswith(link)


# --- who may do what -------------------------------------------------------------------------


def _manage(inspection="a-public-report"):
    return reverse("public_progress:manage_inspection", args=[DEVON, inspection])


def _publish_url(inspection="a-public-report"):
    return reverse("public_progress:publish", args=[DEVON, inspection])


def _update_url(item, inspection="a-public-report"):
    return reverse("public_progress:update_add", args=[DEVON, inspection, item.pk])


@pytest.mark.parametrize("role", ["dc_lead", "dc_org_admin"])
def test_the_lead_or_the_organisation_administrator_opts_in(client, request, role, report, items):
    client.force_login(request.getfixturevalue(role))
    assert "Publish" in client.get(reverse("public_progress:manage", args=[DEVON])).content.decode()
    assert client.post(_publish_url(), {"publish": "yes"}).status_code == 302
    assert ProgressPublication.objects.get().is_published
    assert client.post(_publish_url(), {"publish": "no"}).status_code == 302
    assert not ProgressPublication.objects.get().is_published


@pytest.mark.parametrize(
    ("role", "status"),
    [("dc_editor", 403), ("cambs_editor", 404), ("dc_pcc_staff", 404), ("board_member", 404)],
)
def test_no_one_else_opts_in(client, request, role, status, report, items, devon):
    user = request.getfixturevalue(role)
    client.force_login(user)
    assert client.post(_publish_url(), {"publish": "yes"}).status_code == status
    with pytest.raises(PermissionDenied):
        _publish(devon, report, by=user)
    assert not ProgressPublication.objects.exists()


def test_a_visitor_is_sent_to_sign_in_for_the_staff_pages(client, report, items):
    for url in (reverse("public_progress:manage", args=[DEVON]), _manage()):
        assert client.get(url)["Location"].startswith("/accounts/login/")
    assert client.post(_publish_url(), {"publish": "yes"})["Location"].startswith(
        "/accounts/login/"
    )


@pytest.mark.parametrize("role", ["dc_editor", "dc_lead"])
def test_an_editor_or_lead_writes_a_public_update(client, request, role, report, items):
    user = request.getfixturevalue(role)
    client.force_login(user)
    item = items[0]
    saved = client.post(_update_url(item), {f"item-{item.pk}-text": "Work has begun."})
    assert saved.status_code == 302
    update = PublicUpdate.objects.get()
    assert (update.text, update.written_by, update.written_on) == (
        "Work has begun.",
        user,
        timezone.localdate(),
    )
    assert "Work has begun." in client.get(_manage()).content.decode()


def test_an_empty_update_is_refused_with_the_reason(client, dc_editor, report, items):
    client.force_login(dc_editor)
    item = items[0]
    refused = client.post(_update_url(item), {f"item-{item.pk}-text": ""})
    assert refused.status_code == 400
    assert "There is a problem" in refused.content.decode()
    too_long = "x" * 1001
    refused = client.post(_update_url(item), {f"item-{item.pk}-text": too_long})
    assert refused.status_code == 400
    assert too_long in refused.content.decode()
    assert not PublicUpdate.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"), [("dc_org_admin", 403), ("cambs_editor", 404), ("dc_pcc_staff", 404)]
)
def test_no_one_else_writes_public_updates(client, request, role, status, report, items):
    user = request.getfixturevalue(role)
    client.force_login(user)
    item = items[0]
    assert client.post(_update_url(item), {f"item-{item.pk}-text": "Hi"}).status_code == status
    with pytest.raises(PermissionDenied):
        services.public_update_add(item=item, text="Hi", by=user)
    assert not PublicUpdate.objects.exists()


# --- query budgets ---------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_its_queries_do_not_grow_with_the_items(client, dc_lead, devon, report, today):
    def pages():
        client.logout()
        public = [_queries(client, url) for url in [reverse("public_progress:index"), *_urls()]]
        client.force_login(dc_lead)
        manage = reverse("public_progress:manage", args=[DEVON])
        return public, _queries(client, manage), _queries(client, _manage())

    def add(count, start):
        new = make_items(count, organisation=devon, today=today, inspection=report)
        for item in new:
            services.public_update_add(item=item, text="An update", by=SYSTEM)
        for i in range(count):
            other = InspectionFactory(slug=f"another-report-{start + i}")
            make_items(1, organisation=devon, today=today, inspection=other)
            _publish(devon, other)

    add(1, 0)
    _publish(devon, report)
    few = pages()
    add(49, 1)
    assert TrackedItem.objects.filter(finding__inspection=report).count() == 50
    assert few == pages()

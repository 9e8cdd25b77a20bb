"""Reads: the item list is the dashboard's drill-down list (same filters, same query, same
count and order); keyset pages walk forwards and back without gaps; ETag and 304; rate
limits with Retry-After; a fixed number of queries whatever the page holds."""

from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actionplans import services as plan_services
from api.tests.conftest import bearer
from inspections.models import Inspection
from organisations.access import SYSTEM
from organisations.models import Organisation
from recommendations import services as item_services
from recommendations.models import TrackedItem
from rocu_tracker.tests import site_map

FILTERS = [
    "",
    "due=overdue",
    "state=open&kind=recommendation",
    "status=awaiting_review&rag=red",
    "deadline_after=2016-01-01&deadline_before=2022-12-31",
]


def _all_ids(api, query: str, size=200) -> list[int]:
    ids, url = [], f"/api/v1/items/?{query}&page_size={size}"
    while url:
        body = api.get(url).json()
        ids += [row["id"] for row in body["results"]]
        url = body["next"] and _local(body["next"])
    return ids


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _dashboard_ids(client, user, query: str) -> list[int]:
    client.force_login(user)
    response = client.get(f"/dashboards/items/?{query}")
    filterset = response.context["filterset"]
    return list(filterset.qs.in_deadline_order().values_list("id", flat=True))


@pytest.mark.parametrize("query", FILTERS)
@pytest.mark.parametrize("role", ["board_member", "dc_editor", "admin"])
def test_the_item_list_counts_what_the_dashboard_counts(
    query, role, request, client, personal_token, django_user_model, organisations
):
    if role == "admin":
        user = site_map.administrator(django_user_model, organisations)
    else:
        user = request.getfixturevalue(role)
    api_ids = _all_ids(bearer(personal_token(user)), query)
    client.force_login(user)
    page = client.get(f"/dashboards/items/?{query}").context["page_obj"]
    assert page.count is None or len(api_ids) == page.count
    assert api_ids[:50] == [item.pk for item in page.object_list]
    assert api_ids == _dashboard_ids(client, user, query)


def test_the_item_list_refuses_a_filter_it_cannot_read(dc_editor, personal_token):
    response = bearer(personal_token(dc_editor)).get("/api/v1/items/?due=tomorrow")
    assert response.status_code == 400 and "due" in response.json()


def test_pages_walk_forwards_and_back_without_gaps(
    django_user_model, organisations, personal_token
):
    api = bearer(personal_token(site_map.administrator(django_user_model, organisations)))
    everything = _all_ids(api, "", size=200)
    forwards, pages, url = [], [], "/api/v1/items/?page_size=15"
    while url:
        body = api.get(url).json()
        pages.append([row["id"] for row in body["results"]])
        forwards += pages[-1]
        last, url = body, body["next"] and _local(body["next"])
    assert forwards == everything and len(pages) > 2
    backwards, url = [], _local(last["previous"])
    while url:
        body = api.get(url).json()
        backwards = [row["id"] for row in body["results"]] + backwards
        url = body["previous"] and _local(body["previous"])
    assert backwards == everything[: -len(pages[-1])]


def test_it_answers_304_to_an_unchanged_read_and_200_after_a_change(dc_editor, personal_token):
    api = bearer(personal_token(dc_editor))
    first = api.get("/api/v1/items/")
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    unchanged = api.get("/api/v1/items/", HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged.content == b""
    item = TrackedItem.objects.get(pk=first.json()["results"][0]["id"])
    item_services.tracked_item_assign(item=item, owner=dc_editor, by=SYSTEM)
    changed = api.get("/api/v1/items/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_it_limits_each_token_and_says_when_to_retry(dc_editor, personal_token, settings):
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "token": "2/minute"}
    api, other = bearer(personal_token(dc_editor)), bearer(personal_token(dc_editor))
    assert [api.get("/api/v1/me/").status_code for _ in range(2)] == [200, 200]
    refused = api.get("/api/v1/me/")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert other.get("/api/v1/me/").status_code == 200  # each token counts on its own


def test_it_limits_anonymous_reads_by_address(db, client, settings):
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "anonymous": "1/minute"}
    assert client.get("/api/v1/section55/responses/", REMOTE_ADDR="192.0.2.1").status_code == 200
    assert client.get("/api/v1/section55/responses/", REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.get("/api/v1/section55/responses/", REMOTE_ADDR="192.0.2.2").status_code == 200


def test_published_responses_need_no_sign_in(client, dc_editor, dc_lead, dc_pcc_staff):
    site_map.world_build(dc_editor=dc_editor, dc_lead=dc_lead, dc_pcc_staff=dc_pcc_staff)
    listed = client.get("/api/v1/section55/responses/").json()["results"]
    assert [row["office"]["slug"] for row in listed] == ["devon-and-cornwall-pcc"]
    detail = client.get(f"/api/v1/section55/responses/{listed[0]['id']}/").json()
    assert detail["positions"] and detail["version"] == 1
    assert client.get("/api/v1/items/").status_code == 401


# --- query budgets: the same number of queries for a page of 1 row and a page of 50 -------


@pytest.fixture
def fifty_of_everything(dc_editor):
    """At least 50 plans, actions and events the administrator can read."""
    item = TrackedItem.objects.filter(organisation__slug="devon-and-cornwall").first()
    for _ in range(50):
        item_services.tracked_item_comment(item=item, narrative="A note.", by=SYSTEM)
    inspection = Inspection.objects.get(slug=site_map.INSPECTION_2015)
    for organisation in Organisation.objects.filter(kind=Organisation.Kind.FORCE)[:50]:
        plan = plan_services.action_plan_create(
            organisation=organisation, inspection=inspection, title="Plan", by=SYSTEM
        )
        items = TrackedItem.objects.filter(organisation=organisation)[:2]
        plan_services.action_add(plan=plan, title="Act", serves=list(items), by=SYSTEM)
        plan_services.action_add(plan=plan, title="Act again", serves=list(items), by=SYSTEM)
    return item


LISTS = [
    "/api/v1/items/",
    "/api/v1/items/?due=overdue&kind=recommendation",
    "/api/v1/organisations/",
    "/api/v1/inspections/",
    "/api/v1/findings/",
    "/api/v1/action-plans/",
    "/api/v1/actions/",
    "/api/v1/section55/responses/",
]


def _queries(api, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


def test_every_list_costs_the_same_queries_for_1_row_and_for_50(
    fifty_of_everything, django_user_model, organisations, personal_token
):
    admin = site_map.administrator(django_user_model, organisations)
    api = bearer(personal_token(admin))
    api.get("/api/v1/me/")  # the token's first use is recorded once; not part of a list
    for base in [*LISTS, f"/api/v1/items/{fifty_of_everything.pk}/events/"]:
        joiner = "&" if "?" in base else "?"
        one, rows_one = _queries(api, f"{base}{joiner}page_size=1")
        fifty, rows_fifty = _queries(api, f"{base}{joiner}page_size=50")
        assert rows_one <= 1
        assert one == fifty, f"{base}: {one} queries for 1 row, {fifty} for {rows_fifty}"
        assert fifty <= 12, f"{base}: {fifty} queries"

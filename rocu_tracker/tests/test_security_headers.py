"""Every URL of the product answers with the security headers: the Content Security Policy
(Django's SECURE_CSP), nosniff, a referrer policy and frame protection; every response to a
signed-in person, and the calendar feed, also with `Cache-Control: private, no-store`. The URLs
come from site_map.SITE_MAP, pages and downloads alike, each requested as someone who may see
it and signed out; POST-only actions are requested with a GET (their 405 carries the headers
too)."""

import pytest
from django.urls import reverse

from rocu_tracker.tests import site_map

NO_SUCH_PAGE = "/no-such-page/"


@pytest.fixture
def people(dc_editor, dc_lead, dc_pcc_staff, dc_org_admin, django_user_model, organisations):
    return {
        "dc_editor": dc_editor,
        "dc_org_admin": dc_org_admin,
        "dc_pcc_staff": dc_pcc_staff,
        "admin": site_map.administrator(django_user_model, organisations),
        "dc_lead": dc_lead,
    }


def _missing_headers(response) -> list[str]:
    csp = response.headers.get("Content-Security-Policy", "")
    missing = []
    if "default-src 'self'" not in csp or "script-src 'self'" not in csp:
        missing.append(f"Content-Security-Policy ({csp!r})")
    if "frame-ancestors 'none'" not in csp:
        missing.append("CSP frame-ancestors 'none'")
    if response.headers.get("X-Frame-Options") != "DENY":
        missing.append("X-Frame-Options: DENY")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        missing.append("X-Content-Type-Options: nosniff")
    if response.headers.get("Referrer-Policy") != "same-origin":
        missing.append("Referrer-Policy: same-origin")
    return missing


# Reached without a session but private all the same: its secret address is the only key.
PRIVATE_WITHOUT_SESSION = {"dashboards:calendar_feed"}


def _cacheable_by_others(response, name: str, *, signed_in: bool) -> str | None:
    """What a browser or proxy may keep of a private response: nothing."""
    if not (signed_in or name in PRIVATE_WITHOUT_SESSION):
        return None
    if not {"private", "no-store"} <= _directives(response):
        return f"Cache-Control: private, no-store ({response.headers.get('Cache-Control')!r})"
    return None


def _expected_statuses(entry: site_map.Entry, name: str, *, signed_in: bool) -> set[int]:
    if not signed_in and not entry.public:
        return {302, 405} if entry.kind == site_map.ACTION else {302}  # to the login page
    if entry.kind == site_map.ACTION:
        return {405}
    if name in {"home", "organisations:people_index"}:
        return {302}  # to My work, or to the one organisation the person administers
    if name in {"health", "health_ready"}:
        return {200}  # a broker the test has not started is "degraded", not a 503
    return {200}


def test_it_knows_every_url_name_of_the_product():
    assert site_map.missing_from_site_map() == []


def test_it_sends_the_security_headers_from_every_url(client, people):
    world = site_map.world_build(
        dc_editor=people["dc_editor"],
        dc_lead=people["dc_lead"],
        dc_pcc_staff=people["dc_pcc_staff"],
    )
    urls = site_map.urls(world)
    requests = [
        (viewer, name, entry, path)
        for name, entry, path in urls
        for viewer in ({entry.viewer, "anonymous"})
    ]
    requests.sort(key=lambda request: request[0])
    problems, checked, signed_in_as = [], 0, None
    for viewer, name, entry, path in requests:
        if viewer != signed_in_as:
            client.logout()
            if viewer != "anonymous":
                client.force_login(people[viewer])
            signed_in_as = viewer
        response = client.get(path)
        if response.streaming:  # read to the end, which closes it as the client expects
            b"".join(response.streaming_content)
        checked += 1
        expected = _expected_statuses(entry, name, signed_in=viewer != "anonymous")
        if response.status_code not in expected:
            problems.append(f"{name} {path} as {viewer}: {response.status_code}, not {expected}")
        if missing := _missing_headers(response):
            problems.append(f"{name} {path} as {viewer}: no {', '.join(missing)}")
        if cacheable := _cacheable_by_others(response, name, signed_in=viewer != "anonymous"):
            problems.append(f"{name} {path} as {viewer}: no {cacheable}")
    assert {name for _, name, _, _ in requests} == site_map.SITE_MAP.keys()
    assert checked == len(requests)
    assert not problems, "\n".join(problems)


def test_it_sends_them_from_the_admin_site_and_the_not_found_page_too(client, people):
    for signed_in in (False, True):
        if signed_in:
            client.force_login(people["admin"])
        for path in [*site_map.ADMIN_URLS, NO_SUCH_PAGE]:
            response = client.get(path)
            expected = {404} if path == NO_SUCH_PAGE else {200, 302}
            assert response.status_code in expected, path
            assert not _missing_headers(response), path


def test_it_lets_public_pages_be_cached_but_nothing_private(client, people):
    world = site_map.world_build(
        dc_editor=people["dc_editor"],
        dc_lead=people["dc_lead"],
        dc_pcc_staff=people["dc_pcc_staff"],
    )
    public = client.get(reverse("responses:detail", args=site_map._pcc_2021(world)))
    assert public.status_code == 200
    assert "no-store" not in public.headers.get("Cache-Control", "")
    feed = client.get(reverse("dashboards:calendar_feed", args=[world.calendar_token]))
    assert feed.status_code == 200
    assert {"private", "no-store"} <= _directives(feed)

    client.force_login(people["dc_editor"])
    for path in [
        reverse("recommendations:item", args=[world.item]),
        reverse("recommendations:evidence", args=[world.evidence]),
        reverse("dashboards:export_csv"),
        reverse("dashboards:export_xlsx"),
        reverse("responses:detail", args=site_map._pcc_2021(world)),
    ]:
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
        assert response.status_code == 200, path
        assert {"private", "no-store"} <= _directives(response), path
        assert "public" not in _directives(response), path


def _directives(response) -> set[str]:
    return {d.strip() for d in response.headers.get("Cache-Control", "").split(",")}

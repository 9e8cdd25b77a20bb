"""Every URL of the product answers with the security headers: the Content Security Policy
(Django's SECURE_CSP), nosniff, a referrer policy and frame protection. The URLs come from
site_map.SITE_MAP, pages and downloads alike, each requested as someone who may see it and
signed out; POST-only actions are requested with a GET (their 405 carries the headers too)."""

import pytest

from rocu_tracker.tests import site_map

NO_SUCH_PAGE = "/no-such-page/"


@pytest.fixture
def people(dc_editor, dc_lead, dc_pcc_staff, django_user_model, organisations):
    return {
        "dc_editor": dc_editor,
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


def _expected_statuses(entry: site_map.Entry, name: str, *, signed_in: bool) -> set[int]:
    if not signed_in and not entry.public:
        return {302, 405} if entry.kind == site_map.ACTION else {302}  # to the login page
    if entry.kind == site_map.ACTION:
        return {405}
    if name == "home":
        return {302}
    if name == "health":
        return {200, 503}  # 503 names a broker the test has not started
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

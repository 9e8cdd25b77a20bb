"""No query string makes a server error: every page of the site map (and the dashboards'
downloads), requested by someone who may see it with every query parameter the product reads
set to values that str.isdigit() or a careless int() gets wrong. Forms and paginators answer
them: the form's error, a 400, a 404 for what is not theirs, or the first or last page."""

from urllib.parse import urlencode

import pytest

from rocu_tracker.tests import site_map

pytestmark = pytest.mark.django_db

PARAMETERS = [
    "organisation",
    "inspection",
    "region",
    "capability",
    "kind",
    "status",
    "state",
    "rag",
    "due",
    "age",
    "deadline_after",
    "deadline_before",
    "meeting_on",
    "next_meeting_on",
    "office",
    "page",
    "actions_page",
]
JUNK = ["²", "-1", "99999999999999999999999", "abc\x00", "9999-99-99"]


@pytest.fixture
def people(dc_editor, dc_lead, dc_pcc_staff, dc_org_admin, django_user_model, organisations):
    return {
        "dc_editor": dc_editor,
        "dc_lead": dc_lead,
        "dc_org_admin": dc_org_admin,
        "dc_pcc_staff": dc_pcc_staff,
        # the viewer of the liaisons' pages (site_map)
        "admin": site_map.administrator(django_user_model, organisations),
    }


def _junk(path: str, value: str) -> str:
    separator = "&" if "?" in path else "?"
    return path + separator + urlencode({name: value for name in PARAMETERS})


def test_it_answers_junk_in_any_query_string_without_a_server_error(client, people):
    world = site_map.world_build(
        dc_editor=people["dc_editor"],
        dc_lead=people["dc_lead"],
        dc_pcc_staff=people["dc_pcc_staff"],
    )
    urls = [
        (name, entry, path)
        for name, entry, path in site_map.urls(world, kinds=(site_map.PAGE, site_map.DOWNLOAD))
        if entry.kind == site_map.PAGE or name.startswith("dashboards:")
    ]
    urls.sort(key=lambda url: url[1].viewer)
    signed_in_as, problems = None, []
    for name, entry, path in urls:
        if entry.viewer != signed_in_as:
            client.logout()
            if entry.viewer != "anonymous":
                client.force_login(people[entry.viewer])
            signed_in_as = entry.viewer
        for value in JUNK:
            response = client.get(_junk(path, value))
            if response.streaming:
                b"".join(response.streaming_content)
            if response.status_code >= 500:
                problems.append(f"{name} {_junk(path, value)!r}: {response.status_code}")
    assert not problems, "\n".join(problems)

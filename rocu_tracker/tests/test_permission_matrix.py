"""Who may use every URL of the product: each URL of site_map.SITE_MAP is requested as every
role (pages and downloads with a GET, actions with an empty POST) and must be refused (403,
404, or the sign-in page for someone signed out) exactly for the roles the matrix does not
list. A URL in the site map but not in MATRIX fails, so a new URL cannot skip the question.

"Allowed" means the role reaches the view's own answer: a page, a download, a redirect after
a save, or a 400 for the empty form. Each request runs in a transaction that is rolled back,
so an action (a publication, a sign-out) does not change what the next request finds.

Run with ROCU_PRINT_MATRIX=1 to print what every role gets, to review a change of rules."""

import os

import pytest
from django.db import transaction
from django.urls import get_resolver, reverse

from organisations.models import Membership
from rocu_tracker.tests import site_map

from .site_map import ACTION

ANONYMOUS = "anonymous"
FORCE_ROLES = {"dc_editor", "dc_lead"}
SIGNED_IN = {
    "dc_editor",
    "dc_lead",
    "cambs_editor",
    "dc_pcc_staff",
    "board_member",
    "admin",
    "dc_org_admin",
    "liaison",
}
EVERYONE = SIGNED_IN | {ANONYMOUS}
ROLES = sorted(EVERYONE)

# Who may read what the force records: its own people, its PCC office, its region's board,
# its organisation administrator, and the national view (the superuser administrator).
READS_DEVON = FORCE_ROLES | {"dc_pcc_staff", "board_member", "admin", "dc_org_admin"}
OFFICE = {"dc_pcc_staff"}
# The office's pages are read by its own staff, the national view and the region's board.
READS_OFFICE = {"dc_pcc_staff", "admin", "board_member"}
# The chief officer's page: the office and the force's editors and leads.
CHIEF_OFFICER = {"dc_pcc_staff", "dc_editor", "dc_lead"}
LIAISONS = {"admin", "liaison"}

PEOPLE_ADMIN = {"dc_org_admin", "admin"}

# URL name: the roles allowed, or {text in the query string: the roles allowed} for a URL
# whose answer depends on what it asks for ("" for no query string).
MATRIX: dict[str, set[str] | dict[str, set[str]]] = {
    "home": SIGNED_IN,
    "accessibility": EVERYONE,
    "health": EVERYONE,
    "health_live": EVERYONE,
    "health_ready": EVERYONE,
    "login": EVERYONE,
    "logout": SIGNED_IN,  # signed out, it is the sign-in page
    "accounts:two_factor": SIGNED_IN,
    "accounts:two_factor_setup": SIGNED_IN,
    "accounts:two_factor_verify": SIGNED_IN,
    "accounts:two_factor_turn_off": SIGNED_IN,
    "password_change": SIGNED_IN,
    "password_change_done": SIGNED_IN,
    "password_reset": EVERYONE,
    "password_reset_done": EVERYONE,
    "password_reset_confirm": EVERYONE,
    "password_reset_complete": EVERYONE,
    "organisations:people_index": PEOPLE_ADMIN,
    "organisations:people": PEOPLE_ADMIN,
    "organisations:invite": PEOPLE_ADMIN,
    "organisations:invitation_revoke": PEOPLE_ADMIN,
    "organisations:claim_mapping_add": PEOPLE_ADMIN,
    "organisations:claim_mapping_remove": PEOPLE_ADMIN,
    "organisations:person": PEOPLE_ADMIN,
    "organisations:person_deactivate": PEOPLE_ADMIN,
    "organisations:person_reactivate": PEOPLE_ADMIN,
    # the link is the key; signed in as someone else, the page says it is not theirs
    "organisations:invitation_accept": {ANONYMOUS},
    # API tokens: everyone's own page; revoking Alice's token is hers alone (anyone else: 404)
    "api_tokens:personal": SIGNED_IN,
    "api_tokens:personal_revoke": {"dc_editor"},
    "api_tokens:service": PEOPLE_ADMIN,
    "api_tokens:service_revoke": PEOPLE_ADMIN,
    # webhooks: who manages the organisation's people manages its webhooks
    "webhooks:endpoints": PEOPLE_ADMIN,
    "webhooks:endpoint_add": PEOPLE_ADMIN,
    "webhooks:endpoint": PEOPLE_ADMIN,
    "webhooks:endpoint_edit": PEOPLE_ADMIN,
    "webhooks:endpoint_pause": PEOPLE_ADMIN,
    "webhooks:endpoint_resume": PEOPLE_ADMIN,
    "webhooks:endpoint_rotate_secret": PEOPLE_ADMIN,
    "webhooks:endpoint_delete": PEOPLE_ADMIN,
    "webhooks:delivery_resend": PEOPLE_ADMIN,
    "inspections:list": SIGNED_IN,
    "inspections:detail": SIGNED_IN,
    "inspections:create": LIAISONS,
    "inspections:intake": LIAISONS,
    "inspections:finding_add": LIAISONS,
    "inspections:finding_edit": LIAISONS,
    "inspections:finding_move": LIAISONS,
    "inspections:publish": LIAISONS,
    "inspections:paste": LIAISONS,
    "inspections:import": LIAISONS,
    "inspections:import_template": LIAISONS,
    "reminders:list": SIGNED_IN,
    # Alice's notification: anyone else's "mark as read" touches only their own, so nothing
    "reminders:read": SIGNED_IN,
    "reminders:read_all": SIGNED_IN,
    "reminders:preferences": SIGNED_IN,
    "recommendations:my_work": SIGNED_IN,
    # Devon's item of the 2015 HMIC report: HMICFRS's liaison speaks for its own reports only
    "recommendations:item": READS_DEVON,
    "recommendations:item_progress": FORCE_ROLES,
    "recommendations:item_accept": {"dc_lead"},
    "recommendations:item_return": {"dc_lead"},
    "recommendations:item_assign": FORCE_ROLES,
    "recommendations:item_target_date": FORCE_ROLES,
    "recommendations:item_reminders_pause": {"dc_lead"},
    "recommendations:item_reminders_resume": {"dc_lead"},
    "recommendations:revision_decide": {"dc_lead"},
    "recommendations:evidence": READS_DEVON,
    "recommendations:item_inspectorate_confirm": {"admin"},
    "recommendations:item_inspectorate_return": {"admin"},
    "recommendations:inspectorate_awaiting": SIGNED_IN,
    "recommendations:finding_link": LIAISONS,
    "actionplans:list": SIGNED_IN,
    "actionplans:create": FORCE_ROLES | {"cambs_editor"},  # each for their own force
    "actionplans:detail": READS_DEVON,
    "actionplans:edit": FORCE_ROLES,
    "actionplans:action_create": FORCE_ROLES,
    "actionplans:action_edit": FORCE_ROLES,
    "dashboards:dashboard": SIGNED_IN,
    "dashboards:items": SIGNED_IN,
    "dashboards:saved_views": SIGNED_IN,  # each their own
    "dashboards:saved_view_rename": {"dc_editor"},  # Alice's view: only she may change it
    "dashboards:saved_view_delete": {"dc_editor"},
    "dashboards:search": SIGNED_IN,  # within what each may see (dashboards/tests/test_search.py)
    "dashboards:export_csv": SIGNED_IN,
    "dashboards:export_xlsx": SIGNED_IN,
    "dashboards:board_paper": {"": SIGNED_IN, "organisation=": READS_DEVON},
    "dashboards:board_paper_pdf": {"organisation=": READS_DEVON},
    "dashboards:capability_matrix": SIGNED_IN,
    "dashboards:capability_history": SIGNED_IN,
    # the South West region's editors and leads (no such role in the cast) and superusers
    "dashboards:capability_delivery_record": {"admin"},
    "dashboards:calendar": SIGNED_IN,
    "dashboards:calendar_reset": SIGNED_IN,
    "dashboards:calendar_feed": EVERYONE,  # the secret address is the key
    # boards (issue 14): read by whoever may see the board's organisation; meetings
    # scheduled and papers issued by its editors, leads and organisation administrators
    "boards:list": SIGNED_IN,
    "boards:detail": READS_DEVON,
    "boards:meeting_create": {"dc_editor", "dc_lead", "dc_org_admin"},
    "boards:paper": READS_DEVON,
    "boards:paper_issue": {"dc_editor", "dc_lead", "dc_org_admin"},
    "boards:paper_pdf": READS_DEVON,
    "dashboards:export_job": {"dc_editor"},  # whoever asked for it, nobody else
    "dashboards:export_job_download": {"dc_editor"},
    "section55:list": SIGNED_IN,
    "section55:detail": READS_OFFICE,
    "section55:start": OFFICE,
    "section55:invite": OFFICE,
    "section55:chief_officer": CHIEF_OFFICER,
    "section55:not_received": OFFICE,
    "section55:office_comments": OFFICE,
    "section55:position": OFFICE,
    "section55:publish": OFFICE,
    "section55:copies": OFFICE,
    "section55:correction": OFFICE,
    "section55:letter": READS_OFFICE,
    "section55:letter_pdf": READS_OFFICE,
    "section55:board_paper": READS_OFFICE,
    "section55:board_paper_pdf": READS_OFFICE,
    "responses:index": EVERYONE,
    "responses:national_csv": EVERYONE,
    "responses:national_json": EVERYONE,
    "responses:office": EVERYONE,
    "responses:detail": EVERYONE,
    "responses:detail_version": EVERYONE,
    "responses:print": EVERYONE,
    "responses:print_version": EVERYONE,
    "responses:pdf": EVERYONE,
    "responses:pdf_version": EVERYONE,
    "responses:json": EVERYONE,
    "responses:json_version": EVERYONE,
    "responses:csv": EVERYONE,
    "responses:csv_version": EVERYONE,
    # the public progress tracker; what Devon and Cornwall publishes is chosen by its lead
    # and organisation administrator (and superusers), its public updates written by its
    # editors and leads
    "public_progress:index": EVERYONE,
    "public_progress:progress": EVERYONE,
    "public_progress:progress_json": EVERYONE,
    "public_progress:progress_csv": EVERYONE,
    "public_progress:manage": FORCE_ROLES | {"dc_org_admin", "admin"},
    "public_progress:manage_inspection": FORCE_ROLES | {"dc_org_admin", "admin"},
    "public_progress:publish": {"dc_lead", "dc_org_admin", "admin"},
    "public_progress:update_add": FORCE_ROLES,
}


@pytest.fixture
def cast(
    dc_editor,
    dc_lead,
    cambs_editor,
    dc_pcc_staff,
    board_member,
    dc_org_admin,
    django_user_model,
    organisations,
):
    from conftest import _member

    return {
        "dc_editor": dc_editor,
        "dc_lead": dc_lead,
        "cambs_editor": cambs_editor,
        "dc_pcc_staff": dc_pcc_staff,
        "board_member": board_member,
        "admin": site_map.administrator(django_user_model, organisations),
        "dc_org_admin": dc_org_admin,
        "liaison": _member(
            django_user_model,
            "lena",
            organisations["hmicfrs"],
            Membership.Role.INSPECTION_LIAISON,
        ),
        ANONYMOUS: None,
    }


def _allowed(name: str, path: str) -> set[str]:
    roles = MATRIX[name]
    if isinstance(roles, set):
        return roles
    query = path.partition("?")[2]
    return next(allowed for text, allowed in roles.items() if text in query and (text or not query))


def _refused(response, *, signed_in: bool) -> bool:
    if response.status_code in (403, 404):
        return True
    if response.status_code == 302:
        location = response.headers["Location"]
        return not signed_in and location.startswith("/accounts/login/")
    return False


def _answer(client, entry, path: str):
    with transaction.atomic():
        response = client.post(path, {}) if entry.kind == ACTION else client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    return response


def test_every_url_has_its_roles_in_the_matrix():
    assert sorted(site_map.SITE_MAP.keys() - MATRIX.keys()) == []
    assert sorted(MATRIX.keys() - site_map.SITE_MAP.keys()) == []


def test_every_role_gets_exactly_what_the_matrix_allows(client, cast):
    world = site_map.world_build(
        dc_editor=cast["dc_editor"], dc_lead=cast["dc_lead"], dc_pcc_staff=cast["dc_pcc_staff"]
    )
    problems, seen = [], {}
    for name, entry, path in site_map.urls(world):
        for role in ROLES:
            client.logout()
            if cast[role] is not None:
                client.force_login(cast[role])
            response = _answer(client, entry, path)
            allowed = not _refused(response, signed_in=role != ANONYMOUS)
            seen.setdefault(name, {})[role] = response.status_code
            if response.status_code >= 500:
                problems.append(f"{name} {path} as {role}: {response.status_code}")
            elif allowed != (role in _allowed(name, path)):
                verb = "reached" if allowed else "was refused"
                problems.append(f"{name} {path}: {role} {verb} ({response.status_code})")
    if os.environ.get("ROCU_PRINT_MATRIX"):
        for name, statuses in sorted(seen.items()):
            print(name, " ".join(f"{role}={status}" for role, status in statuses.items()))
    assert not problems, "\n".join(problems)


# Single sign-on's URLs answer 404 to everyone until it is configured (site_map leaves them
# out for that reason); configured, each is open to anyone, signed in or not: the trip to the
# provider and back is what signs a person in.
SINGLE_SIGN_ON = {
    "single_sign_on:start": ACTION,
    "single_sign_on:authenticate": "page",
    "single_sign_on:callback": "page",
}


def _single_sign_on_names() -> set[str]:
    resolver = get_resolver().namespace_dict["single_sign_on"][1]
    return {f"single_sign_on:{name}" for name in resolver.reverse_dict if isinstance(name, str)}


def test_every_single_sign_on_url_is_in_the_matrix():
    assert _single_sign_on_names() == SINGLE_SIGN_ON.keys()


@pytest.mark.parametrize("configured", [False, True])
def test_single_sign_on_is_open_to_everyone_once_configured(client, cast, settings, configured):
    if configured:  # a provider that is never called: nothing here goes beyond the redirect
        settings.SINGLE_SIGN_ON_ENABLED = True
        settings.OIDC_RP_CLIENT_ID = "rocu-tracker"
        settings.OIDC_RP_CLIENT_SECRET = "secret"
        settings.OIDC_OP_ISSUER = "http://127.0.0.1:9"
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "http://127.0.0.1:9/auth"
        settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"
        settings.OIDC_OP_JWKS_ENDPOINT = "http://127.0.0.1:9/jwks"
    problems = []
    for name, kind in SINGLE_SIGN_ON.items():
        entry = site_map.Entry(kind)
        for role in ROLES:
            client.logout()
            if cast[role] is not None:
                client.force_login(cast[role])
            response = _answer(client, entry, reverse(name))
            if (response.status_code == 404) == configured or response.status_code >= 500:
                problems.append(f"{name} as {role}: {response.status_code}")
    assert not problems, "\n".join(problems)

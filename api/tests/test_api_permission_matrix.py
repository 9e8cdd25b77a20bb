"""Who may use every operation of the API: each operation of the live schema is requested,
with real records of Devon and Cornwall's and a valid body, by every role of the pages'
permission matrix (each with a read-and-write personal token), by Devon and Cornwall's two
service tokens, by Alice's read-only token, by a revoked and an expired token, and by
nobody. Each must get exactly what MATRIX says: reached (the view's own answer: 2xx, or a
400 or 409 from the service), 401, 403 or 404. An operation of the schema that is not in
MATRIX fails, so a new operation cannot skip the question. Each request is rolled back, so
a write does not change what the next one finds.

Run with ROCU_PRINT_MATRIX=1 to print what everyone gets."""

import datetime
import json
import os

import pytest
from django.db import transaction
from django.utils import timezone

from api import services
from api.models import ApiToken
from api.tests.conftest import bearer
from rocu_tracker.tests import site_map
from rocu_tracker.tests.test_permission_matrix import cast  # noqa: F401  (the fixture)
from section55.models import Section55Publication

OK, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND = "reached", 401, 403, 404

PEOPLE = [
    "dc_editor",
    "dc_lead",
    "cambs_editor",
    "dc_pcc_staff",
    "board_member",
    "admin",
    "dc_org_admin",
    "liaison",
]
TOKENS = ["service_read", "service_write", "read_only"]
REFUSED_TOKENS = ["revoked", "expired"]
EVERYONE = PEOPLE + TOKENS + REFUSED_TOKENS + ["anonymous"]

SIGNED_IN = set(PEOPLE + TOKENS)
# Who reads Devon and Cornwall's records: as the pages' READS_DEVON, and its tokens.
READS_DEVON = {
    "dc_editor",
    "dc_lead",
    "dc_pcc_staff",
    "board_member",
    "admin",
    "dc_org_admin",
    *TOKENS,
}
# Who changes them: its editors and leads, and its read-and-write service token.
WRITES_DEVON = {"dc_editor", "dc_lead", "service_write"}


def everyone_signed_in():
    return {role: OK if role in SIGNED_IN else UNAUTHENTICATED for role in EVERYONE}


def public():
    return {role: UNAUTHENTICATED if role in REFUSED_TOKENS else OK for role in EVERYONE}


def reads_devon():
    return {
        role: UNAUTHENTICATED if role not in SIGNED_IN else OK if role in READS_DEVON else NOT_FOUND
        for role in EVERYONE
    }


def writes_devon():
    def outcome(role):
        if role not in SIGNED_IN:
            return UNAUTHENTICATED
        if role not in READS_DEVON:
            return NOT_FOUND
        return OK if role in WRITES_DEVON else FORBIDDEN

    return {role: outcome(role) for role in EVERYONE}


MATRIX = {
    "GET /api/v1/me/": everyone_signed_in(),
    "GET /api/v1/organisations/": everyone_signed_in(),
    "GET /api/v1/organisations/{id}/": everyone_signed_in(),
    "GET /api/v1/inspections/": everyone_signed_in(),
    "GET /api/v1/inspections/{id}/": everyone_signed_in(),
    "GET /api/v1/findings/": everyone_signed_in(),
    "GET /api/v1/findings/{id}/": everyone_signed_in(),
    "GET /api/v1/items/": everyone_signed_in(),
    "GET /api/v1/items/{id}/": reads_devon(),
    "GET /api/v1/items/{id}/events/": reads_devon(),
    "POST /api/v1/items/{id}/progress-updates/": writes_devon(),
    "POST /api/v1/items/{id}/owner/": writes_devon(),
    "POST /api/v1/items/{id}/target-date-revisions/": writes_devon(),
    "GET /api/v1/action-plans/": everyone_signed_in(),
    "GET /api/v1/action-plans/{id}/": reads_devon(),
    "GET /api/v1/actions/": everyone_signed_in(),
    "GET /api/v1/actions/{id}/": reads_devon(),
    "PATCH /api/v1/actions/{id}/": writes_devon(),
    "GET /api/v1/section55/responses/": public(),
    "GET /api/v1/section55/responses/{id}/": public(),
}


def _operations(client) -> set[str]:
    schema = json.loads(client.get("/api/v1/schema/?format=json").content)
    return {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_every_operation_of_the_schema_is_in_the_matrix(client):
    assert _operations(client) == MATRIX.keys()


def _secrets(cast, service_token):  # noqa: F811
    def make(user, access_level=ApiToken.Access.WRITE):
        _, secret = services.personal_token_create(
            owner=user,
            by=user,
            name="Matrix",
            access_level=access_level,
            expires_on=timezone.localdate() + datetime.timedelta(days=30),
        )
        return secret

    secrets = {role: make(cast[role]) for role in PEOPLE}
    secrets["read_only"] = make(cast["dc_editor"], ApiToken.Access.READ)
    secrets["service_read"] = service_token(ApiToken.Access.READ)
    secrets["service_write"] = service_token(ApiToken.Access.WRITE)
    secrets["revoked"] = make(cast["dc_editor"])
    services.api_token_revoke(
        token=ApiToken.objects.get(secret_hash=services.token_secret_hash(secrets["revoked"])),
        by=cast["dc_editor"],
    )
    secrets["expired"] = make(cast["dc_editor"])
    ApiToken.objects.filter(secret_hash=services.token_secret_hash(secrets["expired"])).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    return secrets


def _requests(world, cast):  # noqa: F811
    from recommendations.models import TrackedItem

    item = TrackedItem.objects.select_related("finding").get(pk=world.item)
    action = world.action
    publication = Section55Publication.objects.get().pk
    later = (timezone.localdate() + datetime.timedelta(days=120)).isoformat()
    ids = {
        "/api/v1/organisations/{id}/": world.devon,
        "/api/v1/inspections/{id}/": item.finding.inspection_id,
        "/api/v1/findings/{id}/": item.finding_id,
        "/api/v1/action-plans/{id}/": world.plan,
        "/api/v1/actions/{id}/": action,
        "/api/v1/section55/responses/{id}/": publication,
    }
    bodies = {
        "POST /api/v1/items/{id}/progress-updates/": {
            "expected_version": item.version,
            "narrative": "Checked by the matrix.",
        },
        "POST /api/v1/items/{id}/owner/": {
            "expected_version": item.version,
            "owner": cast["dc_lead"].pk,
        },
        "POST /api/v1/items/{id}/target-date-revisions/": {
            "expected_version": item.version,
            "proposed_date": later,
            "reason": "The matrix asks.",
        },
        "PATCH /api/v1/actions/{id}/": {"version": 1, "status": "in_progress"},
    }
    for operation in MATRIX:
        method, path = operation.split(" ")
        url = path.replace("{id}", str(ids.get(path, item.pk)))
        yield operation, method, url, bodies.get(operation)


def _outcome(response):
    if response.status_code >= 500:
        return response.status_code
    if response.status_code in (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND):
        return response.status_code
    return OK


@pytest.fixture
def world(cast):  # noqa: F811
    return site_map.world_build(
        dc_editor=cast["dc_editor"], dc_lead=cast["dc_lead"], dc_pcc_staff=cast["dc_pcc_staff"]
    )


def test_every_role_gets_exactly_what_the_matrix_says(cast, world, service_token, settings):  # noqa: F811
    settings.API_RATE_LIMITS = dict.fromkeys(["token", "user", "anonymous"], "100000/minute")
    secrets = _secrets(cast, service_token)
    problems, seen = [], {}
    for operation, method, url, body in _requests(world, cast):
        for role in EVERYONE:
            client = bearer(secrets[role]) if role in secrets else bearer("")
            if role == "anonymous":
                from django.test import Client

                client = Client(enforce_csrf_checks=True)
            with transaction.atomic():
                call = getattr(client, method.lower())
                response = call(url, body, content_type="application/json") if body else call(url)
                transaction.set_rollback(True)
            outcome = _outcome(response)
            seen.setdefault(operation, {})[role] = response.status_code
            if outcome != MATRIX[operation][role]:
                problems.append(
                    f"{operation} as {role}: {response.status_code}, expected "
                    f"{MATRIX[operation][role]} ({response.content[:200]!r})"
                )
    if os.environ.get("ROCU_PRINT_MATRIX"):
        for operation, statuses in seen.items():
            print(operation, " ".join(f"{role}={code}" for role, code in statuses.items()))
    assert not problems, "\n".join(problems)

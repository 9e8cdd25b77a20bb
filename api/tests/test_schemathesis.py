"""schemathesis against the live schema: every operation, with generated requests (bounded:
a few examples each), as Alice (Devon and Cornwall's editor) with a read-and-write
token, as Erin (a board member) with a read-only token, and as nobody (no token). No answer
may be a server error (5xx) or break the schema it documents.

Requests go to the Django app through schemathesis's WSGI transport, inside the test's
transaction (rolled back after it), so what the writes change is gone after the test."""

import json

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from api.models import ApiToken
from recommendations.models import TrackedItem
from rocu_tracker.tests import site_map
from section55.models import Section55Publication

EXAMPLES = 3
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def wsgi_app(settings):
    """The real WSGI application. A request must not close the test's connection (Django's
    test client does the same): its transaction holds the test's data."""
    settings.API_RATE_LIMITS = dict.fromkeys(["token", "user", "anonymous"], "100000/minute")
    handler = WSGIHandler()

    def app(environ, start_response):
        # Again on each call: the test client reconnects them after each of its requests.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        return handler(environ, start_response)

    yield app
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def devon_records(dc_editor, dc_lead, dc_pcc_staff):
    """The permission matrix's world: Devon and Cornwall's item with its history, its plan
    and action, and the PCC office's published 2021 Section 55 response."""
    world = site_map.world_build(dc_editor=dc_editor, dc_lead=dc_lead, dc_pcc_staff=dc_pcc_staff)
    item = TrackedItem.objects.select_related("finding").get(pk=world.item)
    return {
        "item": item.pk,
        "plan": world.plan,
        "action": world.action,
        "finding": item.finding_id,
        "inspection": item.finding.inspection_id,
        "organisation": world.devon,
        "response": Section55Publication.objects.get().pk,
    }


def _real_pk(path: str, records: dict) -> int | None:
    for prefix, key in [
        ("/api/v1/items/", "item"),
        ("/api/v1/action-plans/", "plan"),
        ("/api/v1/actions/", "action"),
        ("/api/v1/findings/", "finding"),
        ("/api/v1/inspections/", "inspection"),
        ("/api/v1/organisations/", "organisation"),
        ("/api/v1/section55/responses/", "response"),
    ]:
        if path.startswith(prefix):
            return records[key]
    return None


def _schema(client, app):
    loaded = json.loads(client.get("/api/v1/schema/?format=json").content)
    schema = schemathesis.openapi.from_dict(loaded)
    schema.app = app
    return schema


def _run(operation, strategy, headers, problems, statuses):
    @hypothesis.given(case=strategy)
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        response = case.call(headers=headers)
        statuses.setdefault(operation.label, set()).add(response.status_code)
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as failure:  # report each, not just the first
            problems.append(f"{operation.label}: {response.status_code} {failure}"[:2000])

    check()


@pytest.mark.parametrize("role", ["dc_editor", "board_member", "anonymous"])
def test_it_answers_every_operation_within_its_schema(
    role, request, client, wsgi_app, personal_token, devon_records
):
    headers = {}
    if role != "anonymous":
        user = request.getfixturevalue(role)
        access_level = ApiToken.Access.WRITE if role == "dc_editor" else ApiToken.Access.READ
        headers = {"Authorization": f"Bearer {personal_token(user, access_level)}"}
    schema = _schema(client, wsgi_app)
    problems, operations, statuses = [], 0, {}
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        _run(operation, operation.as_strategy(), headers, problems, statuses)
        pk = _real_pk(operation.path, devon_records)
        if "{id}" in operation.path and pk is not None:
            strategy = operation.as_strategy(path_parameters={"id": pk})
            _run(operation, strategy, headers, problems, statuses)
    assert operations >= 20
    assert not problems, "\n".join(problems)
    # Each read it may make reached its answer at least once (not only refusals).
    reads = [
        label
        for label in statuses
        if label.startswith("GET") and (role != "anonymous" or "/section55/" in label)
    ]
    assert all(200 in statuses[label] for label in reads), statuses
    if role == "anonymous":
        assert statuses["GET /api/v1/items/"] == {401}

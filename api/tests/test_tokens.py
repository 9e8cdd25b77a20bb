"""API tokens: shown once, stored as a sha256 only, refused at once when revoked or expired,
read-only tokens refused writes, each use recorded at most once a minute; the token pages."""

import datetime
import hashlib

import time_machine
from django.utils import timezone

from api import services
from api.models import ApiToken
from api.tests.conftest import bearer, expires_on
from recommendations.models import TrackedItem


def _token(secret) -> ApiToken:
    return ApiToken.objects.get(secret_hash=hashlib.sha256(secret.encode()).hexdigest())


def test_it_shows_a_new_token_once_and_stores_only_its_hash(client, dc_editor):
    client.force_login(dc_editor)
    response = client.post(
        "/accounts/api-tokens/",
        {"name": "Power BI", "access_level": "read", "expires_on": expires_on().isoformat()},
        follow=True,
    )
    secret = response.context["new_secret"]
    assert secret.startswith("rocu_") and secret in response.content.decode()
    token = ApiToken.objects.get(user=dc_editor)
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.name, token.prefix, token.secret_hash}
    assert token.prefix == secret[:12]
    again = client.get("/accounts/api-tokens/")
    assert secret not in again.content.decode()
    assert token.prefix in again.content.decode()


def test_it_refuses_an_expiry_beyond_a_year_keeping_what_was_typed(client, dc_editor):
    client.force_login(dc_editor)
    too_late = expires_on(days=400).isoformat()
    response = client.post(
        "/accounts/api-tokens/",
        {"name": "Power BI", "access_level": "read", "expires_on": too_late},
    )
    assert response.status_code == 400
    assert "a year at most" in response.content.decode()
    assert 'value="Power BI"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_it_refuses_a_revoked_token_at_once(dc_editor, personal_token):
    secret = personal_token(dc_editor)
    api = bearer(secret)
    assert api.get("/api/v1/me/").status_code == 200
    services.api_token_revoke(token=_token(secret), by=dc_editor)
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_an_expired_and_an_unknown_token(dc_editor, personal_token):
    secret = personal_token(dc_editor)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        assert bearer(secret).get("/api/v1/me/").status_code == 401
    assert bearer("rocu_not-a-token").get("/api/v1/me/").status_code == 401


def test_it_refuses_a_read_only_tokens_write_with_403(dc_editor, personal_token):
    item = TrackedItem.objects.filter(organisation__slug="devon-and-cornwall").first()
    api = bearer(personal_token(dc_editor, ApiToken.Access.READ))
    response = api.post(
        f"/api/v1/items/{item.pk}/progress-updates/",
        {"expected_version": item.version, "narrative": "Try"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert item.events.count() == TrackedItem.objects.get(pk=item.pk).events.count()


def test_it_records_each_use_at_most_once_a_minute(dc_editor, personal_token):
    secret = personal_token(dc_editor)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        bearer(secret).get("/api/v1/me/", REMOTE_ADDR="192.0.2.7")
    token = _token(secret)
    assert token.last_used_at == start and token.last_used_from == "192.0.2.7"
    with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
        bearer(secret).get("/api/v1/me/", REMOTE_ADDR="192.0.2.8")
    assert _token(secret).last_used_at == start
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        bearer(secret).get("/api/v1/me/", REMOTE_ADDR="192.0.2.8")
    assert _token(secret).last_used_from == "192.0.2.8"


def test_a_service_token_writes_as_an_editor_named_in_the_history(service_token):
    item = TrackedItem.objects.filter(organisation__slug="devon-and-cornwall").first()
    api = bearer(service_token(ApiToken.Access.WRITE))
    response = api.post(
        f"/api/v1/items/{item.pk}/progress-updates/",
        {"expected_version": item.version, "narrative": "From the force's system."},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["event"]["by"] == "Power BI board report"
    assert api.get("/api/v1/me/").json()["name"] == "Power BI board report"


def test_a_service_token_reads_only_its_organisations_scope(service_token):
    cambridgeshire = TrackedItem.objects.filter(organisation__slug="cambridgeshire").first()
    api = bearer(service_token(ApiToken.Access.READ))
    assert api.get(f"/api/v1/items/{cambridgeshire.pk}/").status_code == 404
    organisations = {
        row["organisation"]["slug"] for row in api.get("/api/v1/items/").json()["results"]
    }
    assert organisations == {"devon-and-cornwall"}


def test_the_organisation_administrator_makes_and_revokes_service_tokens(
    client, dc_org_admin, dc_editor, cambs_editor
):
    client.force_login(dc_org_admin)
    page = "/organisations/devon-and-cornwall/api-tokens/"
    response = client.post(
        page,
        {"name": "Board report", "access_level": "write", "expires_on": expires_on().isoformat()},
        follow=True,
    )
    secret = response.context["new_secret"]
    token = _token(secret)
    assert token.kind == ApiToken.Kind.SERVICE and token.organisation.slug == "devon-and-cornwall"
    assert bearer(secret).get("/api/v1/me/").status_code == 200
    client.post(f"{page}{token.pk}/revoke/")
    assert bearer(secret).get("/api/v1/me/").status_code == 401
    client.force_login(dc_editor)
    assert client.get(page).status_code == 403
    client.force_login(cambs_editor)
    assert client.get(page).status_code == 404


def test_nobody_else_revokes_a_personal_token(client, dc_editor, cambs_editor, personal_token):
    token = _token(personal_token(dc_editor))
    client.force_login(cambs_editor)
    assert client.post(f"/accounts/api-tokens/{token.pk}/revoke/").status_code == 404
    assert _token_unrevoked(token)


def _token_unrevoked(token) -> bool:
    token.refresh_from_db()
    return token.revoked_at is None

"""The API's cast: the project's (conftest.py) with tokens of their own."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from api import services
from api.models import ApiToken


def expires_on(days=30) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def personal_token():
    """personal_token(user, access_level="write") -> the secret."""

    def make(user, access_level=ApiToken.Access.WRITE, name="Script"):
        _, secret = services.personal_token_create(
            owner=user, by=user, name=name, access_level=access_level, expires_on=expires_on()
        )
        return secret

    return make


@pytest.fixture
def service_token(dc_org_admin, organisations):
    """service_token(access_level, organisation slug) -> the secret, made by Olive."""

    def make(access_level=ApiToken.Access.READ, slug="devon-and-cornwall", by=None):
        _, secret = services.service_token_create(
            organisation=organisations[slug],
            by=by or dc_org_admin,
            name="Power BI board report",
            access_level=access_level,
            expires_on=expires_on(),
        )
        return secret

    return make


def bearer(secret: str) -> Client:
    """A client sending the token, as a program would (no session, no CSRF token)."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", enforce_csrf_checks=True)

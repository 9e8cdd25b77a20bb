"""The People cast: Oscar, the outsider, administers Cambridgeshire's people. The project's
cast (conftest.py) supplies the rest, Olive (Devon and Cornwall's administrator) among them."""

import re

import pytest
from django.core import mail

from organisations import services
from organisations.access import SYSTEM
from organisations.models import Membership

LINK = re.compile(r"https?://\S+/invitations/(?P<token>[\w-]+)/")


def _org_admin(django_user_model, username, organisation):
    user = django_user_model.objects.create_user(
        username=username,
        password="pw",
        email=f"{username}@example.org",
        first_name=username.title(),
    )
    services.membership_grant(
        user=user,
        organisation=organisation,
        role=Membership.Role.ORGANISATION_ADMINISTRATOR,
        by=SYSTEM,
    )
    return user


@pytest.fixture
def cambs_org_admin(django_user_model, organisations):
    return _org_admin(django_user_model, "oscar", organisations["cambridgeshire"])


@pytest.fixture
def devon(organisations):
    return organisations["devon-and-cornwall"]


def token_in_the_last_email() -> str:
    """The invitation link's token, read from the newest email in the outbox."""
    return LINK.search(mail.outbox[-1].body)["token"]

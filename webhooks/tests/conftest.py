import pytest

from organisations.access import SYSTEM
from webhooks import services
from webhooks.models import Event

from .receiver import Receiver


@pytest.fixture(autouse=True)
def receivers_on_this_machine(settings):
    """The tests' receivers listen on 127.0.0.1 over plain http."""
    settings.WEBHOOK_ALLOW_HTTP_HOSTS = ["127.0.0.1"]


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def devon(organisations):
    return organisations["devon-and-cornwall"]


def endpoint_for(organisation, url: str, events=tuple(Event.values), by=SYSTEM):
    """An endpoint and its secret, registered through the service."""
    return services.webhook_endpoint_create(
        organisation=organisation, url=url, events=list(events), by=by
    )

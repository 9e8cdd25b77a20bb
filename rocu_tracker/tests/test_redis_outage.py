"""Redis stops, the web tier carries on: the dashboards compute what they cached, readiness
answers 200 with the cache and the broker "degraded", so a load balancer keeps every node.
A real redis-server (the reminders' harness), really stopped."""

import contextlib

import pytest
import redis
from django.urls import reverse
from django.utils import timezone

from dashboards.tests.helpers import make_items
from rocu_tracker.celery import app
from rocu_tracker.tests.real_servers import wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_everywhere(settings, redis_url):
    """The production wiring: the cache (as rocu_tracker/settings.py builds it for REDIS_URL)
    and Celery's broker in the one Redis."""
    settings.CACHES = {
        "default": {
            "BACKEND": "rocu_tracker.cache.DegradingRedisCache",
            "LOCATION": redis_url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
    previous = app.conf.broker_url
    app.conf.broker_url = redis_url
    yield redis.Redis.from_url(redis_url)
    app.conf.broker_url = previous


def _stop(server: redis.Redis) -> None:
    with contextlib.suppress(redis.ConnectionError):  # it may close the connection first
        server.shutdown(nosave=True)
    wait_for(lambda: not _answers(server), timeout=10, what="redis-server to stop")


def _answers(server: redis.Redis) -> bool:
    try:
        return server.ping()
    except redis.ConnectionError:
        return False


def test_it_serves_the_dashboard_and_stays_ready_when_redis_stops(
    client, board_member, organisations, redis_everywhere
):
    make_items(12, organisation=organisations["devon-and-cornwall"], today=timezone.localdate())
    client.force_login(board_member)
    dashboard = reverse("dashboards:dashboard")

    cached = client.get(dashboard)
    assert cached.status_code == 200
    assert redis_everywhere.keys("*dashboard*"), "the dashboard was not cached in Redis"
    assert client.get("/health/ready/").json()["broker"] == "ok"

    _stop(redis_everywhere)
    computed = client.get(dashboard)
    assert computed.status_code == 200
    board = computed.context["board"]
    assert (board.total, board.due) == (cached.context["board"].total, cached.context["board"].due)
    for path in ("/health/ready/", "/health/"):
        ready = client.get(path)
        assert ready.status_code == 200, path
        assert ready.json() == {
            "database": "ok",
            "migrations": "ok",
            "static files": "ok",
            "cache": "degraded",
            "broker": "degraded",
        }
    assert client.get("/health/live/").status_code == 200

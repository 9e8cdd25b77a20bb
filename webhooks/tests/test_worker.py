"""For real: a Redis server, Celery worker processes (solo pool) against the test database,
and an HTTP receiver on 127.0.0.1 that holds the request. The worker is killed (SIGKILL)
mid-POST; a second worker gets the task back from Redis and must not POST again: the
delivery is marked interrupted, for a person to send again if it did not arrive."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from recommendations import services as item_services
from recommendations.models import Finding, TrackedItem
from rocu_tracker.celery import app as celery_app
from rocu_tracker.tests.real_servers import (
    database_url_for_workers,
    stop_processes,
    use_broker,
    wait_for,
)
from webhooks.models import WebhookDelivery
from webhooks.tasks import deliver_due

from .conftest import endpoint_for
from .receiver import Receiver, signature_is_valid

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


@pytest.fixture
def workers(redis_url, tmp_path):
    """Start workers on Redis and the test database; stop whatever is left at the end. This
    process sends its tasks to the same Redis meanwhile."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "webhooks.tests.celery_settings",
        "DATABASE_URL": database_url_for_workers(),
        "REDIS_URL": redis_url,
        "WEBHOOK_ALLOW_HTTP_HOSTS": "127.0.0.1",
        "WEBHOOK_INTERRUPTED_AFTER_SECONDS": "2",
        "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / "beat-schedule"),
        "PYTHONUNBUFFERED": "1",
    }
    started: list[subprocess.Popen] = []

    def start(name: str) -> tuple[subprocess.Popen, Path]:
        log = tmp_path / f"{name}.log"
        process = subprocess.Popen(
            [CELERY, "-A", "rocu_tracker", "worker", "--pool", "solo", "--loglevel", "INFO"]
            + ["--hostname", f"{name}@%h", "--without-gossip", "--without-mingle"]
            + ["--without-heartbeat"],
            cwd=BASE_DIR,
            env=environment,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(process)
        return process, log

    previous = celery_app.conf.broker_url
    use_broker(redis_url)
    yield start
    use_broker(previous)
    stop_processes(started)


def test_a_worker_killed_mid_delivery_does_not_deliver_twice(workers, organisations, dc_editor):
    devon = organisations["devon-and-cornwall"]
    item = TrackedItem.objects.get(
        organisation=devon,
        finding__audience=Finding.Audience.ALL_FORCES,
        finding__inspection__slug="hmic-2015-rocu-review",
    )
    with Receiver(hold=True) as receiver:
        _, secret = endpoint_for(devon, receiver.url)
        first, _ = workers("first")
        # The change commits and enqueues the delivery task in Redis; the worker POSTs.
        item_services.progress_update_add(
            item=item,
            by=dc_editor,
            expected_version=item.version,
            status=TrackedItem.Status.BEING_PROGRESSED,
            narrative="Started.",
        )
        assert receiver.arrived.wait(timeout=60), "the first worker did not POST"
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.SENDING, 1)

        os.killpg(first.pid, signal.SIGKILL)  # mid-POST: the receiver has it, no answer
        first.wait(timeout=10)
        receiver.release.set()

        # The second worker gets the killed task back from Redis (acks_late), and further
        # runs come as beat's would; none may POST the delivery again.
        _, log = workers("second")

        def interrupted():
            deliver_due.delay()
            delivery.refresh_from_db()
            return delivery.status == WebhookDelivery.Status.INTERRUPTED

        wait_for(interrupted, timeout=60, every=1, what="the delivery to be marked interrupted")
        wait_for(
            lambda: (
                len(re.findall(r"webhooks\.deliver_due\[\S+\] succeeded", log.read_text())) >= 2
            ),
            timeout=30,
            what="the second worker to run the task again",
        )
        time.sleep(1)

    (received,) = receiver.requests
    assert signature_is_valid(received, secret)
    assert json.loads(received.body)["id"] == str(delivery.id)
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.last_response_code is None
    assert "may have it" in delivery.last_error

"""For real: a Redis server, a Celery worker (solo pool) and beat as processes against the
test database, sending to files. Nothing here is mocked."""

import datetime
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import timezone

from reminders.models import Delivery, Digest, Dispatch, Notification
from rocu_tracker.tests.real_servers import database_url_for_workers, stop_processes, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


@pytest.fixture
def celery_env(transactional_db, redis_url, tmp_path):
    """The environment of every process: the live test database, Redis, mail to files."""
    mail_dir = tmp_path / "mail"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "reminders.tests.celery_settings",
        "DATABASE_URL": database_url_for_workers(),
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"filemail://{mail_dir}",
        "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / "beat-schedule"),
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def processes(celery_env, tmp_path):
    """Start Celery processes (worker or beat) and stop whatever is left at the end."""
    started: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> tuple[subprocess.Popen, Path]:
        log = tmp_path / f"{name}.log"
        process = subprocess.Popen(
            [CELERY, "-A", "rocu_tracker", *args, "--loglevel", "INFO"],
            cwd=BASE_DIR,
            env=celery_env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(process)
        return process, log

    yield start
    stop_processes(started)


def _worker(processes, name: str):
    return processes(
        name,
        "worker",
        "--pool",
        "solo",
        "--hostname",
        f"{name}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    )


def _messages(mail_dir: Path) -> list[str]:
    separator = "\n" + "-" * 79 + "\n"
    files = sorted(mail_dir.glob("*.log")) if mail_dir.exists() else []
    return [m for f in files for m in f.read_text().split(separator) if m.strip()]


def test_it_sends_the_digest_once_though_the_worker_is_killed_mid_task(
    cast, make_item, processes, celery_env, tmp_path
):
    mail_dir = tmp_path / "mail"
    marker = tmp_path / "first-send-written"
    celery_env["REMINDERS_TEST_PAUSE_AFTER_SEND"] = str(marker)
    today = timezone.localdate()
    make_item(deadline=today + datetime.timedelta(days=28), owner=cast["alice"])

    worker, _ = _worker(processes, "first")
    processes("beat", "beat")
    # Beat runs the scan every second; the worker writes the digest, then pauses mid-task.
    wait_for(marker.exists, timeout=30, what="the worker to send the digest")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    (message,) = _messages(mail_dir)
    assert "To: alice@example.org" in message
    assert "due in 28 days" in message

    # A new worker gets the killed task back from Redis (acks_late) and must not resend it.
    _, log = _worker(processes, "second")
    wait_for(
        lambda: re.search(r"reminders\.send_digest\[\S+\] succeeded", log.read_text()),
        timeout=30,
        what="the re-delivered send to run again",
    )
    time.sleep(2)  # a couple more scans by beat, which must find nothing new

    assert re.search(
        r"reminders\.send_digest\[[-0-9a-f]+\] succeeded in [0-9.]+s: False", log.read_text()
    )
    assert len(_messages(mail_dir)) == 1
    assert Dispatch.objects.filter(recipient=cast["alice"]).count() == 1
    assert Notification.objects.filter(recipient=cast["alice"]).count() == 1
    # Claimed and written, but killed before it could say so: support sees it as "sending".
    assert Digest.objects.get().delivery == Delivery.SENDING


def test_two_scans_at_once_record_one_dispatch_per_key(cast, make_item, celery_env):
    today = datetime.date(2026, 6, 2)
    for offset in range(-40, 29):  # every step of the ladder, owner and lead
        make_item(deadline=today + datetime.timedelta(days=offset), owner=cast["alice"])
    command = [sys.executable, "manage.py", "run_reminder_scan", "--date", today.isoformat()]

    scans = [
        subprocess.Popen(command, cwd=BASE_DIR, env=celery_env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [scan.communicate(timeout=60)[0] for scan in scans]

    assert [scan.returncode for scan in scans] == [0, 0]
    created = sorted(int(output.split(": ")[1].split()[0]) for output in outputs)
    keys = Dispatch.objects.values_list("subject_id", "kind", "deadline", "recipient_id")
    assert len(keys) == len(set(keys)) == sum(created) == 69 + 33
    assert Notification.objects.count() == len(keys)

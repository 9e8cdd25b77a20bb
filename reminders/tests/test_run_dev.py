"""`make run` runs the app as it runs for real: scripts/run-dev starts the web server and a
Celery worker with beat embedded, and Ctrl-C stops both. For real, as processes; the broker
is kombu's in-memory one so that the test never touches the checkout's var/ queue (the
filesystem broker there is what settings.py picks without REDIS_URL)."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parents[2]
RUN_DEV = BASE_DIR / "scripts" / "run-dev"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(condition, *, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.2)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}:\n{log.read_text()}")


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except OSError:
        return None


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_it_starts_the_web_server_and_the_worker_with_beat_and_stops_both(tmp_path):
    db = connection.settings_dict
    credentials = f"{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@" if db["USER"] else ""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rocu_tracker.settings",
        "DATABASE_URL": f"postgres://{credentials}{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": "memory://",
        "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / "beat-schedule"),
        "EMAIL_URL": f"filemail://{tmp_path / 'mail'}",
        "PYTHON": sys.executable,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "run-dev.log"
    process = subprocess.Popen(
        [str(RUN_DEV)],
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal would give it
    )
    try:
        health = f"http://127.0.0.1:{port}/health/"
        _wait_for(lambda: _status(health) == 200, timeout=30, what="the web server", log=log)
        _wait_for(lambda: " ready." in log.read_text(), timeout=30, what="the worker", log=log)
        _wait_for(lambda: "beat: Starting" in log.read_text(), timeout=10, what="beat", log=log)

        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C
        process.wait(timeout=20)
        _wait_for(
            lambda: not _group_alive(process.pid), timeout=20, what="every process to end", log=log
        )
        assert _status(health) is None
    finally:
        if _group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)

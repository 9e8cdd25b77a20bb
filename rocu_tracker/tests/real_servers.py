"""A real Redis server for the tests that are about the broker and the worker: started on a
free port on 127.0.0.1 for one test and stopped after; and what those tests need to run real
Celery worker processes against the test database. Imported by reminders', dashboards' and
webhooks' Celery tests."""

import os
import signal
import socket
import subprocess
import time
from urllib.parse import quote

import pytest
from django.db import connection

REDIS_SERVER = "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, *, timeout: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(every)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}")


@pytest.fixture
def redis_url(tmp_path):
    if not os.access(REDIS_SERVER, os.X_OK):
        pytest.fail("redis-server is missing: scripts/ensure-test-packages installs it")
    port = free_port()
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path)]
        + ["--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )

    def answers():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    wait_for(answers, timeout=10, what="redis-server")
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=10)


def database_url_for_workers() -> str:
    """The DATABASE_URL of the database this test process uses, for a worker process."""
    db = connection.settings_dict
    credentials = f"{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@" if db["USER"] else ""
    return f"postgres://{credentials}{db['HOST']}:{db['PORT']}/{db['NAME']}"


def use_broker(url: str) -> None:
    """Point this process's Celery app at `url` (the tests' default is memory://)."""
    from rocu_tracker.celery import app as celery_app

    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def stop_processes(processes) -> None:
    """SIGTERM each process still running, then wait for each; kill one that does not stop."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

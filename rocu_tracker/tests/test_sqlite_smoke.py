"""The embedded default works: SQLite, migrations, the reference data and the dev server,
with nothing but the project's own interpreter."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
MANAGE = str(BASE_DIR / "manage.py")
STARTUP_TIMEOUT = 30


def _environment(database: Path) -> dict[str, str]:
    env = os.environ.copy()
    env["DATABASE_URL"] = f"sqlite:///{database}"
    # The defaults are what is under test, not whatever this shell has set.
    for name in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"):
        env.pop(name, None)
    env["DJANGO_SETTINGS_MODULE"] = "rocu_tracker.settings"
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, MANAGE, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stderr}"
    return result


# The pages of each part, as demo people, on SQLite: the queries PostgreSQL-only code would
# break (full-text search, the tallies, string_agg) have their portable paths here.
PAGES_AS_DEMO_PEOPLE = """
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
pages = {
    "sw.secretary": ["/boards/", "/dashboards/", "/dashboards/items/?sort=-status&density=compact",
                     "/dashboards/search/?q=surveillance", "/dashboards/capabilities/",
                     "/api/v1/items/?due=overdue", "/work/"],
    "dc.admin": ["/organisations/devon-and-cornwall/people/",
                 "/organisations/devon-and-cornwall/webhooks/",
                 "/organisations/devon-and-cornwall/api-tokens/", "/accounts/api-tokens/"],
    "board": ["/dashboards/", "/boards/", "/dashboards/board-paper/"],
    None: ["/public/", "/responses/", "/api/v1/schema/", "/api/v1/section55/responses/"],
}
for username, urls in pages.items():
    client = Client()
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    for url in urls:
        response = client.get(url)
        print(response.status_code, username, url)
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get_when_up(url: str, server: subprocess.Popen, log: Path):
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if server.poll() is not None:
            raise AssertionError(f"runserver exited with {server.returncode}:\n{log.read_text()}")
        try:
            return urllib.request.urlopen(url, timeout=5)
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"runserver did not answer within {STARTUP_TIMEOUT}s:\n{log.read_text()}"
                ) from None
            time.sleep(0.25)


def test_it_migrates_loads_and_serves_the_login_page_on_sqlite(tmp_path):
    database = tmp_path / "smoke.sqlite3"
    env = _environment(database)

    _manage(env, "migrate", "--no-input")
    loaded = _manage(env, "load_reference_data")
    assert "Reference data loaded" in loaded.stdout
    assert "2 inspections" in loaded.stdout
    assert database.stat().st_size > 0
    _manage(env, "load_demo_data")
    # The reminder scan's portable path (PostgreSQL has its own); sending is not this test's.
    scanned = _manage({**env, "CELERY_BROKER_URL": "memory://"}, "run_reminder_scan")
    created = int(re.search(r"(\d+) new reminders", scanned.stdout).group(1))
    assert created > 0, scanned.stdout
    again = _manage({**env, "CELERY_BROKER_URL": "memory://"}, "run_reminder_scan")
    assert "0 new reminders" in again.stdout
    shown = subprocess.run(
        [sys.executable, "-c", PAGES_AS_DEMO_PEOPLE],
        cwd=BASE_DIR,
        env={**env, "CELERY_BROKER_URL": "memory://"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert shown.returncode == 0, shown.stderr
    answers = [line for line in shown.stdout.splitlines() if line[:3].isdigit()]
    assert answers and all(line.startswith("200 ") for line in answers), shown.stdout

    port = _free_port()
    log = tmp_path / "runserver.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, MANAGE, "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            with _get_when_up(f"http://127.0.0.1:{port}/accounts/login/", server, log) as page:
                status = page.status
                body = page.read().decode()
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    assert status == 200
    assert "Sign in" in body
    assert 'name="username"' in body

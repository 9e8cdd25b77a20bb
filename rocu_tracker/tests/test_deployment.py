"""The deployment of the README, run for real: gunicorn with deploy/gunicorn.conf.py, a Celery
worker and beat, against the test PostgreSQL and a real Redis, configured only from the
environment. A person signs in over HTTP, changes an item, and the worker emails them."""

import email
import email.policy
import http.cookiejar
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

from organisations.access import SYSTEM
from recommendations import services as recommendation_services
from recommendations.models import TrackedItem
from reminders.models import Delivery, Digest, Dispatch
from reminders.tests import test_celery as harness
from rocu_tracker import settings as project_settings
from rocu_tracker.tests.real_servers import free_port, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "a-long-passphrase-for-alice-42"
RECOMMENDATION = "every police force in England and Wales should publish an action plan"

# The reminders' integration harness, reused: a redis-server on a free port, the processes'
# environment (the live test database, that Redis, mail written to files, beat's schedule
# file) with the settings module that has beat start the daily scan every second, and Celery
# processes that are stopped at the end.
celery_env = harness.celery_env
processes = harness.processes


@pytest.fixture
def production_env(celery_env, tmp_path):
    """What deploy/rocu-tracker.env.example sets, for this machine. The test speaks plain
    HTTP to gunicorn (no TLS proxy in front), so SECURE_SSL_REDIRECT is off; the cookies
    stay Secure, as in production."""
    port = free_port()
    celery_env.update(
        DEBUG="0",
        SECRET_KEY="a-long-random-secret-key-for-the-deployment-test-0123456789",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        SITE_URL=f"http://127.0.0.1:{port}",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
    )
    return celery_env


@pytest.fixture
def background(production_env, tmp_path):
    """Start a command with the production environment, its output in a log file; whatever
    is still running at the end is stopped (terminated, then killed with its children)."""
    started: list[subprocess.Popen] = []

    def start(name: str, *command: str, settings_module: str) -> subprocess.Popen:
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env={**production_env, "DJANGO_SETTINGS_MODULE": settings_module},
            stdout=(tmp_path / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in started:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def people(settings, dc_editor, dc_lead):
    """Alice the editor signs in with a password the production hashers can check (the
    suite's fast MD5 hasher is not among them); Bob the lead owns the item at first."""
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    dc_editor.set_password(PASSWORD)
    dc_editor.email = "alice@example.org"
    dc_editor.save()
    dc_lead.email = "bob@example.org"
    dc_lead.save()
    return dc_editor, dc_lead


@pytest.fixture
def item(people):
    """The 2015 force-level recommendation as it applies to Devon and Cornwall (deadline 30
    June 2016, long overdue), owned by Bob; every other item is closed, so the only
    reminders are about this one."""
    _, bob = people
    item = TrackedItem.objects.get(
        organisation__slug="devon-and-cornwall", finding__audience="all_forces"
    )
    TrackedItem.objects.exclude(pk=item.pk).update(status=TrackedItem.Status.NO_FURTHER_ACTION)
    recommendation_services.tracked_item_assign(item=item, owner=bob, by=SYSTEM)
    return item


class _Page(HTMLParser):
    """A page's forms (action, field values, each select's options) and stylesheets."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[dict] = []
        self.stylesheets: list[str] = []
        self._select = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}, "options": {}})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""
        elif tag == "select" and self.forms:
            self._select = self.forms[-1]["options"].setdefault(attrs["name"], [])
        elif tag == "option" and self._select is not None:
            self._select.append(attrs.get("value"))
        elif tag == "link" and attrs.get("rel") == "stylesheet":
            self.stylesheets.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None

    def form_with(self, name: str) -> dict:
        """The one form with a field of this name."""
        (form,) = [f for f in self.forms if name in f["fields"] or name in f["options"]]
        return form


class _Browser:
    """urllib with a cookie jar, as a person's browser: follows redirects, keeps the session
    and CSRF cookies. They are Secure, so the jar is told that this plain-HTTP test server
    counts as secure (a TLS proxy would stand in front in production)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        jar = http.cookiejar.CookieJar(
            http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
        )
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(self, path: str, *, method: str = "GET", **headers: str):
        request = urllib.request.Request(self.base_url + path, headers=headers, method=method)
        with self.opener.open(request, timeout=30) as response:
            return response, response.read().decode()

    def post(self, path: str, data: dict):
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base_url + path, body, timeout=30) as response:
            return response, response.read().decode()


def _health(base_url: str, path: str = "/health/ready/"):
    try:
        with urllib.request.urlopen(f"{base_url}{path}", timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)
    except OSError:
        return None


def _emails_to(mail_dir: Path, address: str) -> list[email.message.EmailMessage]:
    messages = [
        email.message_from_string(text.lstrip("\n"), policy=email.policy.default)
        for text in harness._messages(mail_dir)
    ]
    return [message for message in messages if message["To"] == address]


def _digest_sent(user) -> bool:
    """The worker records a digest as sent once the mail backend has written it."""
    return Digest.objects.filter(recipient=user, delivery=Delivery.SENT).exists()


def test_it_serves_a_sign_in_and_a_change_and_the_worker_emails_the_new_owner(
    item, people, production_env, background, processes, tmp_path
):
    alice, bob = people
    mail_dir = tmp_path / "mail"
    base_url = production_env["SITE_URL"]
    # Static files first, as the README says: with DEBUG=0 pages name the files through
    # whitenoise's manifest (collected with gzip only: collectstatic_settings.py says why).
    # Meanwhile the worker and beat start, and beat has the daily scan run every second.
    collectstatic = background(
        "collectstatic",
        str(BIN / "python"),
        "manage.py",
        "collectstatic",
        "--no-input",
        settings_module="rocu_tracker.tests.collectstatic_settings",
    )
    harness._worker(processes, "worker")
    processes("beat", "beat")
    assert collectstatic.wait(timeout=60) == 0, (tmp_path / "collectstatic.log").read_text()
    background(
        "gunicorn",
        str(BIN / "gunicorn"),
        "rocu_tracker.wsgi",
        "-c",
        "deploy/gunicorn.conf.py",
        settings_module="rocu_tracker.settings",
    )

    # Before the change: the item's owner and lead, Bob, is reminded; Alice is not.
    wait_for(lambda: _digest_sent(bob), timeout=60, what="the worker to email Bob")
    assert _emails_to(mail_dir, bob.email)
    assert not _emails_to(mail_dir, alice.email)
    assert not Dispatch.objects.filter(recipient=alice).exists()

    status, checks = wait_for(
        lambda: _health(base_url), timeout=30, what="gunicorn to answer /health/ready/"
    )
    # Ready as the load balancer asks: collectstatic's manifest holds what pages link, and
    # Redis serves as both the dashboards' cache and the broker.
    assert (status, checks) == (
        200,
        {
            "database": "ok",
            "migrations": "ok",
            "static files": "ok",
            "cache": "ok",
            "broker": "ok",
        },
    )
    assert _health(base_url, "/health/live/") == (200, {"database": "ok"})

    browser = _Browser(base_url)
    response, page = browser.get("/accounts/login/")
    assert "Content-Security-Policy" in response.headers
    (stylesheet,) = [href for href in _Page(page).stylesheets if "bootstrap" in href]
    response, _ = browser.get(stylesheet, method="HEAD", **{"Accept-Encoding": "gzip"})
    # whitenoise serves the hashed, compressed file from gunicorn, cacheable for ever.
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]

    login = _Page(page).form_with("password")
    response, page = browser.post(
        "/accounts/login/",
        {**login["fields"], "username": alice.username, "password": PASSWORD},
    )
    assert "/accounts/login/" not in response.url, page
    assert "Sign out" in page

    response, page = browser.get(f"/items/{item.pk}/")
    assert {"private", "no-store"} <= {
        directive.strip() for directive in response.headers["Cache-Control"].split(",")
    }
    owner_form = _Page(page).form_with("owner")
    assert owner_form["action"] == f"/items/{item.pk}/owner/"
    assert str(alice.pk) in owner_form["options"]["owner"]
    response, page = browser.post(
        owner_form["action"], {**owner_form["fields"], "owner": str(alice.pk)}
    )
    assert response.url == f"{base_url}/items/{item.pk}/"
    assert "Owner changed." in page

    # The next scan starts a reminder series for the new owner; the worker sends her digest.
    wait_for(lambda: _digest_sent(alice), timeout=60, what="the worker to email Alice")
    (message,) = _emails_to(mail_dir, alice.email)
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert message["Subject"].startswith("ROCU Tracker reminders for")
    assert RECOMMENDATION in body
    assert "overdue (month" in body  # 30 June 2016 is years past: monthly by now
    assert f"{base_url}/notifications/" in body
    item.refresh_from_db()
    assert item.owner == alice

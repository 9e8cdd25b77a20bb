"""The test cast and shared fixtures. Every test runs on PostgreSQL (make test starts one)."""

import os
from pathlib import Path

import pytest
from auditlog.context import disable_auditlog
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from pytest_django.plugin import blocking_manager_key

from inspections.models import Inspection
from inspections.reference_data import reference_data_load
from organisations import services as organisation_services
from organisations.access import SYSTEM
from organisations.models import Membership, Organisation
from rocu_tracker.celery import app as celery_app

# Playwright's sync API runs an event loop in the test's thread; Django would otherwise refuse
# the database calls that fixtures make around it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"

# The real Redis server of the Celery tests (the `redis_url` fixture).
pytest_plugins = ["rocu_tracker.tests.real_servers"]


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        raise pytest.UsageError(
            f"The tests run on PostgreSQL, not {engine}. Use `make test`, which starts a "
            "throwaway server, or set DATABASE_URL=postgres://..."
        )
    # WhiteNoise warns about a missing STATIC_ROOT; collectstatic makes it in production.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    # A task that a test enqueues must not land in the filesystem queue under var/ that the
    # worker of `make run` reads: it names rows of the test database (and failed there with
    # IntegrityError). Tests of real workers start them with a broker of their own.
    celery_app.conf.broker_url = "memory://"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs about half a second a password; tests need not pay it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing cached (dashboards are cached between requests)."""
    cache.clear()


@pytest.fixture(autouse=True)
def media_in_a_temporary_folder(settings, tmp_path):
    """Uploaded evidence goes to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


# Loading the reference data costs about a second; most tests only read it. It is loaded once
# per session, committed, before the first test: every test on the database (each inside a
# transaction rolled back after it) starts from it. A transactional test (live server, real
# concurrency) empties the database when it ends, so the next one that asks loads it again.


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), disable_auditlog():
        reference_data_load()


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction", False):
        return True
    return bool({"transactional_db", "live_server"} & set(item.fixturenames))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test empties the database when it ends; load the reference data again
    once every fixture is torn down (a fixture's own teardown would run before the flush for
    a `django_db(transaction=True)` test), so the tests that follow still share it."""
    transactional = _is_transactional(item)
    result = yield
    # After the last test the session's teardown has already dropped the test database.
    if transactional and nextitem is not None:
        # pytest-django's database blocker, as its django_db_blocker fixture returns it.
        with item.config.stash[blocking_manager_key].unblock(), disable_auditlog():
            reference_data_load()
    return result


@pytest.fixture
def reference_data(db):
    """The real reference data: 43 forces, their bodies and regions, the two inspections."""
    if not Inspection.objects.exists():
        reference_data_load()


@pytest.fixture
def empty_database(db):
    """For the tests of loading itself: none of the shared reference data. PostgreSQL's
    TRUNCATE is transactional, so the data is back when this test's transaction rolls back."""
    tables = [
        model._meta.db_table
        for app in ("organisations", "inspections", "recommendations", "actionplans", "section55")
        for model in apps.get_app_config(app).get_models()
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(map(connection.ops.quote_name, tables))} CASCADE")


@pytest.fixture
def organisations(reference_data):
    return {organisation.slug: organisation for organisation in Organisation.objects.all()}


def _member(django_user_model, username, organisation, role, **extra):
    user = django_user_model.objects.create_user(username=username, password="pw", **extra)
    organisation_services.membership_grant(
        user=user, organisation=organisation, role=role, by=SYSTEM
    )
    return user


@pytest.fixture
def dc_editor(django_user_model, organisations):
    """Alice: edits Devon and Cornwall Police's plans."""
    return _member(
        django_user_model, "alice", organisations["devon-and-cornwall"], Membership.Role.EDITOR
    )


@pytest.fixture
def dc_lead(django_user_model, organisations):
    """Bob: Devon and Cornwall Police's lead, who signs off."""
    return _member(
        django_user_model, "bob", organisations["devon-and-cornwall"], Membership.Role.LEAD
    )


@pytest.fixture
def cambs_editor(django_user_model, organisations):
    """Charlie: the outsider, an editor at another force."""
    return _member(
        django_user_model, "charlie", organisations["cambridgeshire"], Membership.Role.EDITOR
    )


@pytest.fixture
def dc_pcc_staff(django_user_model, organisations):
    return _member(
        django_user_model,
        "dana",
        organisations["devon-and-cornwall-pcc"],
        Membership.Role.PCC_STAFF,
    )


@pytest.fixture
def board_member(django_user_model, organisations):
    return _member(django_user_model, "erin", organisations["swrocu"], Membership.Role.VIEWER)


@pytest.fixture
def dc_org_admin(django_user_model, organisations):
    """Olive: administers Devon and Cornwall Police's people."""
    return _member(
        django_user_model,
        "olive",
        organisations["devon-and-cornwall"],
        Membership.Role.ORGANISATION_ADMINISTRATOR,
        email="olive@example.org",
        first_name="Olive",
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, headless, with nothing reaching for the network."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def log_in(live_server):
    """Sign a user in through the login page, as a person would: log_in(page, user)."""

    def _log_in(page, user, password="pw"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return _log_in


@pytest.fixture(autouse=True)
def audit_trail_off():
    """django-auditlog writes a log entry beside every save, which triples the cost of
    loading the reference data; the trail's own tests (accounts/tests/test_audit.py) keep it."""
    with disable_auditlog():
        yield


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's admin client, with the second factor the admin site asks of staff
    (accounts/middleware.py): a confirmed authenticator, verified in this session."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=admin_user, name="Authenticator app", confirmed=True)
    client = Client()
    client.force_login(admin_user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client

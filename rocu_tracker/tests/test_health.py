"""Liveness (/health/live/: the process and its database) and readiness (/health/ready/, and
/health/ under its old name: database, migrations, static files; Redis as degraded only)."""

import json
import re

import pytest

from rocu_tracker import health
from rocu_tracker.celery import app

pytestmark = pytest.mark.django_db

MANIFEST_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
EVERYTHING_OK = {
    "database": "ok",
    "migrations": "ok",
    "static files": "ok",
    "cache": "ok",
    "broker": "ok",
}


@pytest.fixture
def unreachable_broker():
    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    yield
    app.conf.broker_url = previous


@pytest.fixture
def production_static(settings, tmp_path):
    """Pages name static files through the manifest, as with DEBUG=0 (the settings choose
    the storage from DEBUG when they load), in a STATIC_ROOT collectstatic has not filled."""
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": MANIFEST_STORAGE},
    }
    settings.STATIC_ROOT.mkdir()
    return settings.STATIC_ROOT


def test_it_reports_everything_ready(client):
    for path in ("/health/ready/", "/health/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.json() == EVERYTHING_OK
        assert "no-cache" in response["Cache-Control"]


def test_it_reports_the_process_live_with_its_database(client):
    response = client.get("/health/live/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_it_stays_ready_with_the_broker_degraded(client, unreachable_broker):
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json() == {**EVERYTHING_OK, "broker": "degraded"}
    assert client.get("/health/").status_code == 200
    assert client.get("/health/live/").json() == {"database": "ok"}


def test_it_is_not_ready_without_the_static_files_manifest(client, production_static):
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.json()["static files"] == "failing"
    assert client.get("/health/").status_code == 503
    # The process itself is alive: restarting it would not bring the manifest.
    assert client.get("/health/live/").status_code == 200


def test_it_is_ready_once_collectstatic_has_written_the_manifest(client, production_static):
    paths = {name: name.replace(".", ".0123456789ab.", 1) for name in health.PAGE_STATIC_FILES}
    manifest = {"paths": paths, "version": "1.1", "hash": "0123456789ab"}
    (production_static / "staticfiles.json").write_text(json.dumps(manifest))
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json()["static files"] == "ok"


def test_it_checks_every_file_that_every_page_loads():
    from pathlib import Path

    from django.conf import settings

    templates = Path(settings.BASE_DIR) / "templates"
    loaded = set()
    for name in ("base.html", "_site_header.html", "_site_footer.html"):
        loaded |= set(
            re.findall(r"{% (?:asset|static) '([^']+)' %}", (templates / name).read_text())
        )
    assert loaded == set(health.PAGE_STATIC_FILES)


def test_it_is_not_ready_with_a_migration_unapplied(client, monkeypatch):
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    monkeypatch.setattr(health, "_migrations_applied", False)
    recorder = MigrationRecorder(connection)
    latest = recorder.migration_qs.filter(app="dashboards").order_by("-id").first()
    latest.delete()
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.json()["migrations"] == "failing"

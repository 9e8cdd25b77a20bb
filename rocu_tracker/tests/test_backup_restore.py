"""The documented backup and restore, run for real: every record and every history event
comes back in a fresh database."""

import os
import stat
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from recommendations.models import TrackedItemEvent

BASE_DIR = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def _url(database: str) -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{database}"


def _run(script: str, *args: str, database: str) -> None:
    subprocess.run(
        [str(BASE_DIR / "scripts" / script), *args],
        env={**os.environ, "DATABASE_URL": _url(database)},
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture
def fresh_database():
    name = f"rocu_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(_url(connection.settings_dict["NAME"]))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


def _tables():
    """Users and every model of the project's own apps."""
    for config in apps.get_app_configs():
        if config.label == "auth" or Path(config.path).is_relative_to(BASE_DIR):
            yield from config.get_models()


def test_a_restored_backup_holds_every_record_and_history_event(tmp_path, settings, fresh_database):
    settings.DEMO_MODE = True
    call_command("load_reference_data")
    call_command("load_demo_data")
    backup = tmp_path / "rocu.dump"

    _run("backup-database", str(backup), database=connection.settings_dict["NAME"])
    _run("restore-database", str(backup), database=fresh_database)

    restored = psycopg2.connect(_url(fresh_database))
    try:
        with restored.cursor() as cursor:
            for model in _tables():
                cursor.execute(f'SELECT count(*) FROM "{model._meta.db_table}"')
                assert cursor.fetchone()[0] == model.objects.count(), model._meta.label
            cursor.execute(
                "SELECT id, item_id, kind, occurred_on, narrative "
                "FROM recommendations_trackeditemevent ORDER BY id"
            )
            events = cursor.fetchall()
    finally:
        restored.close()
    expected = list(
        TrackedItemEvent.objects.order_by("id").values_list(
            "id", "item_id", "kind", "occurred_on", "narrative"
        )
    )
    assert events == expected
    assert len(expected) > 66  # the fan-out's opening events and the demo history


def test_it_writes_the_backup_readable_by_its_owner_only(tmp_path):
    """The dump holds password hashes and every force's records: mode 0600, whatever the
    caller's umask, also over an earlier file someone left world-readable."""
    fresh, earlier = tmp_path / "fresh.dump", tmp_path / "earlier.dump"
    earlier.write_bytes(b"an old backup")
    earlier.chmod(0o644)
    previous = os.umask(0o022)
    try:
        for backup in (fresh, earlier):
            _run("backup-database", str(backup), database=connection.settings_dict["NAME"])
    finally:
        os.umask(previous)
    for backup in (fresh, earlier):
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600, backup.name
        assert backup.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format

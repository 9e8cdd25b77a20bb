"""The settings the reminders rely on: file mail from EMAIL_URL, the beat schedule, and the
production defaults for the database connections."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.conf import settings

from rocu_tracker.celery import app

BASE_DIR = Path(__file__).resolve().parents[2]


def _mailers(email_url: str) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "rocu_tracker.settings", "EMAIL_URL": email_url}
    code = "from django.conf import settings as s; print(s.MAILERS['default'])"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_it_writes_mail_files_where_a_filemail_url_says():
    out = _mailers("filemail:///tmp/rocu-mail")
    assert "filebased.EmailBackend" in out
    assert "'file_path': '/tmp/rocu-mail'" in out


def test_it_runs_the_scan_daily_at_six_by_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["reminders-daily-scan"]
    assert entry["schedule"] == crontab(hour=6, minute=0)
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


def test_it_never_runs_tasks_eagerly():
    assert not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False)
    assert settings.CELERY_TASK_ACKS_LATE is True


@pytest.mark.parametrize(
    ("entry", "task", "schedule"),
    [
        ("reminders-daily-prune", "reminders.prune", crontab(hour=3, minute=30)),
        ("sessions-daily-clear", "accounts.clear_sessions", crontab(hour=3, minute=0)),
    ],
)
def test_it_runs_the_housekeeping_daily_by_beat(entry, task, schedule):
    assert settings.CELERY_BEAT_SCHEDULE[entry] == {"task": task, "schedule": schedule}
    app.loader.import_default_modules()
    assert task in app.tasks


def _settings_of(**environment) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "rocu_tracker.settings", **environment}
    env.pop("CONN_MAX_AGE", None)
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], s.SESSION_SAVE_EVERY_REQUEST)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_it_keeps_database_connections_in_production_and_checks_them():
    assert _settings_of(DEBUG="0", SECRET_KEY="test-only") == "60 True False"


def test_it_opens_a_connection_per_request_under_the_development_server():
    assert _settings_of(DEBUG="1") == "0 True False"

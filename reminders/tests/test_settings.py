"""The settings the reminders rely on: file mail from EMAIL_URL, and the beat schedule."""

import os
import subprocess
import sys
from pathlib import Path

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

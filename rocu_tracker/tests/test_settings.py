"""Settings come from the environment; with DEBUG off a missing secret fails loudly."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(__file__).resolve().parents[2]
SETUP = "import django; django.setup()"


def _setup(code: str = SETUP, **variables: str | None) -> subprocess.CompletedProcess:
    env = os.environ.copy()
    env["DJANGO_SETTINGS_MODULE"] = "rocu_tracker.settings"
    for name, value in variables.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = _setup(DEBUG="0", SECRET_KEY=None)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_it_refuses_an_empty_secret_key_when_debug_is_off():
    result = _setup(DEBUG="0", SECRET_KEY="")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_starts_with_debug_off_given_a_secret_key_and_hosts():
    code = (
        f"{SETUP}; from django.conf import settings as s; "
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.SECRET_KEY, s.DEMO_MODE)"
    )

    result = _setup(code, DEBUG="0", SECRET_KEY="a-real-secret", ALLOWED_HOSTS="example.org")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == "False ['example.org'] a-real-secret False"


def test_it_starts_without_a_secret_key_in_debug():
    result = _setup(f"{SETUP}; from django.conf import settings as s; print(s.DEBUG)", DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_it_keeps_time_in_london():
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.USE_TZ is True
    assert settings.CELERY_TIMEZONE == "Europe/London"

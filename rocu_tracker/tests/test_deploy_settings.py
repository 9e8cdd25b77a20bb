"""The production environment of the README passes Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-check-0123456789abcdef",
    "ALLOWED_HOSTS": "tracker.example.police.uk",
    "CSRF_TRUSTED_ORIGINS": "https://tracker.example.police.uk",
    "DATABASE_URL": "postgres://rocu:secret@db.internal:5432/rocu",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "EMAIL_URL": "smtp+tls://tracker:secret@smtp.example.police.uk:587",
    "BEHIND_TLS_PROXY": "1",
}


def test_check_deploy_is_clean_with_the_production_environment():
    # The test run's own switches (DJANGO_ALLOW_ASYNC_UNSAFE for Playwright) stay out.
    inherited = {"PATH", "HOME", "LANG", "PYTHONPATH"}
    env = {key: value for key, value in os.environ.items() if key in inherited}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env={**env, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

"""deploy/rocu-tracker.env.example, read the way the README's production steps read it: bash
runs the README's own line, then Django loads its settings from what that line exported."""

import json
import re
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
EXAMPLE = BASE_DIR / "deploy" / "rocu-tracker.env.example"
README_LINE = "set -a && . /etc/rocu-tracker/env && set +a"
INSTALLED_AT = "/etc/rocu-tracker/env"

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({name: str(getattr(settings, name)) for name in
      ["DEBUG", "STATIC_ROOT", "MEDIA_ROOT", "DEFAULT_FROM_EMAIL", "ALLOWED_HOSTS"]}))
"""


def _readme_command() -> str:
    """The README's line, as written (its comment apart)."""
    readme = (BASE_DIR / "README.md").read_text()
    (line,) = [line for line in readme.splitlines() if line.startswith("set -a ")]
    return re.sub(r"\s+#.*$", "", line)


def test_it_keeps_the_readme_line_the_test_runs():
    assert _readme_command() == README_LINE


def test_it_sets_every_value_of_the_example_when_sourced_as_the_readme_says():
    command = _readme_command().replace(INSTALLED_AT, str(EXAMPLE))
    result = subprocess.run(
        ["bash", "-c", f'{command} && exec "$0" -c "$1"', sys.executable, PRINT_SETTINGS],
        cwd=BASE_DIR,
        # Nothing from the test run: only what the file sets reaches Django.
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "rocu_tracker.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert EXAMPLE.name not in result.stderr  # bash names the file in what it complains of
    assert json.loads(result.stdout) == {
        "DEBUG": "False",
        "STATIC_ROOT": "/srv/rocu-tracker/static",
        "MEDIA_ROOT": "/srv/rocu-tracker/media",
        "DEFAULT_FROM_EMAIL": "ROCU Tracker <rocu-tracker@example.police.uk>",
        "ALLOWED_HOSTS": "['tracker.example.police.uk']",
    }

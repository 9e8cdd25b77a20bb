"""The W3C Nu HTML checker (vnu.jar from the vnu-jar npm package, installed from the lock file
in html_checker/ by `make test`, on Debian's Java), run once over many documents.

One Java start costs about two seconds, so the documents are written to one folder and
checked in one run. Documents that differ only by their CSRF token (the same error page
as every role, the same form for two users) are checked once.
"""

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

VNU_JAR = Path(__file__).parent / "html_checker/node_modules/vnu-jar/build/dist/vnu.jar"
JAVA = shutil.which("java") or "/usr/bin/java"
# A run this short ends before Java's optimising compiler pays for itself: its quick (C1)
# compiler alone, with one garbage collector thread, takes about 40% less CPU over 400 pages.
# The checker's schema code then needs a deeper stack than the 1 MB default.
JAVA_OPTIONS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss16m"]
VNU_OPTIONS = ["--errors-only", "--format", "json", "--stdout", "--exit-zero-always", "--html"]
CSRF_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def html_errors(documents: dict[str, str]) -> list[str]:
    """The checker's errors (not its warnings) in the documents, a {where: html} mapping,
    each as "where, line N: message" (with the other places the same document was seen)."""
    if not VNU_JAR.exists():
        raise RuntimeError(f"No {VNU_JAR}: run `make test` (or npm ci in its folder) first")
    places = _group_identical(documents)
    with tempfile.TemporaryDirectory(prefix="vnu-") as folder:
        files = {}
        for number, (html, wheres) in enumerate(places.items()):
            path = Path(folder) / f"{number:05}.html"
            path.write_text(html, encoding="utf-8")
            files[path.name] = wheres
        messages = _run_vnu(folder)
    return sorted(_describe(message, files) for message in messages)


def _group_identical(documents: dict[str, str]) -> dict[str, list[str]]:
    places: dict[str, list[str]] = {}
    by_digest: dict[str, str] = {}
    for where, html in documents.items():
        normalised = CSRF_TOKEN.sub(r"\1token\2", html)
        digest = hashlib.sha256(normalised.encode()).hexdigest()
        first = by_digest.setdefault(digest, normalised)
        places.setdefault(first, []).append(where)
    return places


def _run_vnu(folder: str) -> list[dict]:
    result = subprocess.run(
        [JAVA, *JAVA_OPTIONS, "-jar", str(VNU_JAR), *VNU_OPTIONS, folder],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(result.stdout)["messages"]


def _describe(message: dict, files: dict[str, list[str]]) -> str:
    wheres = files.get(Path(message.get("url", "")).name, ["(unknown document)"])
    also = f" (and {len(wheres) - 1} more like it)" if len(wheres) > 1 else ""
    extract = message.get("extract", "").strip().replace("\n", " ")
    return f"{wheres[0]}{also}, line {message.get('lastLine', '?')}: {message['message']}" + (
        f"\n      {extract[:160]}" if extract else ""
    )

"""Evidence in a shared S3 bucket (STORAGES["default"] as settings.py builds it for
AWS_STORAGE_BUCKET_NAME): a real S3 server on this machine (moto in server mode, its HTTP
API, nothing mocked in our process), an upload through the page, a download by another
person through the access check, an outsider's 404, and the command that moves files from
disk to the bucket verifying each."""

import hashlib
import io
import json
import os
import socket
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from recommendations.models import Evidence, TrackedItem
from rocu_tracker.tests.real_servers import free_port, wait_for

pytestmark = pytest.mark.django_db

REGION = "eu-west-2"
BASE_DIR = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    """moto's S3 server on a free port of 127.0.0.1, stopped at the end of the module."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"

    def answers():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                pass
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):
                return True
        except OSError:
            return False

    try:
        wait_for(answers, timeout=30, what="moto's S3 server")
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def s3_storage_settings(s3_endpoint):
    """STORAGES["default"] exactly as rocu_tracker/settings.py builds it from the
    environment of a deployment that names a bucket (read in a process of its own)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['default']))"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rocu_tracker.settings",
        "AWS_STORAGE_BUCKET_NAME": "placeholder",
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_S3_ADDRESSING_STYLE": "path",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def new_bucket(s3_endpoint, s3_storage_settings, settings, monkeypatch):
    """new_bucket() makes a fresh private bucket and points the evidence storage at it.
    boto3 reads the keys from the environment, as on a deployed host."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-access-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret-key")

    def make():
        name = f"evidence-{uuid.uuid4().hex[:12]}"
        client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION)
        client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        options = {**s3_storage_settings["OPTIONS"], "bucket_name": name}
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {**s3_storage_settings, "OPTIONS": options},
        }
        return client, name

    return make


@pytest.fixture
def item(reference_data):
    return TrackedItem.objects.get(
        organisation__slug="devon-and-cornwall", finding__audience="all_forces"
    )


def _upload(client, item, name: str, content: bytes):
    item.refresh_from_db()
    response = client.post(
        reverse("recommendations:item_progress", args=[item.pk]),
        {
            "version": item.version,
            "status": item.status,
            "narrative": f"Board minutes ({name}).",
            "evidence": [SimpleUploadedFile(name, content, "application/pdf")],
        },
    )
    assert response.status_code == 302, response.content.decode()
    return Evidence.objects.get(original_name=name)


def _object(bucket, name: str) -> bytes:
    client, bucket_name = bucket
    return client.get_object(Bucket=bucket_name, Key=name)["Body"].read()


def _download(client, evidence):
    response = client.get(reverse("recommendations:evidence", args=[evidence.pk]))
    return response, b"".join(response.streaming_content) if response.status_code == 200 else b""


def test_it_stores_an_upload_in_the_bucket_and_serves_it_only_through_the_access_check(
    client, item, new_bucket, settings, dc_editor, dc_lead, cambs_editor
):
    bucket = new_bucket()
    assert settings.STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    client.force_login(dc_editor)
    content = PDF + b"% minutes of the June board\n"
    evidence = _upload(client, item, "minutes.pdf", content)

    assert _object(bucket, evidence.file.name) == content
    assert not (settings.MEDIA_ROOT / "evidence").exists(), "nothing is kept on this disk"

    client.force_login(dc_lead)
    response, body = _download(client, evidence)
    assert response.status_code == 200
    assert body == content
    assert response["Content-Disposition"] == 'attachment; filename="minutes.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    # Any URL the storage would make is signed and expires within a minute.
    assert "X-Amz-Expires=60" in evidence.file.url

    client.force_login(cambs_editor)
    response, _ = _download(client, evidence)
    assert response.status_code == 404


def test_it_moves_files_from_disk_to_the_bucket_verifying_each(
    client, item, new_bucket, settings, dc_editor, dc_lead
):
    client.force_login(dc_editor)
    contents = {f"minutes-{n}.pdf": PDF + f"% meeting {n}\n".encode() for n in range(3)}
    on_disk = [_upload(client, item, name, content) for name, content in contents.items()]
    media = settings.MEDIA_ROOT
    assert all((media / evidence.file.name).exists() for evidence in on_disk)

    # The deployment moves to the bucket: the settings now name it, the files are still on disk.
    bucket = new_bucket()
    out = _call_move(source=str(media))

    assert "Moved and verified 3, already in the storage and verified 0, failed 0." in out
    for evidence in on_disk:
        assert not (media / evidence.file.name).exists()
        assert _object(bucket, evidence.file.name) == contents[evidence.original_name]
    client.force_login(dc_lead)
    for evidence in on_disk:
        response, body = _download(client, evidence)
        assert (response.status_code, body) == (200, contents[evidence.original_name])

    # Run again (an interrupted move is simply started over): each is only verified.
    out = _call_move(source=str(media))
    assert "Moved and verified 0, already in the storage and verified 3, failed 0." in out


def test_it_leaves_a_file_it_cannot_verify_on_disk_and_says_which(
    client, item, new_bucket, settings, dc_editor
):
    client.force_login(dc_editor)
    good, short, lost = (
        _upload(client, item, f"{label}.pdf", PDF + label.encode())
        for label in ("good", "short", "lost")
    )
    media = settings.MEDIA_ROOT
    (media / short.file.name).write_bytes(PDF[:5])  # damaged on disk since it was recorded
    (media / lost.file.name).unlink()
    new_bucket()

    with pytest.raises(CommandError, match="2 file"):
        _call_move(source=str(media))

    assert not (media / good.file.name).exists()
    assert (media / short.file.name).read_bytes() == PDF[:5]
    digest = hashlib.sha256(PDF + b"good").hexdigest()
    storage_copy = good.file.storage.open(good.file.name).read()
    assert hashlib.sha256(storage_copy).hexdigest() == digest


def test_it_refuses_to_move_when_the_storage_is_the_same_folder(settings):
    with pytest.raises(CommandError, match="AWS_STORAGE_BUCKET_NAME"):
        _call_move(source=str(settings.MEDIA_ROOT))


def _call_move(**options) -> str:
    out = io.StringIO()
    call_command("evidence_move_to_storage", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()

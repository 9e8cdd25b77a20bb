"""For real: the request enqueues the export job in Redis, a Celery worker process (solo
pool) against the test database writes the file into the storage, and its owner downloads
it. Nothing here is mocked.

(Redis comes from rocu_tracker/tests/real_servers.py, as for reminders/tests/test_celery.py.)"""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dashboards.models import DownloadStatus, ExportJob
from rocu_tracker.celery import app as celery_app
from rocu_tracker.tests.real_servers import (
    database_url_for_workers,
    stop_processes,
    use_broker,
    wait_for,
)

from .helpers import make_items

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


@pytest.fixture
def worker(redis_url, settings, tmp_path):
    """A worker on Redis and the test database, writing to this test's storage folder; the
    test process sends its tasks to the same Redis."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rocu_tracker.settings",
        "DATABASE_URL": database_url_for_workers(),
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / "beat-schedule"),
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "worker.log"
    process = subprocess.Popen(
        [CELERY, "-A", "rocu_tracker", "worker", "--pool", "solo", "--loglevel", "INFO"]
        + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=BASE_DIR,
        env=environment,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    previous = celery_app.conf.broker_url
    use_broker(redis_url)
    yield log
    use_broker(previous)
    stop_processes([process])


def test_a_worker_writes_the_long_export_and_its_owner_downloads_it(
    client, board_member, cambs_editor, organisations, worker, settings
):
    settings.EXPORT_INLINE_ROW_LIMIT = 10
    make_items(40, organisation=organisations["devon-and-cornwall"], today=timezone.localdate())
    client.force_login(board_member)
    query = {"organisation": organisations["devon-and-cornwall"].id}
    response = client.get(reverse("dashboards:export_xlsx"), query)
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("dashboards:export_job", args=[job.pk])

    def finished():
        job.refresh_from_db()
        return job.is_finished

    wait_for(finished, timeout=60, what=f"the worker to write the export ({worker})")
    assert job.status == DownloadStatus.DONE, job.error or worker.read_text()
    assert "dashboards.run_export_job" in worker.read_text()

    download = client.get(reverse("dashboards:export_job_download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(download.getvalue())).active
    assert sheet.max_row - 1 == job.rows_written == job.total_rows >= 40
    client.force_login(cambs_editor)
    assert client.get(reverse("dashboards:export_job_download", args=[job.pk])).status_code == 404

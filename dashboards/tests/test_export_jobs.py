"""An export past EXPORT_INLINE_ROW_LIMIT rows becomes a Celery job: the user is sent to its
page, which shows its progress and then the link, for them alone. The task's function runs
in-process here (these tests are about the job, not the worker: test_export_worker.py runs a
real one)."""

import csv
import datetime
import io

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dashboards import exports, services, tasks
from dashboards.models import DownloadStatus, ExportJob
from rocu_tracker.celery import app as celery_app

from .helpers import make_items

pytestmark = pytest.mark.django_db

EXPORTS = {"csv": reverse("dashboards:export_csv"), "xlsx": reverse("dashboards:export_xlsx")}


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def long_list(settings, organisations, today):
    """Devon and Cornwall's 12 items (and the reference data's), a limit of 5 rows."""
    settings.EXPORT_INLINE_ROW_LIMIT = 5
    make_items(12, organisation=organisations["devon-and-cornwall"], today=today)
    return {"organisation": organisations["devon-and-cornwall"].id, "state": "open"}


def _page(client, job, **headers):
    return client.get(reverse("dashboards:export_job", args=[job.pk]), headers=headers)


def _download(client, job):
    return client.get(reverse("dashboards:export_job_download", args=[job.pk]))


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode())))


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_it_turns_an_export_past_the_limit_into_a_job(
    client, board_member, long_list, format, django_capture_on_commit_callbacks
):
    client.force_login(board_member)
    with django_capture_on_commit_callbacks() as enqueued:
        response = client.get(EXPORTS[format], long_list)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:export_job", args=[job.pk])
    assert (job.requested_by, job.format, job.status) == (board_member, format, "pending")
    assert job.filters == {"organisation": long_list["organisation"], "state": "open"}
    assert len(enqueued) == 1  # the task, once the job's row is committed

    again = client.get(EXPORTS[format], long_list)
    assert again["Location"] == response["Location"]
    assert ExportJob.objects.count() == 1

    page = client.get(response["Location"])
    assert "Waiting for the next free worker" in page.content.decode()


def test_it_streams_an_export_at_the_limit(client, board_member, long_list, settings):
    settings.EXPORT_INLINE_ROW_LIMIT = len(_inline_csv(client, board_member, long_list)) - 1
    response = client.get(EXPORTS["csv"], long_list)
    assert response.streaming
    assert not ExportJob.objects.exists()


def _inline_csv(client, user, query) -> list[list[str]]:
    """The export as a request writes it, with no limit."""
    client.force_login(user)
    limit = django_settings.EXPORT_INLINE_ROW_LIMIT
    django_settings.EXPORT_INLINE_ROW_LIMIT = 10**9
    try:
        return _csv(client.get(EXPORTS["csv"], query).getvalue())
    finally:
        django_settings.EXPORT_INLINE_ROW_LIMIT = limit


def test_the_job_page_shows_its_progress_then_the_link(
    client, board_member, long_list, monkeypatch
):
    """The page, asked by htmx while the worker writes (every 5 rows here), says how far it
    has got and asks again in two seconds; once done, it offers the file and stops."""
    expected = _inline_csv(client, board_member, long_list)
    client.get(EXPORTS["csv"], long_list)
    job = ExportJob.objects.get()
    monkeypatch.setattr(exports, "CHUNK_SIZE", 5)
    pages_while_running = []
    rows = exports.value_rows

    def watched(items):
        for number, row in enumerate(rows(items)):
            if number == 7:
                pages_while_running.append(_page(client, job, **{"HX-Request": "true"}))
            yield row

    monkeypatch.setattr(exports, "value_rows", watched)
    assert tasks.run_export_job(str(job.pk)) is True

    [running] = pages_while_running
    html = running.content.decode()
    assert f"5 of {len(expected) - 1} rows written." in html
    assert 'hx-trigger="every 2s"' in html
    assert "?seen=running" in html
    assert '<div id="export-job-announcer" data-hx-swap-oob="innerHTML">' in html
    assert "The export is being written." in html
    assert "<html" not in html  # the partial alone

    done = _page(client, job, **{"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done
    assert "The export is ready to download." in done
    download = reverse("dashboards:export_job_download", args=[job.pk])
    assert f'href="{download}"' in done
    full_page = _page(client, job).content.decode()
    assert 'role="status" aria-live="polite"' in full_page
    assert "Download the CSV file" in full_page

    response = _download(client, job)
    assert response["Content-Disposition"].startswith("attachment")
    assert _csv(response.getvalue()) == expected
    job.refresh_from_db()
    assert job.rows_written == job.total_rows == len(expected) - 1
    assert job.file.name.startswith(f"downloads/exports/{job.pk}/")


def test_it_writes_the_xlsx_job_with_the_same_rows(client, board_member, long_list):
    expected = _inline_csv(client, board_member, long_list)
    client.get(EXPORTS["xlsx"], long_list)
    job = ExportJob.objects.get()
    tasks.run_export_job(str(job.pk))
    response = _download(client, job)
    assert response["Content-Type"] == exports.FORMATS["xlsx"]
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    written = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert [row[4] for row in written] == [row[4] for row in expected]


def test_it_shows_the_job_and_its_file_to_nobody_else(
    client, board_member, cambs_editor, dc_editor, long_list
):
    client.force_login(board_member)
    client.get(EXPORTS["csv"], long_list)
    job = ExportJob.objects.get()
    tasks.run_export_job(str(job.pk))
    for other in (cambs_editor, dc_editor):
        client.force_login(other)
        assert _page(client, job).status_code == 404
        assert _download(client, job).status_code == 404
    client.logout()
    assert _page(client, job).status_code == 302  # to sign in


def test_it_deletes_the_file_a_day_later(client, board_member, long_list):
    client.force_login(board_member)
    client.get(EXPORTS["csv"], long_list)
    job = ExportJob.objects.get()
    tasks.run_export_job(str(job.pk))
    job.refresh_from_db()
    name = job.file.name
    assert default_storage.exists(name)

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=23)):
        assert tasks.expire_downloads()["exports_expired"] == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=25)):
        client.force_login(board_member)  # the session of yesterday has ended
        assert _download(client, job).status_code == 404  # before the task has run, too
        assert tasks.expire_downloads()["exports_expired"] == 1
        assert not default_storage.exists(name)
        job.refresh_from_db()
        assert (job.status, job.file.name) == (DownloadStatus.EXPIRED, "")
        assert "This file has expired" in _page(client, job).content.decode()


def test_it_schedules_the_expiry_hourly():
    [entry] = [
        entry
        for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "dashboards.expire_downloads"
    ]
    assert entry["schedule"].minute == {17}
    assert len(entry["schedule"].hour) == 24
    assert {"dashboards.run_export_job", "dashboards.expire_downloads"} <= set(celery_app.tasks)


def test_it_records_a_failed_job_and_says_so(client, board_member, long_list):
    client.force_login(board_member)
    job = services.export_job_request(
        user=board_member,
        format="csv",
        filters={"deadline_after": "not a date"},
        query="",
        today=timezone.localdate(),
    )
    with pytest.raises(ValueError):
        tasks.run_export_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == DownloadStatus.FAILED
    assert job.error.startswith("ValueError")
    html = _page(client, job).content.decode()
    assert "The export could not be written." in html
    assert "hx-trigger" not in html
    assert tasks.run_export_job(str(job.pk)) is False  # finished: a re-delivery does nothing

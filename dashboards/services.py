"""Every write the dashboards make: the calendar feed token, and the downloads that Celery
prepares (long exports, large board paper PDFs)."""

import datetime
import logging
import secrets
import tempfile
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from rocu_tracker.pdf import render_pdf

from . import exports, listing, selectors
from .models import (
    DOWNLOADS_FOLDER,
    UNFINISHED,
    BoardPaperPdf,
    CalendarToken,
    DownloadStatus,
    ExportJob,
)


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def calendar_token_ensure(*, user: AbstractBaseUser) -> CalendarToken:
    """The user's calendar token, made the first time it is asked for."""
    token, _ = CalendarToken.objects.get_or_create(
        user=user, defaults={"token": _new_token(), "created_at": timezone.now()}
    )
    return token


def calendar_token_reset(*, user: AbstractBaseUser) -> CalendarToken:
    """A new secret for the user's feed; the old URL stops working at once."""
    token, _ = CalendarToken.objects.update_or_create(
        user=user, defaults={"token": _new_token(), "created_at": timezone.now()}
    )
    return token


# --- Downloads prepared by Celery: long exports and large board paper PDFs -----------------
# The web request records what is wanted and enqueues a task after commit; the task claims the
# row by a conditional update (so a re-delivered task does not write twice at once), writes the
# file into the default storage under models.DOWNLOADS_FOLDER, and records it; the hourly beat
# task deletes what has expired.

logger = logging.getLogger(__name__)


def export_filters_to_json(filters: Mapping[str, Any]) -> dict:
    """A drill-down list's cleaned filters as JSON: records by id, dates as ISO text, and
    only the filters given."""

    def plain(value):
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return getattr(value, "pk", value)

    return {
        name: plain(value)
        for name, value in sorted(filters.items())
        if selectors.filter_given(value)
    }


def export_filters_from_json(stored: Mapping[str, Any]) -> dict:
    """The filters as items_for_dashboard takes them (ids stand for records there)."""
    return {
        name: datetime.date.fromisoformat(value) if name in DATE_FILTERS else value
        for name, value in stored.items()
    }


DATE_FILTERS = ("deadline_after", "deadline_before")


def export_job_request(
    *,
    user: AbstractBaseUser,
    format: str,
    filters: Mapping[str, Any],
    query: str,
    today: datetime.date,
) -> ExportJob:
    """The job that writes this export, enqueued after commit; the same export already
    waiting or under way for the user is that job, not a second one."""
    stored = export_filters_to_json(filters)
    under_way = (
        ExportJob.objects.requested_by(user)
        .filter(status__in=UNFINISHED, format=format, filters=stored, query=query, as_of=today)
        .first()
    )
    if under_way is not None:
        return under_way
    job = ExportJob.objects.create(
        requested_by=user,
        format=format,
        filters=stored,
        query=query,
        as_of=today,
        created_at=timezone.now(),
    )
    from . import tasks

    tasks.run_export_job.delay_on_commit(str(job.pk))
    return job


def export_job_run(*, job_id) -> bool:
    """Write the job's file (the worker's task). False when there was nothing to do: the job
    is finished, or another run has it. A re-delivered task after a worker died finds the
    job running, and writes it again from the start."""
    claimed = ExportJob.objects.filter(pk=job_id, status__in=UNFINISHED).update(
        status=DownloadStatus.RUNNING, started_at=timezone.now(), rows_written=0, error=""
    )
    if not claimed:
        return False
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    try:
        name, written = _export_write(job)
    except Exception as error:
        ExportJob.objects.filter(pk=job.pk).update(
            status=DownloadStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{type(error).__name__}: {error}"[:2000],
        )
        raise
    finished = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=DownloadStatus.DONE,
        file=name,
        rows_written=written,
        finished_at=finished,
        expires_at=finished + settings.EXPORT_FILE_LIFETIME,
    )
    return True


def _export_write(job: ExportJob) -> tuple[str, int]:
    """The export written to a temporary file, then saved to the default storage; the
    job's rows_written follows it chunk by chunk. The list's sort and columns come from its
    query string (dashboards.listing), so the file has what the page showed."""
    items = selectors.items_for_dashboard(
        user=job.requested_by, filters=export_filters_from_json(job.filters), today=job.as_of
    )
    shape = listing.shape_from_query_string(job.query)
    items = shape.order(items)
    ExportJob.objects.filter(pk=job.pk).update(total_rows=items.count())
    written = 0

    def progress(rows: int) -> None:
        nonlocal written
        written = rows
        ExportJob.objects.filter(pk=job.pk).update(rows_written=rows)

    with tempfile.TemporaryFile() as output:
        for chunk in exports.stream(
            job.format, exports.value_rows(items), job.as_of, progress=progress, shape=shape
        ):
            output.write(chunk.encode() if isinstance(chunk, str) else chunk)
        output.seek(0)
        name = default_storage.save(
            f"{DOWNLOADS_FOLDER}/exports/{job.pk}/{exports.file_name(job.as_of, job.format)}",
            File(output),
        )
    return name, written


def board_paper_pdf_request(
    *,
    user: AbstractBaseUser,
    key: str,
    organisation,
    meeting_on: datetime.date,
    next_meeting_on: datetime.date,
    changes_since: datetime.date | None,
    today: datetime.date,
    retry: bool = False,
) -> BoardPaperPdf:
    """The kept PDF of this paper (selectors.downloads.board_paper_pdf_key), enqueued for
    rendering after commit the first time anyone asks; a failed one again when `retry`."""
    pdf, created = BoardPaperPdf.objects.get_or_create(
        key=key,
        defaults={
            "organisation": organisation,
            "meeting_on": meeting_on,
            "next_meeting_on": next_meeting_on,
            "changes_since": changes_since,
            "as_at": today,
            "requested_by": user,
            "created_at": timezone.now(),
        },
    )
    again = retry and (
        BoardPaperPdf.objects.filter(pk=pdf.pk, status=DownloadStatus.FAILED).update(
            status=DownloadStatus.PENDING, requested_by=user, error=""
        )
    )
    if created or again:
        from . import tasks

        tasks.render_board_paper_pdf.delay_on_commit(str(pdf.pk))
        pdf.refresh_from_db()
    return pdf


def board_paper_pdf_render(*, pdf_id) -> bool:
    """Render the kept PDF (the worker's task); False when it is done or another run has
    it."""
    claimed = BoardPaperPdf.objects.filter(pk=pdf_id, status__in=UNFINISHED).update(
        status=DownloadStatus.RUNNING
    )
    if not claimed:
        return False
    pdf = BoardPaperPdf.objects.select_related("organisation", "requested_by").get(pk=pdf_id)
    try:
        content = board_paper_pdf_bytes(
            user=pdf.requested_by,
            organisation=pdf.organisation,
            meeting_on=pdf.meeting_on,
            next_meeting_on=pdf.next_meeting_on,
            changes_since=pdf.changes_since,
            today=pdf.as_at,
        )
        name = default_storage.save(
            f"{DOWNLOADS_FOLDER}/board-papers/{pdf.pk}/{board_paper_pdf_name(pdf)}",
            ContentFile(content),
        )
    except Exception as error:
        BoardPaperPdf.objects.filter(pk=pdf.pk).update(
            status=DownloadStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{type(error).__name__}: {error}"[:2000],
        )
        raise
    BoardPaperPdf.objects.filter(pk=pdf.pk).update(
        status=DownloadStatus.DONE, file=name, finished_at=timezone.now()
    )
    return True


def board_paper_pdf_bytes(*, user, paper=None, **paper_for) -> bytes:
    """The board paper as a PDF; `paper` when the caller has it, else built for `user`
    from `paper_for` (selectors.board_paper_for's arguments). Links are absolute, to
    SITE_URL, as a PDF has no page to be relative to."""
    if paper is None:
        if user is None:
            raise ValueError("Whoever asked for this board paper no longer exists.")
        paper = selectors.board_paper_for(user=user, **paper_for)
    return render_pdf(
        template_name="dashboards/board_paper_pdf.html",
        context={"paper": paper, "link_base": settings.SITE_URL},
    )


def board_paper_pdf_name(paper) -> str:
    return f"board-paper-{paper.organisation.slug}-{paper.meeting_on:%Y-%m-%d}.pdf"


def downloads_expire(*, now: datetime.datetime) -> dict[str, int]:
    """Delete the files of exports past their expiry (the job is kept, as expired) and the
    kept board paper PDFs made more than EXPORT_FILE_LIFETIME ago (a newer version of the
    data has a new key anyway). The beat runs it hourly."""
    expired = 0
    for job in ExportJob.objects.filter(status=DownloadStatus.DONE, expires_at__lte=now):
        if ExportJob.objects.filter(pk=job.pk, status=DownloadStatus.DONE).update(
            status=DownloadStatus.EXPIRED, file=""
        ):
            _delete_file(job.file.name)
            expired += 1
    removed = 0
    old = BoardPaperPdf.objects.filter(created_at__lte=now - settings.EXPORT_FILE_LIFETIME)
    for pdf in old.exclude(status=DownloadStatus.RUNNING):
        if BoardPaperPdf.objects.filter(pk=pdf.pk).delete()[0]:
            _delete_file(pdf.file.name)
            removed += 1
    return {"exports_expired": expired, "board_paper_pdfs_removed": removed}


def _delete_file(name: str) -> None:
    if not name:
        return
    try:
        default_storage.delete(name)
    except OSError:
        # Gone already, or the storage is down: the row no longer names it either way.
        logger.warning("Could not delete the expired download %s", name, exc_info=True)

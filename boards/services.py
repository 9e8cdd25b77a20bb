"""Every write about boards: setting one up, scheduling its meetings, issuing a meeting's
paper (frozen as it was shown), and the PDFs of papers, rendered at once for a short paper
or by Celery for a long one."""

import datetime
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from dashboards.models import UNFINISHED, DownloadStatus
from dashboards.selectors import downloads
from organisations.access import as_recorded
from organisations.selectors import visible_organisation_ids
from rocu_tracker.pdf import PDF_BASE_URL, StaticFilesOnlyFetcher

from . import selectors
from .access import require_create_board, require_manage_board, require_read_board
from .models import Board, IssuedPaper, Meeting, PaperPdf

# Raise when the paper's PDF changes shape, so kept PDFs of live papers are not served.
PAPER_PDF_VERSION = 1


def board_create(*, organisation, name: str, scope: str, by) -> Board:
    require_create_board(by, organisation)
    if scope == Board.Scope.REGION and organisation.kind != organisation.Kind.REGION:
        raise ValidationError({"scope": "Only a region's board covers a region."})
    return Board.objects.create(organisation=organisation, name=name, scope=scope)


def meeting_schedule(
    *,
    board: Board,
    held_on: datetime.date,
    title: str,
    by,
    starts_at: datetime.time | None = None,
    location: str = "",
    notes: str = "",
) -> Meeting:
    require_manage_board(by, board)
    return Meeting.objects.create(
        board=board,
        held_on=held_on,
        starts_at=starts_at,
        title=title.strip(),
        location=location.strip(),
        notes=notes.strip(),
        created_by=as_recorded(by),
    )


def paper_html(paper, *, frozen: bool) -> str:
    """The paper's body as the page shows it; frozen, its counts are not links (a list
    shows today's items, not those the board was shown)."""
    return render_to_string("dashboards/_board_paper_body.html", {"paper": paper, "frozen": frozen})


def paper_pdf_html(paper, *, frozen: bool, issued: IssuedPaper | None = None) -> str:
    """The PDF's document. Links are absolute, to SITE_URL, as a PDF has no page."""
    return render_to_string(
        "dashboards/board_paper_pdf.html",
        {"paper": paper, "link_base": settings.SITE_URL, "frozen": frozen, "issued": issued},
    )


def pdf_from_html(document: str) -> bytes:
    return HTML(
        string=document, base_url=PDF_BASE_URL, url_fetcher=StaticFilesOnlyFetcher()
    ).write_pdf()


def paper_issue(*, meeting: Meeting, by, now: datetime.datetime | None = None) -> IssuedPaper:
    """Freeze the meeting's paper as `by` sees it now: its HTML and the PDF's document are
    kept, and the PDF rendered from that document (at once for a short paper, by Celery for
    a long one). A meeting's paper is issued once."""
    require_manage_board(by, meeting.board)
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if IssuedPaper.objects.filter(meeting=meeting).exists():
            raise ValidationError("This meeting's paper has already been issued.")
        paper = selectors.meeting_paper(user=by, meeting=meeting, today=today)
        issued = IssuedPaper(
            meeting=meeting,
            as_at=today,
            listed_rows=paper.listed_rows,
            issued_by=as_recorded(by),
            issued_at=now,
        )
        issued.html = paper_html(paper, frozen=True)
        issued.pdf_html = paper_pdf_html(paper, frozen=True, issued=issued)
        issued.save()
        pdf = PaperPdf.objects.create(
            key=f"issued-{issued.pk}",
            meeting=meeting,
            issued_paper=issued,
            as_at=today,
            requested_by=as_recorded(by),
        )
        if paper.listed_rows <= settings.BOARD_PAPER_PDF_INLINE_ROW_LIMIT:
            _finish(pdf, pdf_from_html(issued.pdf_html))
        else:
            from . import tasks

            tasks.render_paper_pdf.delay_on_commit(str(pdf.pk))
    return issued


def paper_pdf_key(*, user, meeting: Meeting, today: datetime.date) -> str:
    """What a live paper's PDF depends on: the meeting and its neighbours, what the viewer
    may see of the scope and that data's version, the day and the list limit."""
    board = meeting.board
    neighbours = list(board.meetings.order_by("id").values_list("id", "held_on", "updated_at"))
    issued = list(
        IssuedPaper.objects.filter(meeting__board=board).values_list("meeting_id", "issued_at")
    )
    scope = visible_organisation_ids(user, day=today)
    version = downloads.scope_data_version(
        organisation_ids=scope,
        extra=(
            "meeting-paper-pdf",
            PAPER_PDF_VERSION,
            board.pk,
            board.scope,
            meeting.pk,
            repr(neighbours),
            repr(issued),
            today.isoformat(),
            settings.BOARD_PAPER_LIST_LIMIT,
        ),
    )
    viewer = hashlib.sha256(repr(sorted(scope) if scope is not None else "all").encode())
    return f"{version.key[:40]}-{viewer.hexdigest()[:20]}"


def paper_pdf_request(
    *, meeting: Meeting, by, key: str, today: datetime.date, retry: bool = False
) -> PaperPdf:
    """The kept PDF of the live paper, enqueued for rendering after commit the first time
    anyone asks; a failed one again when `retry`."""
    require_read_board(by, meeting.board, day=today)
    pdf, created = PaperPdf.objects.get_or_create(
        key=key, defaults={"meeting": meeting, "as_at": today, "requested_by": as_recorded(by)}
    )
    again = retry and PaperPdf.objects.filter(pk=pdf.pk, status=DownloadStatus.FAILED).update(
        status=DownloadStatus.PENDING, requested_by=as_recorded(by), error=""
    )
    if created or again:
        from . import tasks

        tasks.render_paper_pdf.delay_on_commit(str(pdf.pk))
        pdf.refresh_from_db()
    return pdf


def paper_pdf_render(*, pdf_id) -> bool:
    """Render a kept PDF (the worker's task): an issued paper's from its frozen document, a
    live one's for whoever asked, as on the day they asked. False when it is done or
    another run has it."""
    claimed = PaperPdf.objects.filter(pk=pdf_id, status__in=UNFINISHED).update(
        status=DownloadStatus.RUNNING
    )
    if not claimed:
        return False
    pdf = PaperPdf.objects.select_related(
        "issued_paper", "meeting__board__organisation", "requested_by"
    ).get(pk=pdf_id)
    try:
        if pdf.issued_paper is not None:
            document = pdf.issued_paper.pdf_html
        elif pdf.requested_by is None:
            raise ValueError("Whoever asked for this paper no longer exists.")
        else:
            paper = selectors.meeting_paper(
                user=pdf.requested_by, meeting=pdf.meeting, today=pdf.as_at
            )
            document = paper_pdf_html(paper, frozen=False)
        content = pdf_from_html(document)
    except Exception as error:
        PaperPdf.objects.filter(pk=pdf.pk).update(
            status=DownloadStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{type(error).__name__}: {error}"[:2000],
        )
        raise
    _finish(pdf, content)
    return True


def _finish(pdf: PaperPdf, content: bytes) -> None:
    PaperPdf.objects.filter(pk=pdf.pk).update(
        status=DownloadStatus.DONE, content=content, finished_at=timezone.now()
    )
    pdf.status, pdf.content = DownloadStatus.DONE, content


def paper_pdf_name(meeting: Meeting) -> str:
    return f"board-paper-{meeting.board.organisation.slug}-{meeting.held_on:%Y-%m-%d}.pdf"

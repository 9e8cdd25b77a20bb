from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from dashboards.models import DownloadStatus
from rocu_tracker.forms import form_refuse, posted_data

from . import selectors, services
from .access import boards_visible_to, can_manage_board, require_manage_board
from .forms import MeetingForm
from .models import PaperPdf


@login_required
def board_list(request):
    today = timezone.localdate()
    boards = boards_visible_to(request.user, day=today).order_by("name")
    return render(request, "boards/board_list.html", {"boards": boards})


@login_required
def board_detail(request, pk: int):
    today = timezone.localdate()
    board = selectors.board_for(request.user, pk, day=today)
    return render(
        request,
        "boards/board_detail.html",
        {
            "board": board,
            "meetings": selectors.meetings_of(board),
            "next_meeting": selectors.next_meeting(board, today=today),
            "can_manage": can_manage_board(request.user, board),
            "today": today,
        },
    )


@login_required
def meeting_create(request, pk: int):
    board = selectors.board_for(request.user, pk, day=timezone.localdate())
    require_manage_board(request.user, board)
    form = MeetingForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_schedule(board=board, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_refuse(form, error)
        else:
            messages.success(
                request, f"{meeting.title} is scheduled for {meeting.held_on:%-d %B %Y}."
            )
            return redirect("boards:detail", board.pk)
    return render(
        request,
        "boards/meeting_form.html",
        {"board": board, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def meeting_paper(request, pk: int):
    """The meeting's paper: as issued, if it was (exactly as the board was given it), else
    as it stands today for the viewer."""
    today = timezone.localdate()
    meeting = selectors.meeting_for(request.user, pk, day=today)
    issued = selectors.issued_paper_of(meeting)
    context = {
        "meeting": meeting,
        "board": meeting.board,
        "issued": issued,
        "can_manage": can_manage_board(request.user, meeting.board),
    }
    if issued is not None:
        context["issued_html"] = mark_safe(issued.html)  # our own template's output
    else:
        context["paper"] = selectors.meeting_paper(user=request.user, meeting=meeting, today=today)
    return render(request, "boards/meeting_paper.html", context)


@login_required
@require_POST
def paper_issue(request, pk: int):
    meeting = selectors.meeting_for(request.user, pk, day=timezone.localdate())
    try:
        services.paper_issue(meeting=meeting, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The paper is issued: it stays as it is now.")
    return redirect("boards:paper", meeting.pk)


@login_required
def paper_pdf(request, pk: int):
    """The issued paper's PDF, or the live paper's: at once when short, else rendered by
    Celery and kept, with a page that says it is being prepared."""
    today = timezone.localdate()
    meeting = selectors.meeting_for(request.user, pk, day=today)
    issued = selectors.issued_paper_of(meeting)
    if issued is not None:
        pdf = PaperPdf.objects.get(issued_paper=issued)
    else:
        key = services.paper_pdf_key(user=request.user, meeting=meeting, today=today)
        pdf = PaperPdf.objects.filter(key=key).first()
        if pdf is None:
            paper = selectors.meeting_paper(user=request.user, meeting=meeting, today=today)
            if paper.listed_rows <= settings.BOARD_PAPER_PDF_INLINE_ROW_LIMIT:
                document = services.paper_pdf_html(paper, frozen=False)
                return _pdf_response(services.pdf_from_html(document), meeting)
        if pdf is None or (pdf.status == DownloadStatus.FAILED and "retry" in request.GET):
            pdf = services.paper_pdf_request(
                meeting=meeting, by=request.user, key=key, today=today, retry=True
            )
    if pdf.status == DownloadStatus.DONE and not request.htmx:
        return _pdf_response(bytes(pdf.content), meeting)
    return _pdf_progress(request, meeting, pdf)


def _pdf_response(content: bytes, meeting) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    name = services.paper_pdf_name(meeting)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _pdf_progress(request, meeting, pdf: PaperPdf):
    template = "boards/paper_pdf_status.html" + ("#pdf_status" if request.htmx else "")
    context = {
        "meeting": meeting,
        "pdf": pdf,
        "announce": request.htmx and request.GET.get("seen") != pdf.status,
    }
    return render(request, template, context)

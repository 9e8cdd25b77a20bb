import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST

from rocu_tracker.middleware import private_response
from rocu_tracker.pdf import render_pdf

from . import charts, exports, ical, selectors, services
from .filters import DashboardFilterSet, ItemFilterSet
from .forms import BoardPaperForm
from .models import CalendarToken

PAGE_SIZE = 50


@login_required
def dashboard(request):
    today = timezone.localdate()
    filterset = DashboardFilterSet(request.GET, request=request, today=today)
    filters = filterset.cleaned_filters()
    # The page body is cached under the counts' key (selectors.dashboard_cache_key) and the
    # query string: counting and rendering happen only when the data or the question changed.
    board = SimpleLazyObject(
        lambda: selectors.dashboard_for(user=request.user, filters=filters, today=today)
    )
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "filterset": filterset,
            "board": board,
            "today": today,
            "charts": SimpleLazyObject(lambda: charts.data(board)),
            "cache_key": selectors.dashboard_cache_key(
                user=request.user, filters=filters, today=today
            ),
            "cache_seconds": selectors.DASHBOARD_CACHE_SECONDS,
        },
    )


def _filtered_items(request, today: datetime.date):
    filterset = ItemFilterSet(request.GET, request=request, today=today)
    items = filterset.qs if filterset.is_valid() else None
    return filterset, items


@login_required
def item_list(request):
    today = timezone.localdate()
    filterset, items = _filtered_items(request, today)
    page_obj = None
    if items is not None:
        page_obj = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboards/item_list.html",
        {"filterset": filterset, "page_obj": page_obj, "today": today},
    )


def _export_name(today: datetime.date, extension: str) -> str:
    return f"rocu-tracked-items-{today:%Y-%m-%d}.{extension}"


@login_required
def export_csv(request):
    today = timezone.localdate()
    filterset, items = _filtered_items(request, today)
    if items is None:
        return HttpResponse("The filters are not valid.", status=400, content_type="text/plain")
    response = StreamingHttpResponse(
        exports.csv_stream(items, today), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name(today, "csv")}"'
    return response


@login_required
def export_xlsx(request):
    today = timezone.localdate()
    filterset, items = _filtered_items(request, today)
    if items is None:
        return HttpResponse("The filters are not valid.", status=400, content_type="text/plain")
    return FileResponse(
        exports.xlsx_file(items, today),
        as_attachment=True,
        filename=_export_name(today, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _board_paper_form(request, today: datetime.date) -> BoardPaperForm:
    """The form, bound when the query string names an organisation; another organisation's
    board paper is a 404, as any other object of theirs."""
    if "organisation" not in request.GET:
        return BoardPaperForm(
            user=request.user,
            today=today,
            initial={"meeting_on": today, "next_meeting_on": today + datetime.timedelta(91)},
        )
    form = BoardPaperForm(request.GET, user=request.user, today=today)
    if form.names_hidden_organisation():
        raise Http404("No such organisation.")
    return form


@login_required
def board_paper(request):
    today = timezone.localdate()
    form = _board_paper_form(request, today)
    paper = None
    if form.is_bound and form.is_valid():
        paper = selectors.board_paper_for(user=request.user, today=today, **form.cleaned_data)
    return render(
        request,
        "dashboards/board_paper.html",
        {"form": form, "paper": paper, "today": today},
        status=400 if form.errors else 200,
    )


@login_required
def board_paper_pdf(request):
    today = timezone.localdate()
    form = _board_paper_form(request, today)
    if not (form.is_bound and form.is_valid()):
        return redirect(f"{reverse('dashboards:board_paper')}?{request.GET.urlencode()}")
    paper = selectors.board_paper_for(user=request.user, today=today, **form.cleaned_data)
    pdf = render_pdf(
        template_name="dashboards/board_paper_pdf.html", context={"paper": paper}, request=request
    )
    name = f"board-paper-{paper.organisation.slug}-{paper.meeting_on:%Y-%m-%d}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def capability_matrix(request):
    today = timezone.localdate()
    matrix = selectors.capability_matrix(user=request.user, today=today)
    return render(request, "dashboards/capability_matrix.html", {"matrix": matrix})


@login_required
def calendar_settings(request):
    token = services.calendar_token_ensure(user=request.user)
    feed_url = request.build_absolute_uri(reverse("dashboards:calendar_feed", args=[token.token]))
    return render(request, "dashboards/calendar_settings.html", {"feed_url": feed_url})


@login_required
@require_POST
def calendar_reset(request):
    services.calendar_token_reset(user=request.user)
    messages.success(request, "Your calendar feed has a new address; the old one has stopped.")
    return redirect("dashboards:calendar")


@private_response
def calendar_feed(request, token: str):
    """No session: calendar clients fetch it with the secret in the URL (so nothing may keep
    a copy of someone's deadlines: private_response)."""
    owner = get_object_or_404(CalendarToken.objects.select_related("user"), token=token).user
    if not owner.is_active:
        raise Http404("No such calendar.")
    today = timezone.localdate()
    items = selectors.calendar_items(user=owner, today=today)

    def url_for(item) -> str:
        path = reverse("inspections:detail", args=[item.finding.inspection.slug])
        return request.build_absolute_uri(f"{path}#finding-{item.finding.key}")

    body = ical.deadline_calendar(
        items, name="ROCU Tracker deadlines", url_for=url_for, now=timezone.now()
    )
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")

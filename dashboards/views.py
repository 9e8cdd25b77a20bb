import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.functional import SimpleLazyObject
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_POST

from organisations.selectors import visible_organisation_ids
from rocu_tracker import keyset
from rocu_tracker.middleware import private_response

from . import charts, dashboard_page, exports, ical, listing, selectors, services
from . import saved_views as saved_views_services
from . import search as search_selectors
from .filters import DashboardFilterSet, ItemFilterSet, kept_fields_html
from .forms import BoardPaperForm, SavedViewForm, SavedViewRenameForm, SearchForm
from .models import BoardPaperPdf, CalendarToken, DownloadStatus, ExportJob, SavedView
from .selectors import downloads

PAGE_SIZE = 50


@login_required
def dashboard(request):
    today = timezone.localdate()
    filterset = SimpleLazyObject(
        lambda: DashboardFilterSet(request.GET, request=request, today=today)
    )
    # No query string, nothing to check: the form (its fields deep-copied) is made only for
    # a page that renders it.
    filters = filterset.cleaned_filters() if request.GET else {}
    # The page body is cached under the counts' key (selectors.dashboard_cache_key) and the
    # query string: counting and rendering happen only when the data or the question changed.
    visible, version = selectors.dashboard_scope(user=request.user, today=today)
    cache_key = selectors.dashboard_cache_key(
        user=request.user, filters=filters, today=today, visible=visible, version=version
    )
    board = SimpleLazyObject(
        lambda: selectors.dashboard_for(
            user=request.user,
            filters=filters,
            today=today,
            cache_key=cache_key,
            visible=visible,
            version=version,
        )
    )
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "filterset": filterset,
            "board": board,
            "today": today,
            "charts": SimpleLazyObject(lambda: charts.data(board)),
            "links": SimpleLazyObject(lambda: dashboard_page.links(board, request.GET)),
            "organisation_table": SimpleLazyObject(
                lambda: dashboard_page.organisation_table(board, request.GET)
            ),
            "timeline_table": SimpleLazyObject(
                lambda: dashboard_page.timeline_table(board, request.GET)
            ),
            "filter_form_key": getattr(version, "options", None)
            or SimpleLazyObject(dashboard_page.filter_form_version),
            "cache_key": cache_key,
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
    filterset = ItemFilterSet(request.GET, request=request, today=today)
    shape = listing.shape_from_query(request.GET)
    page_obj, rows = None, []
    if filterset.is_valid():
        # Not annotated with the RAG: table_rows works out the page's rows' RAG itself.
        items = selectors.items_for_dashboard(
            user=request.user, filters=filterset.form.cleaned_data, today=today, rag=False
        )
        counted, filterset.reference = listing.count_and_reference(items)
        page_obj = shape.page(
            items, request.GET, size=PAGE_SIZE, fields=listing.ROW_FIELDS, counted=counted
        )
        rows = listing.table_rows(
            page_obj.object_list,
            compact=shape.compact,
            item_url=_item_url_pattern(),
            reference=filterset.reference,
            today=today,
        )
    query = listing.list_query(request.GET)
    list_query = query.urlencode()
    context = {
        "filterset": filterset,
        "filter_fields": kept_fields_html(filterset),
        "page_obj": page_obj,
        "rows": rows,
        "table_body": listing.table_body(rows, shape.columns),
        "today": today,
        "shape": shape,
        "headers": shape.headers(query),
        "show": dict.fromkeys(shape.columns, True),
        "choosable_columns": listing.CHOOSABLE,
        "saved_views": SavedView.objects.of(request.user).only("id", "name", "query"),
        "list_query": list_query,
        "shape_hidden": listing.hidden_fields(request.GET, ("sort", "columns", "density")),
        "filter_hidden": listing.hidden_fields(request.GET, listing.filter_names(request.GET)),
    }
    return render(request, "dashboards/item_list.html", context)


def _item_url_pattern() -> str:
    """The item page's address with {} for its id: one reverse() for the page, not one a row."""
    return reverse("recommendations:item", args=[987654321]).replace("987654321", "{}")


def _saved_view_for_user(request, pk) -> SavedView:
    """The user's own saved view; anyone else's is a 404."""
    return get_object_or_404(SavedView.objects.of(request.user), pk=pk)


def _saved_views_page(request, *, save_form=None, rename=None, status=200):
    views = SavedView.objects.of(request.user)
    context = {
        "saved_views": views,
        "save_form": save_form,
        "rename": rename,  # (the view, its bound form with errors) after a failed rename
        "list_url": reverse("dashboards:items"),
    }
    return render(request, "dashboards/saved_views.html", context, status=status)


@login_required
def saved_views(request):
    """The user's saved views, to open, rename or delete; a POST saves a new one."""
    if request.method != "POST":
        return _saved_views_page(request)
    form = SavedViewForm(request.POST)
    if form.is_valid():
        try:
            view = saved_views_services.saved_view_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved the view \u201c{view.name}\u201d.")
            return redirect(f"{reverse('dashboards:items')}?{view.query}")
    return _saved_views_page(request, save_form=form, status=400)


@login_required
@require_POST
def saved_view_rename(request, pk):
    view = _saved_view_for_user(request, pk)
    form = SavedViewRenameForm(request.POST)
    if form.is_valid():
        try:
            saved_views_services.saved_view_rename(
                user=request.user, view=view, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Renamed the view \u201c{view.name}\u201d.")
            return redirect("dashboards:saved_views")
    return _saved_views_page(request, rename=(view.pk, form), status=400)


@login_required
@require_POST
def saved_view_delete(request, pk):
    view = _saved_view_for_user(request, pk)
    saved_views_services.saved_view_delete(user=request.user, view=view)
    messages.success(request, f"Deleted the view \u201c{view.name}\u201d.")
    return redirect("dashboards:saved_views")


@login_required
def search(request):
    """One box over findings, tracked items, actions and progress narratives."""
    form = SearchForm(request.GET)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    kind = request.GET.get("kind")
    kind = kind if kind in search_selectors.KIND_KEYS else None
    groups = search_selectors.search(
        user=request.user,
        text=text,
        today=timezone.localdate(),
        kind=kind,
        page=keyset._number(request.GET.get("page")),
    )
    context = {
        "form": form,
        "text": text,
        "kind": kind,
        "kinds": search_selectors.KINDS,
        "groups": groups,
        "full_text": search_selectors.is_full_text(),
    }
    return render(request, "dashboards/search.html", context)


# --- downloads: exports, board paper PDF, calendar feed --------------------------------------


def _list_query(request) -> str:
    """The list's query string without its place in the list: the filters and its shape
    (sort, columns, density)."""
    return listing.list_query(request.GET).urlencode()


def _export(request, format: str):
    """The export streamed as it is written, or past EXPORT_INLINE_ROW_LIMIT rows a job
    that writes it, whose page the user is sent to."""
    today = timezone.localdate()
    filterset, items = _filtered_items(request, today)
    if items is None:
        return HttpResponse("The filters are not valid.", status=400, content_type="text/plain")
    shape = listing.shape_from_query(request.GET)
    items = shape.order(items)
    if exports.is_past_inline_limit(items):
        job = services.export_job_request(
            user=request.user,
            format=format,
            filters=filterset.form.cleaned_data,
            query=_list_query(request),
            today=today,
        )
        return redirect("dashboards:export_job", job.pk)
    response = StreamingHttpResponse(
        exports.stream(format, exports.value_rows(items), today, shape=shape),
        content_type=exports.FORMATS[format],
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.file_name(today, format)}"'
    return response


@login_required
def export_csv(request):
    return _export(request, ExportJob.Format.CSV)


@login_required
def export_xlsx(request):
    return _export(request, ExportJob.Format.XLSX)


def _export_job_for_user(request, pk) -> ExportJob:
    """The user's own job; anyone else's is a 404."""
    return get_object_or_404(ExportJob.objects.requested_by(request.user), pk=pk)


@login_required
def export_job(request, pk):
    """The job's progress; htmx asks again every two seconds until it is finished, and the
    live region announces a change of status (`seen` is the status the page shows)."""
    job = _export_job_for_user(request, pk)
    template = "dashboards/export_job.html" + ("#job_status" if request.htmx else "")
    context = {
        "job": job,
        "announce": request.htmx and request.GET.get("seen") != job.status,
        "list_url": f"{reverse('dashboards:items')}?{job.query}",
    }
    return render(request, template, context)


@login_required
def export_job_download(request, pk):
    job = _export_job_for_user(request, pk)
    if job.status != DownloadStatus.DONE or job.expires_at <= timezone.now():
        raise Http404("This export is not ready, or has expired.")
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=exports.file_name(job.as_of, job.format),
        content_type=exports.FORMATS[job.format],
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
    """A small paper's PDF at once; a larger one (past BOARD_PAPER_PDF_INLINE_ROW_LIMIT
    table rows) rendered by Celery and kept per scope, meeting and data version, with a
    page that says it is being prepared and offers it when ready."""
    today = timezone.localdate()
    form = _board_paper_form(request, today)
    if not (form.is_bound and form.is_valid()):
        return redirect(f"{reverse('dashboards:board_paper')}?{request.GET.urlencode()}")
    wanted = {"today": today, "changes_since": None, **form.cleaned_data}
    key = downloads.board_paper_pdf_key(**wanted)
    kept = BoardPaperPdf.objects.filter(key=key).first()
    if kept is None:
        paper = selectors.board_paper_for(user=request.user, **wanted)
        if paper.listed_rows <= settings.BOARD_PAPER_PDF_INLINE_ROW_LIMIT:
            return _pdf_response(
                services.board_paper_pdf_bytes(user=request.user, paper=paper), paper
            )
    if kept is None or (kept.status == DownloadStatus.FAILED and "retry" in request.GET):
        kept = services.board_paper_pdf_request(user=request.user, key=key, retry=True, **wanted)
    if kept.status == DownloadStatus.DONE and not request.htmx:
        return _pdf_response(kept.file.open("rb"), kept)
    return _board_paper_pdf_progress(request, kept)


def _pdf_response(content, paper) -> HttpResponse:
    name = services.board_paper_pdf_name(paper)
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return FileResponse(content, as_attachment=True, filename=name, content_type="application/pdf")


def _board_paper_pdf_progress(request, pdf: BoardPaperPdf):
    query = request.GET.copy()
    query.pop("retry", None)
    query.pop("seen", None)
    template = "dashboards/board_paper_pdf_status.html" + ("#pdf_status" if request.htmx else "")
    context = {
        "pdf": pdf,
        "query": query.urlencode(),
        "announce": request.htmx and request.GET.get("seen") != pdf.status,
    }
    return render(request, template, context)


@login_required
def capability_matrix(request):
    today = timezone.localdate()
    matrix = selectors.capability_matrix(user=request.user, today=today)
    return render(request, "dashboards/capability_matrix.html", {"matrix": matrix})


@login_required
def calendar_settings(request):
    token = services.calendar_token_ensure(user=request.user)
    feed_url = request.build_absolute_uri(reverse("dashboards:calendar_feed", args=[token.token]))
    window = {
        "days_before": settings.CALENDAR_WINDOW_DAYS_BEFORE,
        "days_after": settings.CALENDAR_WINDOW_DAYS_AFTER,
    }
    return render(
        request, "dashboards/calendar_settings.html", {"feed_url": feed_url, "window": window}
    )


@login_required
@require_POST
def calendar_reset(request):
    services.calendar_token_reset(user=request.user)
    messages.success(request, "Your calendar feed has a new address; the old one has stopped.")
    return redirect("dashboards:calendar")


@private_response
def calendar_feed(request, token: str):
    """No session: calendar clients fetch it with the secret in the URL (so nothing may keep
    a copy of someone's deadlines: private_response). Streamed as it is written; a client
    that sends the ETag or date it has back (If-None-Match, If-Modified-Since) is answered
    304 Not Modified while the data and the day are unchanged, without writing it."""
    owner = get_object_or_404(CalendarToken.objects.select_related("user"), token=token).user
    if not owner.is_active:
        raise Http404("No such calendar.")
    today = timezone.localdate()
    meetings = ical.meeting_feed_rows(user=owner, today=today)
    etag, last_modified = _calendar_validators(request, owner, today, meetings)
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is None:
        path = reverse("inspections:detail", args=["SLUG"])
        before, after = request.build_absolute_uri(path).split("SLUG")

        def url_for(inspection_slug: str, finding_key: str) -> str:
            return f"{before}{inspection_slug}{after}#finding-{finding_key}"

        rows = ical.feed_rows(user=owner, today=today).iterator(chunk_size=ical.CHUNK_SIZE)
        paper_path = reverse("boards:paper", args=[0])[: -len("0/")]

        def meeting_url(pk: int) -> str:
            return request.build_absolute_uri(f"{paper_path}{pk}/")

        response = StreamingHttpResponse(
            ical.calendar_lines(
                rows,
                name="ROCU Tracker deadlines",
                url_for=url_for,
                meetings=ical.meeting_events(meetings, meeting_url),
            ),
            content_type="text/calendar; charset=utf-8",
        )
    else:
        response = not_modified
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    return response


def _calendar_validators(request, owner, today: datetime.date, meetings=()) -> tuple[str, int]:
    """The feed's ETag and Last-Modified (a timestamp): they change with the data of the
    owner's scope, the board meetings in the feed, the day (the window moves at midnight),
    and the address it links to."""
    scope = visible_organisation_ids(owner, day=today)
    version = downloads.scope_data_version(
        organisation_ids=scope,
        extra=(
            "calendar",
            ical.FORMAT_VERSION,
            ical.window(today),
            request.build_absolute_uri("/"),
            ical.meetings_version(meetings),
        ),
    )
    midnight = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    meeting_changes = [meeting.updated_at for meeting in meetings]
    changed = max(filter(None, (version.last_modified, midnight, *meeting_changes)))
    return quote_etag(version.key[:40]), int(changed.timestamp())

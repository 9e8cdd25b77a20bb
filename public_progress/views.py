"""The public progress tracker: the public pages (no login) under /public/, and the pages
where an organisation chooses what it publishes and writes its public updates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dashboards.wording import STATUS_LABELS, finding_label, finding_text
from inspections.models import Inspection
from organisations.models import Organisation
from rocu_tracker.forms import form_refuse
from rocu_tracker.spreadsheets import csv_writer

from . import access, selectors, services
from .forms import PublicUpdateForm, PublishForm

CSV_COLUMNS = [
    "organisation",
    "organisation_slug",
    "inspection",
    "inspection_slug",
    "report_published_on",
    "reference",
    "finding_text",
    "deadline",
    "deadline_as_written",
    "target_date",
    "status",
    "last_public_update",
    "last_public_update_on",
    "section55_response",
]


# --- the public pages -----------------------------------------------------------------------


def index(request):
    page = Paginator(selectors.published(), 50).get_page(request.GET.get("page"))
    managed = access.organisation_ids_managing_public_progress(request.user)
    context = {"page": page, "managed": Organisation.objects.filter(id__in=managed)}
    return render(request, "public_progress/index.html", context)


def _words(item) -> None:
    """What the public pages say of an item: the inspectorate's own words."""
    finding = item.finding
    item.reference_label = finding_label(finding.kind, finding.reference)
    item.finding_words = finding_text(finding.text, finding.summary)
    item.status_label = STATUS_LABELS.get(item.status, item.status)


def _public(request, organisation: str, inspection: str) -> dict:
    publication = selectors.publication(organisation_slug=organisation, inspection_slug=inspection)
    if publication is None:
        raise Http404("Not published.")
    organisation, inspection = publication.organisation, publication.inspection
    items = list(
        selectors.items_with_last_public_update(organisation=organisation, inspection=inspection)
    )
    for item in items:
        _words(item)
    section55 = selectors.section55_publication(organisation=organisation, inspection=inspection)
    section55_url = None
    if section55 is not None:
        section55_url = request.build_absolute_uri(
            reverse(
                "responses:detail_version",
                args=[section55.response.body.slug, inspection.slug, section55.version],
            )
        )
    return {
        "organisation": organisation,
        "inspection": inspection,
        "items": items,
        "section55": section55,
        "section55_url": section55_url,
        "page_url": request.build_absolute_uri(
            reverse("public_progress:progress", args=[organisation.slug, inspection.slug])
        ),
    }


def progress(request, organisation: str, inspection: str):
    return render(
        request, "public_progress/progress.html", _public(request, organisation, inspection)
    )


def _iso(day):
    return day.isoformat() if day else None


def _record(item) -> dict:
    finding = item.finding
    return {
        "reference": item.reference_label,
        "finding_text": item.finding_words,
        "deadline": _iso(finding.deadline),
        "deadline_as_written": finding.deadline_display,
        "target_date": _iso(item.target_date),
        "status": item.status_label,
        "last_public_update": (
            {"text": item.last_update_text, "date": _iso(item.last_update_on)}
            if item.last_update_text
            else None
        ),
    }


def progress_json(request, organisation: str, inspection: str):
    context = _public(request, organisation, inspection)
    organisation, inspection = context["organisation"], context["inspection"]
    return JsonResponse(
        {
            "organisation": {"name": organisation.name, "slug": organisation.slug},
            "inspection": {
                "title": inspection.title,
                "slug": inspection.slug,
                "inspectorate": inspection.inspectorate.short_name,
                "published_on": inspection.published_on.isoformat(),
                "url": inspection.url or None,
            },
            "url": context["page_url"],
            "section55_response": context["section55_url"],
            "items": [_record(item) for item in context["items"]],
        },
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


def progress_csv(request, organisation: str, inspection: str):
    context = _public(request, organisation, inspection)
    organisation, inspection = context["organisation"], context["inspection"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{organisation.slug}-{inspection.slug}-progress.csv"'
    )
    writer = csv_writer(response)
    writer.writerow(CSV_COLUMNS)
    for item in context["items"]:
        record = _record(item)
        update = record["last_public_update"] or {}
        writer.writerow(
            [
                organisation.name,
                organisation.slug,
                inspection.title,
                inspection.slug,
                inspection.published_on.isoformat(),
                record["reference"],
                record["finding_text"],
                record["deadline"] or "",
                record["deadline_as_written"],
                record["target_date"] or "",
                record["status"],
                update.get("text", ""),
                update.get("date") or "",
                context["section55_url"] or "",
            ]
        )
    return response


# --- what an organisation publishes ---------------------------------------------------------


def _organisation_managed(request, slug: str) -> Organisation:
    """The organisation, if the person may open its page; another's is a 404."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if not access.can_manage_public_progress(request.user, organisation):
        raise Http404("Not an organisation whose publishing you manage.")
    return organisation


def _inspection_of(organisation, slug: str) -> Inspection:
    return get_object_or_404(selectors.inspections_to_publish(organisation), slug=slug)


@login_required
def manage(request, organisation: str):
    organisation = _organisation_managed(request, organisation)
    context = {
        "organisation": organisation,
        "inspections": selectors.inspections_to_publish(organisation),
        "can_publish": access.can_publish_progress(request.user, organisation),
    }
    return render(request, "public_progress/manage.html", context)


@login_required
@require_POST
def publish(request, organisation: str, inspection: str):
    organisation = _organisation_managed(request, organisation)
    inspection = _inspection_of(organisation, inspection)
    access.require_publish_progress(request.user, organisation)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Choose whether to publish.", status=400, content_type="text/plain")
    published = form.cleaned_data["publish"]
    services.progress_publication_set(
        organisation=organisation, inspection=inspection, published=published, by=request.user
    )
    verb = "now published" if published else "no longer published"
    messages.success(request, f"Progress on “{inspection.title}” is {verb}.")
    return redirect("public_progress:manage", organisation.slug)


def _manage_inspection_page(request, organisation, inspection, bound=None, *, status=200):
    items = list(
        selectors.items_with_last_public_update(organisation=organisation, inspection=inspection)
    )
    can_write = access.can_write_public_update(request.user, organisation)
    for item in items:
        _words(item)
        if can_write:
            item.form = (
                bound if bound is not None and bound.item == item else (PublicUpdateForm(item=item))
            )
    context = {
        "organisation": organisation,
        "inspection": inspection,
        "items": items,
        "can_write": can_write,
        "is_published": inspection.is_published,
    }
    return render(request, "public_progress/manage_inspection.html", context, status=status)


@login_required
def manage_inspection(request, organisation: str, inspection: str):
    organisation = _organisation_managed(request, organisation)
    inspection = _inspection_of(organisation, inspection)
    return _manage_inspection_page(request, organisation, inspection)


@login_required
@require_POST
def update_add(request, organisation: str, inspection: str, item: int):
    organisation = _organisation_managed(request, organisation)
    inspection = _inspection_of(organisation, inspection)
    if not access.can_write_public_update(request.user, organisation):
        raise PermissionDenied("Only the organisation's editors and leads write these.")
    item = get_object_or_404(
        selectors.items_with_last_public_update(organisation=organisation, inspection=inspection),
        pk=item,
    )
    _words(item)
    form = PublicUpdateForm(request.POST, item=item)
    form.item = item
    if form.is_valid():
        try:
            services.public_update_add(item=item, text=form.cleaned_data["text"], by=request.user)
        except ValidationError as error:
            form_refuse(form, error)
        else:
            messages.success(request, f"Public update on {item.reference_label} saved.")
            url = reverse(
                "public_progress:manage_inspection", args=[organisation.slug, inspection.slug]
            )
            return redirect(f"{url}#item-{item.pk}")
    return _manage_inspection_page(request, organisation, inspection, form, status=400)

"""The public pages (no login): published responses only, as pages, JSON, CSV and PDF.

Everything here reads Section55Publication rows, the frozen copies made at publication, so
nothing unpublished can be reached."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from rocu_tracker import deadlines
from rocu_tracker.pdf import render_pdf
from rocu_tracker.spreadsheets import csv_line, csv_writer

from . import selectors

CSV_COLUMNS = [
    "office",
    "office_slug",
    "inspection",
    "inspection_slug",
    "report_published_on",
    "statutory_last_day",
    "version",
    "response_published_on",
    "recommendation",
    "recommendation_text",
    "position",
    "explanation",
    "office_agreement",
    "chief_officer_agreement",
    "chief_officer_note",
    # Added after the columns above, so that readers by position keep working: what is known
    # of a recommendation whose exact text (recommendation_text, then blank) is not recorded,
    # and how many of the report's recommendations the response answers.
    "recommendation_text_recorded",
    "recommendation_summary",
    "recommendations_answered",
    "recommendations_in_report",
    "coverage",
]


def _publication(body: str, inspection: str, version: int | None):
    publication = selectors.published_version(
        body_slug=body, inspection_slug=inspection, version=version
    )
    if publication is None:
        raise Http404("No published response.")
    return publication


def _context(request, publication) -> dict:
    response = publication.response
    inspection = response.inspection
    versions = selectors.publications(response)
    last_day = deadlines.section55_last_day(inspection.published_on)
    positions = list(selectors.publication_positions(publication))
    return {
        "publication": publication,
        "response": response,
        "inspection": inspection,
        "body": response.body,
        "positions": positions,
        "coverage": selectors.coverage(inspection, len(positions)),
        "versions": versions,
        "newer": next((v for v in versions if v.version == publication.version + 1), None),
        "last_day": last_day,
        "days_late": (publication.published_on - last_day).days
        if last_day and publication.published_on > last_day
        else None,
        "url_args": _url_args(publication),
        "page_url": request.build_absolute_uri(_url(publication, "detail")),
    }


def _url_args(publication) -> list:
    response = publication.response
    return [response.body.slug, response.inspection.slug, publication.version]


def _url(publication, name: str) -> str:
    return reverse(f"responses:{name}_version", args=_url_args(publication))


def public_index(request):
    page = Paginator(selectors.latest_publications(), 50).get_page(request.GET.get("page"))
    return render(request, "section55/public_index.html", {"page": page})


def public_office(request, body: str):
    body = get_object_or_404(selectors.local_policing_bodies(), slug=body)
    page = Paginator(selectors.latest_publications(body=body), 50).get_page(request.GET.get("page"))
    return render(request, "section55/public_office.html", {"body": body, "page": page})


def public_response(request, body: str, inspection: str, version: int | None = None):
    publication = _publication(body, inspection, version)
    return render(request, "section55/public_response.html", _context(request, publication))


def public_response_print(request, body: str, inspection: str, version: int | None = None):
    publication = _publication(body, inspection, version)
    context = {**_context(request, publication), "printable": True}
    return render(request, "section55/response_print.html", context)


def public_response_pdf(request, body: str, inspection: str, version: int | None = None):
    publication = _publication(body, inspection, version)
    content = render_pdf(
        template_name="section55/response_print.html",
        context=_context(request, publication),
        request=request,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{body}-{inspection}-v{publication.version}.pdf"'
    )
    return response


def _position_record(position) -> dict:
    return {
        "recommendation": position.label,
        "recommendation_text": position.recommendation or None,
        "recommendation_text_recorded": bool(position.recommendation),
        "recommendation_summary": position.recommendation_summary,
        "position": position.position,
        "position_label": position.get_position_display(),
        "explanation": position.explanation,
        "office_agreement": position.agreement,
        "chief_officer_agreement": position.chief_officer_agreement,
        "chief_officer_note": position.chief_officer_note,
    }


def _csv_row(publication, position, coverage: selectors.Coverage) -> list:
    response = publication.response
    inspection = response.inspection
    last_day = deadlines.section55_last_day(inspection.published_on)
    return [
        response.body.name,
        response.body.slug,
        inspection.title,
        inspection.slug,
        inspection.published_on.isoformat(),
        last_day.isoformat() if last_day else "",
        publication.version,
        publication.published_on.isoformat(),
        position.label,
        position.recommendation,
        position.position,
        position.explanation,
        position.agreement,
        position.chief_officer_agreement,
        position.chief_officer_note,
        "yes" if position.recommendation else "no",
        position.recommendation_summary,
        coverage.covered,
        "" if coverage.stated is None else coverage.stated,
        coverage.sentence,
    ]


def public_response_json(request, body: str, inspection: str, version: int | None = None):
    publication = _publication(body, inspection, version)
    context = _context(request, publication)
    inspection_obj, last_day = context["inspection"], context["last_day"]
    return JsonResponse(
        {
            "office": {"name": context["body"].name, "slug": context["body"].slug},
            "inspection": {
                "title": inspection_obj.title,
                "slug": inspection_obj.slug,
                "inspectorate": inspection_obj.inspectorate.short_name,
                "published_on": inspection_obj.published_on.isoformat(),
                "statutory_last_day": last_day.isoformat() if last_day else None,
            },
            "version": publication.version,
            "versions": [v.version for v in context["versions"]],
            "published_on": publication.published_on.isoformat(),
            "correction_note": publication.correction_note,
            "url": context["page_url"],
            "coverage": {
                "recommendations_answered": context["coverage"].covered,
                "recommendations_in_report": context["coverage"].stated,
                "complete": not context["coverage"].is_partial,
                "statement": context["coverage"].sentence,
            },
            "chief_officer_comments": {
                "status": publication.chief_officer_comments_status,
                "text": publication.chief_officer_comments,
                "received_on": _iso(publication.chief_officer_comments_received_on),
                "due_on": _iso(publication.chief_officer_comments_due_on),
                "entered_by": publication.chief_officer_comments_entered_by,
            },
            "office_comments": publication.office_comments,
            "copies": {
                "home_secretary_on": _iso(publication.copy_to_home_secretary_on),
                "inspectorate_on": _iso(publication.copy_to_inspectorate_on),
            },
            "positions": [_position_record(p) for p in context["positions"]],
        },
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


def _iso(day):
    return day.isoformat() if day else None


def public_response_csv(request, body: str, inspection: str, version: int | None = None):
    publication = _publication(body, inspection, version)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{body}-{inspection}-v{publication.version}.csv"'
    )
    positions = list(selectors.publication_positions(publication))
    coverage = selectors.coverage(publication.response.inspection, len(positions))
    writer = csv_writer(response)
    writer.writerow(CSV_COLUMNS)
    for position in positions:
        writer.writerow(_csv_row(publication, position, coverage))
    return response


def national_csv(request):
    """Every position of every office's newest published version, streamed."""

    def rows():
        yield csv_line(CSV_COLUMNS)
        for position in selectors.national_positions().iterator(chunk_size=2000):
            publication = position.publication
            coverage = selectors.coverage(publication.response.inspection, position.covered)
            yield csv_line(_csv_row(publication, position, coverage))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="section55-responses.csv"'
    return response


def national_json(request):
    """An index of every office's newest published response, with links to each one's
    JSON, CSV and PDF."""
    return JsonResponse(
        {
            "responses": [
                {
                    "office": p.response.body.name,
                    "office_slug": p.response.body.slug,
                    "inspection": p.response.inspection.title,
                    "inspection_slug": p.response.inspection.slug,
                    "version": p.version,
                    "published_on": p.published_on.isoformat(),
                    "json": request.build_absolute_uri(_url(p, "json")),
                    "csv": request.build_absolute_uri(_url(p, "csv")),
                    "pdf": request.build_absolute_uri(_url(p, "pdf")),
                }
                for p in selectors.latest_publications()
            ]
        },
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )

"""The office's private pages: its list, one response through every step, the chief officer's
own page for the force, and the covering letter and board paper.

Another office's user gets a 404; a reader who may not change the response gets a 403 on a
write. A reader who may see the response but not its draft (access.can_read_draft: a board
member, an administrator, the office's other members) sees the stage, the clock, the dates and
the published versions, and gets a 403 page saying why on a page that shows only the draft."""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from inspections.models import Inspection
from organisations.models import Organisation
from rocu_tracker import deadlines
from rocu_tracker.forms import form_refuse, posted_data
from rocu_tracker.pdf import render_pdf

from . import access, forms, selectors, services
from .models import Section55Response

EnteredBy = Section55Response.EnteredBy


@dataclasses.dataclass
class Office:
    body: Organisation
    inspection: Inspection
    response: Section55Response | None
    access: access.Access
    can_read_draft: bool = False

    @property
    def url(self) -> str:
        return reverse("section55:detail", args=[self.body.slug, self.inspection.slug])


def _office(request, body: str, inspection: str, *, edit: bool = False) -> Office:
    """The response as the office sees it, or a 404 for anyone outside it."""
    body = get_object_or_404(selectors.local_policing_bodies(), slug=body)
    inspection = get_object_or_404(
        Inspection.objects.select_related("inspectorate"), slug=inspection
    )
    rights = access.office_access(request.user, body, inspection)
    if not rights.can_read or not selectors.concerns(inspection, body):
        raise Http404("No such response.")
    if edit and not rights.can_edit:
        raise PermissionDenied("Only the office's own staff change its response.")
    response = Section55Response.objects.filter(body=body, inspection=inspection).first()
    draft = response is not None and access.can_read_draft(request.user, response)
    return Office(
        body=body, inspection=inspection, response=response, access=rights, can_read_draft=draft
    )


def _draft_refused(request, body: Organisation, inspection: Inspection, reason: str):
    """The 403 page for a reader who may see the response but not this part of its draft."""
    context = {"body": body, "inspection": inspection, "reason": reason}
    return render(request, "section55/draft_refused.html", context, status=403)


def _open_response(request, *args) -> Office:
    office = _office(request, *args, edit=True)
    if office.response is None:
        raise Http404("The response is not started.")
    return office


@login_required
def response_list(request):
    today = timezone.localdate()
    offices = list(selectors.offices_visible_to(request.user, today=today))
    chosen = next((o for o in offices if o.slug == request.GET.get("office")), None)
    chosen = chosen or (offices[0] if offices else None)
    rows = selectors.response_rows(chosen, today=today) if chosen else []
    return render(
        request,
        "section55/response_list.html",
        {
            "offices": offices,
            "office": chosen,
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
            "awaiting": selectors.responses_awaiting_chief_officer(request.user),
            "today": today,
        },
    )


def _render_detail(request, office: Office, *, status=200, refusal=(), **bound):
    response, today, draft = office.response, timezone.localdate(), office.can_read_draft
    # A reader who may not see the draft gets rows without the draft positions.
    rows = selectors.recommendation_rows(
        inspection=office.inspection, body=office.body, response=response if draft else None
    )
    last_day = deadlines.section55_last_day(office.inspection.published_on)
    version = getattr(response, "version", None)
    context = {
        "office": office,
        "response": response,
        "inspection": office.inspection,
        "body": office.body,
        "can_edit": office.access.can_edit,
        "can_read_draft": draft,
        "last_day": last_day,
        "days_left": deadlines.days_left(last_day, today),
        "today": today,
        "rows": [
            (
                row,
                bound.get(f"position_{row.finding.id}")
                or forms.PositionForm.for_row(row, version=version),
            )
            for row in rows
        ],
        "coverage": selectors.coverage(office.inspection, len(rows)),
        "refusal": refusal,
        "invite_form": bound.get("invite_form")
        or forms.InviteForm(initial={"version": version}, auto_id=forms.INVITE_ID),
        "office_comments_form": bound.get("office_comments_form")
        or forms.OfficeCommentsForm(
            initial={
                "comments": getattr(response, "office_comments", "") if draft else "",
                "version": version,
            },
            auto_id=forms.OFFICE_COMMENTS_ID,
        ),
        "publish_form": bound.get("publish_form") or forms.PublishForm(),
        "copies_form": bound.get("copies_form") or forms.CopiesForm(),
        "correction_form": bound.get("correction_form") or forms.CorrectionForm(),
    }
    if response is not None:
        context["publications"] = selectors.publications(response)
        context["history"] = selectors.history(response)
        context["editable"] = office.access.can_edit and not response.is_frozen
        if context["editable"]:
            context["missing"] = selectors.publication_missing(response, rows)
            context["warnings"] = selectors.publication_warnings(response, rows)
        latest = context["publications"][0] if context["publications"] else None
        context["latest"] = latest
        context["can_read_document"] = access.can_read_document(request.user, response)
        if latest and not draft:
            context["published_positions"] = selectors.publication_positions(latest)
        context["copies_pending"] = latest and not (
            latest.copy_to_home_secretary_on and latest.copy_to_inspectorate_on
        )
    return render(request, "section55/response_detail.html", context, status=status)


@login_required
def response_detail(request, body: str, inspection: str):
    return _render_detail(request, _office(request, body, inspection))


def _step(request, office: Office, form_name: str, form, service, success: str):
    """Bind, call the service, redirect; or show the page again with the errors and the
    user's input kept (after a stale save, with what changed and the version now current)."""
    if form.is_valid():
        try:
            service(form.cleaned_data)
        except ValidationError as error:
            form_refuse(form, error)
            if office.response is not None and office.response.is_frozen:
                # Published meanwhile: the page shows no draft form to carry the refusal.
                messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, success)
            return redirect(office.url)
    return _render_detail(request, office, status=400, **{form_name: form})


@require_POST
@login_required
def response_start(request, body: str, inspection: str):
    office = _office(request, body, inspection, edit=True)
    services.section55_response_open(
        inspection=office.inspection, body=office.body, by=request.user
    )
    return redirect(office.url)


@require_POST
@login_required
def chief_officer_invite(request, body: str, inspection: str):
    office = _open_response(request, body, inspection)
    return _step(
        request,
        office,
        "invite_form",
        forms.InviteForm(request.POST, auto_id=forms.INVITE_ID),
        lambda data: services.section55_chief_officer_invite(
            response=office.response,
            by=request.user,
            expected_version=data["version"],
            invited_on=data["invited_on"],
            comments_due_on=data["comments_due_on"],
        ),
        "The chief officer's comments are invited.",
    )


@require_POST
@login_required
def chief_officer_not_received(request, body: str, inspection: str):
    office = _open_response(request, body, inspection)
    try:
        services.section55_chief_officer_comments_not_received(
            response=office.response, by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The chief officer's comments are marked as not received.")
    return redirect(office.url)


@require_POST
@login_required
def office_comments(request, body: str, inspection: str):
    office = _open_response(request, body, inspection)
    return _step(
        request,
        office,
        "office_comments_form",
        forms.OfficeCommentsForm(request.POST, auto_id=forms.OFFICE_COMMENTS_ID),
        lambda data: services.section55_office_comments_record(
            response=office.response,
            by=request.user,
            expected_version=data["version"],
            comments=data["comments"],
        ),
        "The office's comments are saved.",
    )


@require_POST
@login_required
def position_set(request, body: str, inspection: str, finding: int):
    office = _open_response(request, body, inspection)
    finding = get_object_or_404(selectors.recommendations(office.inspection), pk=finding)
    return _step(
        request,
        office,
        f"position_{finding.id}",
        forms.PositionForm(request.POST, prefix=f"rec-{finding.id}"),
        lambda data: services.section55_position_set(
            response=office.response,
            finding=finding,
            by=request.user,
            expected_version=data["version"],
            position=data["position"],
            explanation=data["explanation"],
            agreement=data["agreement"],
        ),
        "The position is saved.",
    )


@require_POST
@login_required
def response_publish(request, body: str, inspection: str):
    office = _open_response(request, body, inspection)
    form = forms.PublishForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, office, status=400, publish_form=form)
    try:
        publication = services.section55_response_publish(
            response=office.response, by=request.user, **form.cleaned_data
        )
    except ValidationError as error:
        office.response.refresh_from_db()
        return _render_detail(
            request, office, status=400, refusal=error.messages, publish_form=form
        )
    messages.success(request, f"Version {publication.version} is published.")
    return redirect(office.url)


@require_POST
@login_required
def copies_record(request, body: str, inspection: str):
    office = _open_response(request, body, inspection)
    return _step(
        request,
        office,
        "copies_form",
        forms.CopiesForm(request.POST),
        lambda data: services.section55_copies_record(
            response=office.response, by=request.user, **data
        ),
        "The copies are recorded.",
    )


@require_POST
@login_required
def correction_start(request, body: str, inspection: str):
    office = _open_response(request, body, inspection)
    return _step(
        request,
        office,
        "correction_form",
        forms.CorrectionForm(request.POST),
        lambda data: services.section55_correction_start(
            response=office.response, by=request.user, **data
        ),
        "A correction is open. The published version stays as it is until you publish again.",
    )


@login_required
def chief_officer_comments(request, body: str, inspection: str):
    """The chief officer's comments: the force's editors and leads enter them here, or the
    office does so on the chief officer's behalf."""
    body = get_object_or_404(selectors.local_policing_bodies(), slug=body)
    inspection = get_object_or_404(Inspection, slug=inspection)
    rights = access.office_access(request.user, body, inspection)
    force = access.can_enter_chief_officer_comments(request.user, body, inspection)
    response = Section55Response.objects.filter(body=body, inspection=inspection).first()
    if response is None or not (force or rights.can_read):
        raise Http404("No such response.")
    if not (force or rights.can_edit):
        # A reader of the response (a board member, say): the comments are the draft's
        # until published, and then they are on the response page.
        return _draft_refused(
            request,
            body,
            inspection,
            "Only the force's editors and leads and the office's staff enter the chief "
            "officer's comments; until the response is published they are part of its "
            "draft, and after that they are in the published version on the response page.",
        )
    rows = selectors.recommendation_rows(inspection=inspection, body=body, response=response)
    initial = {
        "comments": response.chief_officer_comments,
        "received_on": response.chief_officer_comments_received_on or timezone.localdate(),
        "version": response.version,
    }
    form = forms.ChiefOfficerCommentsForm(posted_data(request), rows=rows, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.section55_chief_officer_comments_record(
                response=response,
                comments=form.cleaned_data["comments"],
                received_on=form.cleaned_data["received_on"],
                entered_by=EnteredBy.FORCE if force else EnteredBy.OFFICE,
                views=form.views(),
                by=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            form_refuse(form, error)
        else:
            messages.success(request, "The chief officer's comments are recorded.")
            return redirect(
                reverse("section55:detail", args=[body.slug, inspection.slug])
                if rights.can_edit
                else request.path
            )
    return render(
        request,
        "section55/chief_officer_comments.html",
        {
            "form": form,
            "response": response,
            "inspection": inspection,
            "body": body,
            "on_behalf": not force,
            "is_office": rights.can_edit,
        },
        status=400 if form.is_bound else 200,
    )


# --- documents ----------------------------------------------------------------------------


def _document(request, template: str, context: dict, *, pdf: bool, filename: str):
    if not pdf:
        return render(request, template, {**context, "printable": True})
    content = render_pdf(template_name=template, context=context, request=request)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def covering_letter(request, body: str, inspection: str, pdf: bool = False):
    """The covering letter to the Home Secretary for the newest published version."""
    office = _office(request, body, inspection)
    publication = office.response and office.response.publications.order_by("-version").first()
    if publication is None:
        raise Http404("The response is not published.")
    public_url = request.build_absolute_uri(
        reverse("responses:detail", args=[office.body.slug, office.inspection.slug])
    )
    return _document(
        request,
        "section55/covering_letter.html",
        {
            "publication": publication,
            "inspection": office.inspection,
            "body": office.body,
            "public_url": public_url,
            "today": timezone.localdate(),
            "last_day": deadlines.section55_last_day(office.inspection.published_on),
            "coverage": selectors.coverage(office.inspection, publication.positions.count()),
        },
        pdf=pdf,
        filename=f"{office.inspection.slug}-letter-to-the-home-secretary.pdf",
    )


@login_required
def board_paper(request, body: str, inspection: str, pdf: bool = False):
    """A board paper on the response, in the shape of the Cambridgeshire paper of 2016. It
    reads the draft, so only those who may read the draft open it while the response is open."""
    office = _office(request, body, inspection)
    try:
        access.require_read_document(request.user, office.response)
    except PermissionDenied as refusal:
        return _draft_refused(request, office.body, office.inspection, str(refusal))
    form = forms.BoardPaperForm(request.GET)
    form.is_valid()
    findings = office.inspection.findings.exclude(kind="recommendation").order_by("position", "id")
    return _document(
        request,
        "section55/board_paper.html",
        {
            "form": form,
            "to": form.cleaned_data.get("to") or "The Board",
            "sender": form.cleaned_data.get("sender") or office.body.name,
            "inspection": office.inspection,
            "body": office.body,
            "response": office.response,
            "rows": selectors.recommendation_rows(
                inspection=office.inspection, body=office.body, response=office.response
            ),
            "findings": findings,
            "subjects": office.inspection.subjects.all(),
            "last_day": deadlines.section55_last_day(office.inspection.published_on),
            "today": timezone.localdate(),
        },
        pdf=pdf,
        filename=f"{office.inspection.slug}-board-paper.pdf",
    )

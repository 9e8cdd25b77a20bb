"""My work and the tracked item page. Views get the item through the scoped selector (another
organisation's item is a 404), bind a form, call a service and redirect or render a partial;
services refuse what the user's role does not allow (a 403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actionplans.selectors import my_work_actions_page
from rocu_tracker.forms import form_refuse, posted_data

from . import access, forms, selectors, services
from .filters import MyWorkFilter
from .models import Evidence, Finding, TargetDateRevision, TrackedItem

PAGE_SIZE = 25


@login_required
@require_GET
def my_work(request):
    today = timezone.localdate()
    scope = selectors.my_work_scope(user=request.user, today=today)
    unscoped = selectors.my_work_unscoped()
    item_filter = MyWorkFilter(
        request.GET,
        items=lambda: selectors.my_work_items(
            user=request.user, today=today, parts=scope.parts, unscoped=unscoped
        ),
        inspection_choices=scope.inspection_choices,
        owner_choices=scope.owner_choices,
    )
    narrowed = item_filter.narrows  # validates the filters, for filter_queryset below
    # Nothing narrows the list: its count and its parts as my_work_scope read them (on
    # PostgreSQL), else through the filters.
    count = None if narrowed else scope.open_count
    plain_parts = None if narrowed else scope.plain_parts
    page = selectors.my_work_page(
        items=item_filter.qs if count is None else None,
        parts=[item_filter.filter_queryset(unscoped.filter(part)) for part in scope.parts]
        if plain_parts is None
        else [],
        user=request.user,
        query=request.GET,
        size=PAGE_SIZE,
        count=count,
        plain_parts=plain_parts,
        organisation_names=scope.organisation_names,
    )
    actions = my_work_actions_page(
        user=request.user,
        number=request.GET.get("actions_page"),
        size=PAGE_SIZE,
        count=scope.open_actions,
    )
    return render(
        request,
        "recommendations/my_work.html",
        {"filter": item_filter, "page": page, "actions": actions, "today": today},
    )


def _item_or_404(request, pk: int) -> TrackedItem:
    try:
        return selectors.item_for_page(user=request.user, pk=pk, today=timezone.localdate())
    except TrackedItem.DoesNotExist:
        raise Http404("No such tracked item.") from None


def _page_context(request, item: TrackedItem, **bound_forms) -> dict:
    version = {"version": item.version}
    context = {
        "item": item,
        "can_edit": access.can_change_item(request.user, item),
        "is_lead": access.can_lead_item(request.user, item),
        "history": selectors.item_history(item, before=request.GET.get("events_before")),
        "actions": item.actions.select_related("plan", "owner"),
        "pending_revision": item.target_date_revisions.filter(
            state=TargetDateRevision.State.PENDING
        )
        .select_related("requested_by")
        .first(),
        "today": timezone.localdate(),
        "progress_form": forms.ProgressUpdateForm(
            initial=version,
            item=item,
            next_statuses=services.allowed_next_statuses(item, by=request.user),
        ),
        "sign_off_form": forms.SignOffForm(initial=version),
        "return_form": forms.ReturnForm(initial=version),
        "owner_form": forms.AssignOwnerForm(initial=version, item=item),
        "revision_form": forms.TargetDateRevisionForm(),
        "decision_form": forms.RevisionDecisionForm(),
        **_reminders_pause_context(item),
        **_inspectorate_context(request, item),
    }
    context.update(bound_forms)
    return context


@login_required
@require_GET
def item_detail(request, pk: int):
    item = _item_or_404(request, pk)
    return render(request, "recommendations/item_detail.html", _page_context(request, item))


def _respond(request, item: TrackedItem, *, done: str | None = None, status=200, **bound):
    """After a POST: htmx gets the live part of the page; others a redirect or the page."""
    if done and not request.htmx:
        messages.success(request, done)
        return redirect("recommendations:item", pk=item.pk)
    item = _item_or_404(request, item.pk)
    context = _page_context(request, item, **bound)
    context["done"] = done
    template = "recommendations/item_detail.html"
    if request.htmx:
        template += "#item_live"
    return render(request, template, context, status=status)


def _submit(request, item: TrackedItem, *, form, form_name: str, done: str, action, may=None):
    """Bind, call the service, respond; a refusal keeps the user's input in the form.
    Someone who may read the item but not change it gets a 403 whatever they send (`may`
    says who may, if not the organisation's editors and leads)."""
    if may is None:
        may = access.can_change_item(request.user, item)
    if not may:
        raise PermissionDenied("You may read this item but not change it.")
    if form.is_valid():
        try:
            action(form.cleaned_data)
            return _respond(request, item, done=done)
        except ValidationError as error:
            form_refuse(form, error)
    # htmx swaps only successful responses; a full page reports the bad request.
    return _respond(request, item, status=200 if request.htmx else 400, **{form_name: form})


@login_required
@require_POST
def item_progress(request, pk: int):
    item = _item_or_404(request, pk)
    next_statuses = services.allowed_next_statuses(item, by=request.user)
    form = forms.ProgressUpdateForm(
        request.POST, request.FILES, item=item, next_statuses=next_statuses
    )
    return _submit(
        request,
        item,
        form=form,
        form_name="progress_form",
        done="Your update is recorded.",
        action=lambda data: services.progress_update_add(
            item=item,
            by=request.user,
            expected_version=data["version"],
            status=data["status"],
            narrative=data["narrative"],
            percent_complete=data["percent_complete"],
            evidence_files=data["evidence"],
            occurred_on=data["occurred_on"],
        ),
    )


@login_required
@require_POST
def item_accept(request, pk: int):
    item = _item_or_404(request, pk)
    return _submit(
        request,
        item,
        may=access.can_lead_item(request.user, item),
        form=forms.SignOffForm(request.POST),
        form_name="sign_off_form",
        done="Signed off as complete."
        if services.sign_off_status(item) == TrackedItem.Status.COMPLETE
        else "Signed off; it now waits for the inspectorate to confirm it.",
        action=lambda data: services.tracked_item_accept(
            item=item,
            by=request.user,
            expected_version=data["version"],
            narrative=data["narrative"],
        ),
    )


@login_required
@require_POST
def item_return(request, pk: int):
    item = _item_or_404(request, pk)
    return _submit(
        request,
        item,
        may=access.can_lead_item(request.user, item),
        form=forms.ReturnForm(request.POST),
        form_name="return_form",
        done="Returned to being progressed.",
        action=lambda data: services.tracked_item_return(
            item=item, by=request.user, expected_version=data["version"], reason=data["reason"]
        ),
    )


@login_required
@require_POST
def item_assign(request, pk: int):
    item = _item_or_404(request, pk)
    return _submit(
        request,
        item,
        form=forms.AssignOwnerForm(request.POST, item=item),
        form_name="owner_form",
        done="Owner changed.",
        action=lambda data: services.tracked_item_assign(
            item=item, owner=data["owner"], by=request.user, expected_version=data["version"]
        ),
    )


@login_required
@require_POST
def item_target_date(request, pk: int):
    item = _item_or_404(request, pk)
    return _submit(
        request,
        item,
        form=forms.TargetDateRevisionForm(request.POST),
        form_name="revision_form",
        done="Revision requested; a lead will decide.",
        action=lambda data: services.target_date_revision_request(
            item=item,
            by=request.user,
            proposed_date=data["proposed_date"],
            reason=data["reason"],
        ),
    )


@login_required
@require_POST
def revision_decide(request, pk: int, revision_pk: int):
    item = _item_or_404(request, pk)
    revision = get_object_or_404(item.target_date_revisions, pk=revision_pk)
    return _submit(
        request,
        item,
        may=access.can_lead_item(request.user, item),
        form=forms.RevisionDecisionForm(request.POST),
        form_name="decision_form",
        done="Decision recorded.",
        action=lambda data: services.target_date_revision_decide(
            revision=revision,
            by=request.user,
            approve=data["decision"] == "approve",
            note=data["note"],
        ),
    )


@login_required
@require_GET
def evidence_download(request, pk: int):
    try:
        evidence = selectors.evidence_for_user(user=request.user, pk=pk, today=timezone.localdate())
    except Evidence.DoesNotExist:
        raise Http404("No such evidence.") from None
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _require_lead(request, item: TrackedItem) -> None:
    """Pausing is a lead's: anyone else who may read the item gets a 403 whatever they send."""
    if not access.can_lead_item(request.user, item):
        raise PermissionDenied("Only a lead may pause or resume this item's reminders.")


def _reminders_pause_context(item: TrackedItem) -> dict:
    return {
        "reminders_paused": item.reminders_paused_on(timezone.localdate()),
        "pause_form": forms.RemindersPauseForm(),
        "resume_form": forms.RemindersResumeForm(),
    }


@login_required
@require_POST
def item_reminders_pause(request, pk: int):
    item = _item_or_404(request, pk)
    _require_lead(request, item)
    return _submit(
        request,
        item,
        form=forms.RemindersPauseForm(request.POST),
        form_name="pause_form",
        done="Reminders paused.",
        action=lambda data: services.tracked_item_reminders_pause(
            item=item, by=request.user, until=data["until"], reason=data["reason"]
        ),
    )


@login_required
@require_POST
def item_reminders_resume(request, pk: int):
    item = _item_or_404(request, pk)
    _require_lead(request, item)
    return _submit(
        request,
        item,
        form=forms.RemindersResumeForm(request.POST),
        form_name="resume_form",
        done="Reminders resumed.",
        action=lambda data: services.tracked_item_reminders_resume(
            item=item, by=request.user, reason=data["reason"]
        ),
    )


# --- the inspectorate's decisions and links between reports -------------------------------


def _inspectorate_context(request, item: TrackedItem) -> dict:
    version = {"version": item.version}
    finding = item.finding
    return {
        "can_confirm": access.can_confirm_for_inspectorate(request.user, item),
        "inspectorate_confirm_form": forms.InspectorateConfirmForm(initial=version),
        "inspectorate_return_form": forms.InspectorateReturnForm(initial=version),
        "can_link": access.can_link_findings(request.user, finding),
        "finding_links": selectors.finding_links(finding),
    }


@login_required
@require_POST
def item_inspectorate_confirm(request, pk: int):
    item = _item_or_404(request, pk)
    return _submit(
        request,
        item,
        form=forms.InspectorateConfirmForm(request.POST),
        form_name="inspectorate_confirm_form",
        done="Confirmed as complete for the inspectorate.",
        may=access.can_confirm_for_inspectorate(request.user, item),
        action=lambda data: services.tracked_item_inspectorate_confirm(
            item=item,
            by=request.user,
            expected_version=data["version"],
            narrative=data["narrative"],
            occurred_on=data["occurred_on"],
        ),
    )


@login_required
@require_POST
def item_inspectorate_return(request, pk: int):
    item = _item_or_404(request, pk)
    return _submit(
        request,
        item,
        form=forms.InspectorateReturnForm(request.POST),
        form_name="inspectorate_return_form",
        done="Returned to the organisation, being progressed.",
        may=access.can_confirm_for_inspectorate(request.user, item),
        action=lambda data: services.tracked_item_inspectorate_return(
            item=item,
            by=request.user,
            expected_version=data["version"],
            reason=data["reason"],
            occurred_on=data["occurred_on"],
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def finding_link(request, pk: int):
    """For a liaison who may enter its inspection: the finding repeats or supersedes a
    finding of an earlier report."""
    finding = get_object_or_404(
        Finding.objects.select_related(
            "inspection__inspectorate",
            "repeats__inspection__inspectorate",
            "supersedes__inspection__inspectorate",
        ),
        pk=pk,
    )
    access.require_link_findings(request.user, finding)
    form = forms.FindingLinkForm(posted_data(request), finding=finding)
    if request.method == "POST" and form.is_valid():
        link = {
            forms.FindingLinkForm.REPEATS: services.finding_link_repeat,
            forms.FindingLinkForm.SUPERSEDES: services.finding_supersede,
        }[form.cleaned_data["link"]]
        try:
            link(finding=finding, earlier=form.cleaned_data["earlier"], by=request.user)
            messages.success(request, "The link to the earlier finding is recorded.")
            return redirect(finding.inspection.get_absolute_url() + f"#finding-{finding.key}")
        except ValidationError as error:
            form_refuse(form, error)
    return render(
        request,
        "recommendations/finding_link.html",
        {"finding": finding, "form": form, **selectors.finding_links(finding)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def inspectorate_awaiting(request):
    """For an inspectorate's liaison: what the organisations signed off and wait for it to
    confirm or return, longest waiting first."""
    today = timezone.localdate()
    items = selectors.items_awaiting_the_inspectorate(user=request.user, today=today)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "recommendations/inspectorate_awaiting.html",
        {
            "page": page,
            "is_liaison": bool(access.inspectorate_ids_of_liaison(request.user)),
            "today": today,
        },
    )

"""Action plans and their actions. Another organisation's plan or action is a 404; the
services refuse what the user's role does not allow (a 403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from inspections.models import Inspection
from rocu_tracker.forms import form_refuse, posted_data

from . import access, forms, selectors, services
from .models import Action


def _plan_or_404(request, pk: int):
    plans = selectors.plans_visible_to(request.user, day=timezone.localdate())
    return get_object_or_404(plans, pk=pk)


def _require_editor(request, plan) -> None:
    if not access.can_edit_plans_of(request.user, plan.organisation_id):
        raise PermissionDenied("You may read this plan but not change it.")


@login_required
@require_GET
def plan_list(request):
    plans = selectors.plans_visible_to(request.user, day=timezone.localdate())
    editable = access.organisations_whose_plans_user_edits(request.user)
    return render(
        request,
        "actionplans/plan_list.html",
        {
            "plans": plans.order_by("organisation__name", "-inspection__published_on"),
            "can_start": editable.first(),
            "inspections": Inspection.objects.order_by("-published_on"),
        },
    )


def _save(request, form, *, action, done: str, redirect_to):
    """Call the service with the form's data; a refusal keeps the input in the form."""
    if form.is_valid():
        try:
            record = action(form.cleaned_data)
            messages.success(request, done)
            return redirect(redirect_to(record))
        except ValidationError as error:
            form_refuse(form, error)
    return None


def _fields(data: dict, *exclude: str) -> dict:
    return {name: value for name, value in data.items() if name not in ("version", *exclude)}


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request, inspection_slug: str):
    inspection = get_object_or_404(Inspection, slug=inspection_slug)
    organisation = access.organisations_whose_plans_user_edits(request.user).first()
    if organisation is None:
        raise Http404("You do not edit a force's plans.")
    form = forms.ActionPlanForm(
        posted_data(request), initial={"title": f"Action plan: {inspection.title}"}
    )
    if request.method == "POST":
        response = _save(
            request,
            form,
            done="Plan created.",
            redirect_to=lambda plan: plan,
            action=lambda data: services.action_plan_create(
                organisation=organisation, inspection=inspection, by=request.user, **data
            ),
        )
        if response:
            return response
    return render(
        request,
        "actionplans/plan_form.html",
        {"form": form, "inspection": inspection, "organisation": organisation},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def plan_detail(request, pk: int):
    plan = _plan_or_404(request, pk)
    return render(
        request,
        "actionplans/plan_detail.html",
        {
            "plan": plan,
            "actions": plan.actions.select_related("owner").prefetch_related("serves__finding"),
            "can_edit": access.can_edit_plans_of(request.user, plan.organisation_id),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk: int):
    plan = _plan_or_404(request, pk)
    _require_editor(request, plan)
    form = forms.VersionedActionPlanForm(
        posted_data(request), instance=plan, initial={"version": plan.version}
    )
    if request.method == "POST":
        response = _save(
            request,
            form,
            done="Plan saved.",
            redirect_to=lambda saved: saved,
            action=lambda data: services.action_plan_update(
                plan=plan, by=request.user, expected_version=data["version"], **_fields(data)
            ),
        )
        if response:
            return response
    return render(
        request,
        "actionplans/plan_form.html",
        {"form": form, "plan": plan, "inspection": plan.inspection},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request, pk: int):
    plan = _plan_or_404(request, pk)
    _require_editor(request, plan)
    form = forms.ActionForm(posted_data(request), plan=plan)
    if request.method == "POST":
        response = _save(
            request,
            form,
            done="Action added.",
            redirect_to=lambda action: action.plan,
            action=lambda data: services.action_add(
                plan=plan, by=request.user, serves=data["serves"], **_fields(data, "serves")
            ),
        )
        if response:
            return response
    return render(
        request,
        "actionplans/action_form.html",
        {"form": form, "plan": plan},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request, pk: int):
    visible = selectors.plans_visible_to(request.user, day=timezone.localdate())
    action = get_object_or_404(Action.objects.select_related("plan"), pk=pk, plan__in=visible)
    _require_editor(request, action.plan)
    form = forms.VersionedActionForm(
        posted_data(request),
        instance=action,
        plan=action.plan,
        initial={"version": action.version},
    )
    if request.method == "POST":
        response = _save(
            request,
            form,
            done="Action saved.",
            redirect_to=lambda saved: saved.plan,
            action=lambda data: services.action_update(
                action=action,
                by=request.user,
                expected_version=data["version"],
                serves=data["serves"],
                **_fields(data, "serves"),
            ),
        )
        if response:
            return response
    return render(
        request,
        "actionplans/action_form.html",
        {"form": form, "plan": action.plan, "action": action},
        status=400 if form.errors else 200,
    )

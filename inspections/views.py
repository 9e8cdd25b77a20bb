"""The inspection pages, and the intake pages where a liaison enters a report and publishes
it to the trackers. Views get the inspection through the scoped queryset (a draft another
liaison holds is a 404), check inspections.access (a 403), bind a form, call a service and
redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from recommendations.models import Finding
from rocu_tracker.forms import form_refuse, posted_data

from . import access, selectors, services
from .forms import FindingForm, InspectionForm, StatedCountFormSet, stated_count_initial
from .models import Inspection


@login_required
def inspection_list(request):
    return render(
        request,
        "inspections/inspection_list.html",
        {
            "inspections": selectors.inspections_with_recorded_counts().visible_to(request.user),
            "can_create": access.can_create_inspection(request.user),
        },
    )


@login_required
def inspection_detail(request, slug: str):
    inspection = get_object_or_404(
        selectors.inspections_with_recorded_counts().visible_to(request.user), slug=slug
    )
    today = timezone.localdate()
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "findings": selectors.findings_with_rollup(inspection, today=today),
            "today": today,
            "can_edit_inspection": access.can_edit_inspection(request.user, inspection),
        },
    )


def _editable_or_403(request, slug: str) -> Inspection:
    inspection = get_object_or_404(
        selectors.inspections_with_recorded_counts().visible_to(request.user), slug=slug
    )
    access.require_edit_inspection(request.user, inspection)
    return inspection


def _inspection_fields(form: InspectionForm) -> dict:
    return {name: value for name, value in form.cleaned_data.items() if name != "subjects"}


@login_required
def inspection_create(request):
    access.require_create_inspection(request.user)
    form = InspectionForm(posted_data(request))
    counts = StatedCountFormSet(posted_data(request), prefix="counts")
    if request.method == "POST" and form.is_valid() and counts.is_valid():
        try:
            inspection = services.inspection_create(
                by=request.user,
                subjects=form.cleaned_data["subjects"],
                stated_counts=counts.counts(),
                **_inspection_fields(form),
            )
        except (ValidationError, PermissionDenied) as error:
            form_refuse(form, ValidationError(str(error)))
        else:
            messages.success(request, "Inspection created: add its findings, then publish it.")
            return redirect("inspections:intake", inspection.slug)
    return render(request, "inspections/inspection_form.html", {"form": form, "counts": counts})


@login_required
def inspection_intake(request, slug: str):
    inspection = _editable_or_403(request, slug)
    initial = InspectionForm.initial_for(inspection)
    form = InspectionForm(posted_data(request), initial=initial)
    counts = StatedCountFormSet(
        posted_data(request), prefix="counts", initial=stated_count_initial(inspection)
    )
    if request.method == "POST" and form.is_valid() and counts.is_valid():
        try:
            services.inspection_update(
                inspection=inspection,
                by=request.user,
                subjects=form.cleaned_data["subjects"],
                stated_counts=counts.counts(),
                **_inspection_fields(form),
            )
        except (ValidationError, PermissionDenied) as error:
            form_refuse(form, ValidationError(str(error)))
        else:
            messages.success(request, "Details saved.")
            return redirect("inspections:intake", inspection.slug)
    findings = inspection.findings.prefetch_related("addressees").order_by("position", "id")
    return render(
        request,
        "inspections/inspection_intake.html",
        {"inspection": inspection, "form": form, "counts": counts, "findings": findings},
    )


@login_required
def finding_add(request, slug: str):
    inspection = _editable_or_403(request, slug)
    form = FindingForm(posted_data(request), inspection=inspection)
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_create(inspection=inspection, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_refuse(form, error)
        else:
            messages.success(request, "Finding added.")
            return redirect("inspections:intake", inspection.slug)
    return render(
        request, "inspections/finding_form.html", {"inspection": inspection, "form": form}
    )


@login_required
def finding_edit(request, slug: str, pk: int):
    inspection = _editable_or_403(request, slug)
    finding = get_object_or_404(inspection.findings, pk=pk)
    form = FindingForm(
        posted_data(request), inspection=inspection, initial=FindingForm.initial_for(finding)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_update(finding=finding, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_refuse(form, error)
        else:
            messages.success(request, "Finding saved.")
            return redirect("inspections:intake", inspection.slug)
    return render(
        request,
        "inspections/finding_form.html",
        {"inspection": inspection, "form": form, "finding": finding},
    )


@login_required
@require_POST
def finding_move(request, slug: str, pk: int):
    inspection = _editable_or_403(request, slug)
    finding = get_object_or_404(inspection.findings, pk=pk)
    move = -1 if request.POST.get("direction") == "up" else 1
    services.findings_reorder(inspection=inspection, by=request.user, finding=finding, move=move)
    return redirect(f"{inspection.get_intake_url()}#findings-heading")


@login_required
def inspection_publish(request, slug: str):
    inspection = _editable_or_403(request, slug)
    preview = services.publication_preview(inspection)
    error = None
    if request.method == "POST":
        try:
            created = services.inspection_publish_to_trackers(
                inspection=inspection, by=request.user
            )
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(
                request, f"Published to the trackers: {created} tracked items created."
            )
            return redirect(inspection)
    return render(
        request,
        "inspections/inspection_publish.html",
        {
            "inspection": inspection,
            "preview": preview,
            "total": sum(count for _, count in preview),
            "untracked": [f for f, _ in preview if f.kind not in Finding.TRACKED_KINDS],
            "error": error,
        },
    )

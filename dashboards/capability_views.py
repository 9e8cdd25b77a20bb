"""A capability's delivery in one region: its history, and recording a new state (the
region's ROCU staff). The matrix itself is views.capability_matrix."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from organisations import services as organisation_services
from organisations.access import (
    can_record_capability_delivery,
    require_record_capability_delivery,
)
from organisations.models import Organisation
from recommendations.models import Capability
from rocu_tracker.forms import form_refuse

from .capability_forms import CapabilityDeliveryForm
from .selectors import capabilities as selectors


def _cell(region: str, capability: str):
    return (
        get_object_or_404(Organisation, kind=Organisation.Kind.REGION, slug=region),
        get_object_or_404(Capability, slug=capability),
    )


def _history_page(request, region, capability, form, *, status=200):
    context = {
        "region": region,
        "capability": capability,
        "history": selectors.capability_delivery_history(region=region, capability=capability),
        "can_record": can_record_capability_delivery(request.user, region),
        "form": form,
    }
    return render(request, "dashboards/capability_history.html", context, status=status)


@login_required
def capability_history(request, region: str, capability: str):
    region, capability = _cell(region, capability)
    form = CapabilityDeliveryForm(region=region, initial={"valid_from": timezone.localdate()})
    return _history_page(request, region, capability, form)


@login_required
@require_POST
def capability_delivery_record(request, region: str, capability: str):
    region, capability = _cell(region, capability)
    require_record_capability_delivery(request.user, region)
    form = CapabilityDeliveryForm(request.POST, region=region)
    if form.is_valid():
        try:
            organisation_services.capability_delivery_record(
                region=region, capability=capability, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_refuse(form, error)
        else:
            messages.success(request, f"Delivery of {capability.name} recorded.")
            return redirect("dashboards:capability_history", region.slug, capability.slug)
    return _history_page(request, region, capability, form, status=400)

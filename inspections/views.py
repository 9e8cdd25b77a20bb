from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from . import selectors


@login_required
def inspection_list(request):
    return render(
        request,
        "inspections/inspection_list.html",
        {"inspections": selectors.inspections_with_recorded_counts()},
    )


@login_required
def inspection_detail(request, slug: str):
    inspection = get_object_or_404(
        selectors.inspections_with_recorded_counts().select_related("inspectorate"), slug=slug
    )
    today = timezone.localdate()
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "findings": selectors.findings_with_rollup(inspection, today=today),
            "today": today,
        },
    )

import django_filters
from django.contrib.auth import get_user_model
from django.utils import timezone

from inspections.models import Inspection
from rocu_tracker.deadlines import Rag

from .models import TrackedItem


class MyWorkFilter(django_filters.FilterSet):
    """Filters for My work, kept in the URL so a view can be bookmarked."""

    inspection = django_filters.ModelChoiceFilter(
        label="Inspection",
        field_name="finding__inspection",
        queryset=Inspection.objects.all(),
        empty_label="Any",
    )
    status = django_filters.ChoiceFilter(
        choices=[
            (s, TrackedItem.Status(s).label)
            for s in TrackedItem.Status.values
            if s not in TrackedItem.CLOSED_STATUSES
        ],
        empty_label="Any",
    )
    owner = django_filters.ModelChoiceFilter(queryset=None, empty_label="Anyone")
    rag = django_filters.ChoiceFilter(
        label="RAG",
        choices=[(rag.value, rag.value.capitalize()) for rag in Rag],
        empty_label="Any",
    )
    due_within = django_filters.NumberFilter(
        label="Due within (days)", method="filter_due_within", min_value=0, max_value=3650
    )

    class Meta:
        model = TrackedItem
        fields = ["inspection", "status", "owner", "rag", "due_within"]

    def __init__(self, *args, organisation_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["inspection"].queryset = Inspection.objects.filter(
            id__in=TrackedItem.objects.filter(organisation_id__in=organisation_ids).values(
                "finding__inspection_id"
            )
        ).order_by("-published_on", "title")
        self.filters["owner"].queryset = (
            get_user_model()
            .objects.filter(memberships__organisation_id__in=organisation_ids)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )

    def filter_due_within(self, queryset, name, value):
        """Open and due from today to that many days on, as on the dashboard."""
        return queryset.due_soon(timezone.localdate(), int(value))

import django_filters
from django.contrib.auth import get_user_model
from django.utils import timezone

from dashboards.filters import FastSelect
from rocu_tracker.deadlines import Rag

from . import selectors
from .models import TrackedItem


class MyWorkFilter(django_filters.FilterSet):
    """Filters for My work, kept in the URL so a view can be bookmarked."""

    # A force's items come from nearly every report (a thousand nationally): the options are
    # read as plain values (no model instance each) and written by dashboards' FastSelect
    # (not Django's template per option, a tenth of a second).
    inspection = django_filters.ChoiceFilter(
        label="Inspection",
        field_name="finding__inspection",
        choices=[],
        empty_label="Any",
        widget=FastSelect,
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
        self.filters["inspection"].extra["choices"] = selectors.my_work_inspection_choices(
            organisation_ids=organisation_ids
        )
        self.filters["owner"].queryset = (
            get_user_model()
            .objects.filter(memberships__organisation_id__in=organisation_ids)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )

    def filter_due_within(self, queryset, name, value):
        """Open and due from today to that many days on, as on the dashboard."""
        return queryset.due_soon(timezone.localdate(), int(value))

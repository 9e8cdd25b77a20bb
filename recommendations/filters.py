import django_filters
from django.contrib.auth import get_user_model
from django.utils import timezone

from dashboards.filters import FastSelect, FormClassMadeOnce
from rocu_tracker.deadlines import Rag

from . import selectors
from .models import TrackedItem


class MyWorkFilter(FormClassMadeOnce, django_filters.FilterSet):
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
        method="filter_rag",
    )
    due_within = django_filters.NumberFilter(
        label="Due within (days)", method="filter_due_within", min_value=0, max_value=3650
    )

    class Meta:
        model = TrackedItem
        fields = ["inspection", "status", "owner", "rag", "due_within"]

    def __init__(self, *args, organisation_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_ids = organisation_ids

    @property
    def form(self):
        """The choices that depend on the person (inspections, owners) are set on each form,
        so that the thousand inspection options are not normalised and deep-copied again by
        the filter, the form class and the form on every request."""
        if not hasattr(self, "_form"):
            form = super().form
            form.fields["inspection"].choices = selectors.my_work_inspection_choices(
                organisation_ids=self.organisation_ids
            )
            form.fields["owner"].queryset = (
                get_user_model()
                .objects.filter(memberships__organisation_id__in=self.organisation_ids)
                .distinct()
                .order_by("first_name", "last_name", "username")
            )
        return self._form

    def filter_rag(self, queryset, name, value):
        """The RAG worked out only when asked for: My work's items are not annotated."""
        return queryset.with_rag(timezone.localdate()).filter(rag=value)

    def filter_due_within(self, queryset, name, value):
        """Open and due from today to that many days on, as on the dashboard."""
        return queryset.due_soon(timezone.localdate(), int(value))

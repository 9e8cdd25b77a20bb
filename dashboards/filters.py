"""The filters on every list, kept in the URL. The FilterSet validates the query string and
hands its cleaned data to selectors.items_for_dashboard, which does the filtering."""

import html

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from inspections.models import Inspection
from organisations.models import Organisation
from recommendations.models import Capability, Finding, TrackedItem
from rocu_tracker.forms import DateField

from . import selectors


class _DateFilter(django_filters.DateFilter):
    field_class = DateField


class _FilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "row row-cols-md-3 g-2 align-items-end"
        self.helper.disable_csrf = True
        self.helper.add_input(Submit("", "Apply filters", css_class="btn-primary"))

    def clean(self):
        cleaned = super().clean()
        after, before = cleaned.get("deadline_after"), cleaned.get("deadline_before")
        if after and before and after > before:
            self.add_error("deadline_before", "The end of the deadline range is before its start.")
        return cleaned


class FastSelect(forms.Select):
    """A select that writes its options in Python: the inspection filter lists every report
    (a thousand nationally), and Django's template per option takes a tenth of a second."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(chosen) for chosen in self.format_value(value)}
        options = []
        for key, label in self.choices:
            key = str(key)
            mark = " selected" if key in selected else ""
            # The standard library's escape: Django's escape() per option costs more than
            # the rest of the page.
            options.append(
                f'<option value="{html.escape(key)}"{mark}>{html.escape(str(label))}</option>'
            )
        final_attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html(
            '<select name="{}"{}>{}</select>', name, final_attrs, mark_safe("".join(options))
        )


def _organisations():
    return Organisation.objects.exclude(kind=Organisation.Kind.INSPECTORATE).order_by("name")


class DashboardFilterSet(django_filters.FilterSet):
    """The scope of the dashboard: which inspections, organisations, kinds and capabilities
    it counts. (It has no status, RAG or deadline filters: those are what it breaks down by.)"""

    inspection = django_filters.ModelChoiceFilter(
        label="Inspection",
        queryset=Inspection.objects.only("id", "title", "published_on").order_by("-published_on"),
        empty_label="Any inspection",
        widget=FastSelect,
    )
    organisation = django_filters.ModelChoiceFilter(
        label="Organisation",
        queryset=_organisations(),
        empty_label="Any organisation",
        widget=FastSelect,
    )
    region = django_filters.ModelChoiceFilter(
        label="Region",
        queryset=Organisation.objects.filter(kind=Organisation.Kind.REGION).order_by("name"),
        empty_label="Any region",
        help_text="Its member forces on the day, and the region itself.",
    )
    kind = django_filters.MultipleChoiceFilter(
        label="Kind of finding", choices=Finding.Kind.choices
    )
    capability = django_filters.ModelChoiceFilter(
        label="Capability", queryset=Capability.objects.all(), empty_label="Any capability"
    )

    class Meta:
        model = TrackedItem
        fields: list[str] = []
        form = _FilterForm

    def __init__(self, data=None, *, request, today):
        super().__init__(data, request=request)
        self.today = today

    def filter_queryset(self, queryset):
        return selectors.items_for_dashboard(
            user=self.request.user, filters=self.form.cleaned_data, today=self.today
        )

    def cleaned_filters(self) -> dict:
        """The valid filters, or none when the query string is invalid (the form says why)."""
        return self.form.cleaned_data if self.is_valid() else {}


class ItemFilterSet(DashboardFilterSet):
    """Every filter a drill-down list takes."""

    status = django_filters.MultipleChoiceFilter(label="Status", choices=TrackedItem.Status.choices)
    state = django_filters.ChoiceFilter(
        label="Open or closed",
        choices=[("open", "Open"), ("closed", "Closed")],
        empty_label="Open or closed",
    )
    rag = django_filters.MultipleChoiceFilter(label="RAG", choices=selectors.RAG_CHOICES)
    due = django_filters.ChoiceFilter(
        label="Deadline", choices=selectors.DUE_CHOICES, empty_label="Any deadline"
    )
    deadline_after = _DateFilter(label="Deadline on or after")
    deadline_before = _DateFilter(label="Deadline on or before")
    age = django_filters.ChoiceFilter(
        label="Open for",
        choices=[(bucket.key, bucket.label) for bucket in selectors.AGE_BUCKETS],
        empty_label="Any time",
        help_text="Counted from the report's publication.",
    )

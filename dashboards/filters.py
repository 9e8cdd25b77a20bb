"""The filters on every list, kept in the URL. The FilterSet validates the query string and
hands its cleaned data to selectors.items_for_dashboard, which does the filtering."""

import copy
import html

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout
from django import forms
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from inspections.models import Inspection
from organisations.models import Organisation
from recommendations.models import Capability, Finding, TrackedItem
from rocu_tracker.forms import DateField

from . import selectors


class _DateFilter(django_filters.DateFilter):
    field_class = DateField


APPLY_BUTTON = (
    '<div class="col"><button type="submit" class="btn btn-primary mb-3">Apply filters</button>'
    "</div>"
)


class _FilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "row row-cols-md-3 g-2 align-items-end"
        self.helper.disable_csrf = True
        # A button of no name (crispy's Submit always writes one: name="" is invalid HTML,
        # and a named one would put itself in the list's URL).
        self.helper.layout = Layout(*self.fields, HTML(APPLY_BUTTON))

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


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    """FastSelect for a choice of several (SelectMultiple reads the values)."""

    def render(self, name, value, attrs=None, renderer=None):
        return super().render(name, value, {**(attrs or {}), "multiple": True}, renderer)


class _ListSelect(FastSelect):
    """The drill-down list's select: its options are already (value, label) pairs (the
    field's normalised choices, or _list_options' rows), so they are kept as given rather
    than normalised one by one again (a thousand inspections nationally)."""

    @property
    def choices(self):
        return self._choices

    @choices.setter
    def choices(self, value):
        self._choices = value

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(chosen) for chosen in self.format_value(value)}
        choices = list(self.choices)
        options = "".join(
            f'<option value="{html.escape(str(key))}"'
            f"{' selected' if str(key) in selected else ''}>{html.escape(str(label))}</option>"
            for key, label in choices
        )
        final_attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, final_attrs, mark_safe(options))


class _ListSelectMultiple(_ListSelect, forms.SelectMultiple):
    def render(self, name, value, attrs=None, renderer=None):
        return super().render(name, value, {**(attrs or {}), "multiple": True}, renderer)


def _fast(widget: forms.Select) -> _ListSelect:
    kind = _ListSelectMultiple if widget.allow_multiple_selected else _ListSelect
    return kind(attrs=widget.attrs, choices=widget.choices)


def _list_options(fields) -> dict[str, list[tuple]]:
    """The list's record filters' options from value tuples, worded as the model's __str__
    words them (Inspection: "title (year)"; Organisation, Capability: the name), in three
    queries: the regions are read with the organisations (they are among them, in the same
    order). A thousand model instances cost more than the list page's rows."""
    options = {}
    organisations = list(_organisations().values_list("id", "name", "kind"))
    for name, field in fields.items():
        if name == "organisation":
            rows = [(pk, label) for pk, label, _ in organisations]
        elif name == "region":
            region = Organisation.Kind.REGION
            rows = [(pk, label) for pk, label, kind in organisations if kind == region]
        elif name == "inspection":
            published = field.queryset.values_list("id", "title", "published_on")
            rows = [(pk, f"{title} ({day.year})") for pk, title, day in published]
        elif isinstance(field, forms.ModelChoiceField):
            rows = field.queryset.values_list("id", "name")
        else:
            continue
        options[name] = [("", field.empty_label), *rows]
    return options


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


class FormClassMadeOnce:
    """A FilterSet whose form class is made once per class rather than per request: its
    fields do not depend on the request (each form deep-copies them), and making the class
    anew, filter by filter, cost a millisecond a page. Choices that depend on the request
    are set on the form instance."""

    @classmethod
    def _form_class(cls):
        if "_made_form_class" not in cls.__dict__:
            fields = {name: filter_.field for name, filter_ in cls.base_filters.items()}
            cls._made_form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
        return cls._made_form_class

    def get_form_class(self):
        return self._form_class()


class ItemFilterSet(FormClassMadeOnce, DashboardFilterSet):
    """Every filter a drill-down list takes. The list page writes its fields with a plain
    template loop (item_list.html), not crispy, and every select in Python (FastSelect):
    rendering them through templates cost more than the rest of the page. So the widgets
    carry Bootstrap's classes themselves."""

    def __init__(self, data=None, *, request, today):
        # BaseFilterSet.__init__ less its deep copy of every filter (a millisecond a page):
        # this filter set reads its form's cleaned data (filter_queryset), not its filters,
        # and its form class is made once (_form_class). `filters` copies them if asked.
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = TrackedItem.objects.all()
        self.request = request
        self.form_prefix = None
        self.today = today

    @cached_property
    def filters(self):
        filters = copy.deepcopy(self.base_filters)
        for filter_ in filters.values():
            filter_.model, filter_.parent = TrackedItem, self
        return filters

    @property
    def form(self):
        form = super().form
        if not getattr(form, "styled", False):
            for field in form.fields.values():
                if isinstance(field.widget, forms.Select):
                    field.widget.attrs["class"] = "form-select"
                    field.widget = _fast(field.widget)
                else:
                    field.widget.attrs["class"] = "form-control"
            for name, options in _list_options(form.fields).items():
                form.fields[name].widget.choices = options
            form.styled = True
        return form

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

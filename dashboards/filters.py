"""The filters on every list, kept in the URL. The FilterSet validates the query string and
hands its cleaned data to selectors.items_for_dashboard, which does the filtering."""

import copy
import dataclasses
import html

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout
from django import forms
from django.forms.utils import flatatt
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from inspections.models import Inspection
from organisations.models import Organisation
from recommendations.models import Capability, Finding, TrackedItem
from rocu_tracker.forms import DateField

from . import listing, selectors


class _DateFilter(django_filters.DateFilter):
    field_class = DateField


APPLY_BUTTON = (
    '<div class="col"><button type="submit" class="btn btn-primary mb-3">Apply filters</button>'
    "</div>"
)


class _DeadlineRangeForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        after, before = cleaned.get("deadline_after"), cleaned.get("deadline_before")
        if after and before and after > before:
            self.add_error("deadline_before", "The end of the deadline range is before its start.")
        return cleaned


class _FilterForm(_DeadlineRangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "row row-cols-md-3 g-2 align-items-end"
        self.helper.disable_csrf = True
        # A button of no name (crispy's Submit always writes one: name="" is invalid HTML,
        # and a named one would put itself in the list's URL).
        self.helper.layout = Layout(*self.fields, HTML(APPLY_BUTTON))


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
    """The drill-down list's select: its options come written already (`options`, an
    WrittenOptions kept per process while they stay the same), and the chosen ones are marked
    in that text, rather than each of a thousand options escaped and written per request."""

    options = None

    @property
    def choices(self):
        return self.options.choices if self.options is not None else self._choices

    @choices.setter
    def choices(self, value):
        self._choices = value

    def render(self, name, value, attrs=None, renderer=None):
        if self.options is None:
            return super().render(name, value, attrs, renderer)
        final_attrs = flatatt(self.build_attrs(self.attrs, attrs))
        options = self.options.marked(self.format_value(value))
        return format_html('<select name="{}"{}>{}</select>', name, final_attrs, options)


class _ListSelectMultiple(_ListSelect, forms.SelectMultiple):
    def render(self, name, value, attrs=None, renderer=None):
        return super().render(name, value, {**(attrs or {}), "multiple": True}, renderer)


class _FieldsCopiedLightly(dict):
    """A form class's fields that each form copies (BaseForm deep-copies base_fields) one
    level deep: the field and its widget (which a form may change: the list sets its
    options), not their choices, validators and querysets, which no form changes. Deep
    copies of the list's fourteen fields cost more than validating them."""

    def __deepcopy__(self, memo):
        return {name: _light_copy(field) for name, field in self.items()}


def _light_copy(field: forms.Field) -> forms.Field:
    copied = copy.copy(field)
    copied.widget = copy.copy(field.widget)
    copied.widget.attrs = dict(field.widget.attrs)
    return copied


class _ListForm(_DeadlineRangeForm):
    """The list's filter form: written by fields_html, not crispy (so no helper)."""


def _fast(widget: forms.Select) -> _ListSelect:
    kind = _ListSelectMultiple if widget.allow_multiple_selected else _ListSelect
    return kind(attrs=widget.attrs, choices=widget.choices)


@dataclasses.dataclass(frozen=True)
class WrittenOptions:
    """A select's (value, label) pairs and their <option> elements, none chosen."""

    choices: list[tuple]
    html: str

    @classmethod
    def of(cls, choices) -> "WrittenOptions":
        choices = [(str(key), str(label)) for key, label in choices]
        written = "".join(
            f'<option value="{html.escape(key)}">{html.escape(label)}</option>'
            for key, label in choices
        )
        return cls(choices, written)

    def marked(self, chosen) -> SafeString:
        """The options with each of `chosen` (values) selected."""
        written = self.html
        for value in dict.fromkeys(chosen):
            start = f'<option value="{html.escape(str(value))}">'
            written = written.replace(start, f"{start[:-1]} selected>", 1)
        return mark_safe(written)


INSPECTORATE, REGION = Organisation.Kind.INSPECTORATE, Organisation.Kind.REGION


def _read_list_options(fields, reference: listing.Reference) -> dict[str, WrittenOptions]:
    """The list's selects' options, its record filters' from the kept reference rows,
    worded as the model's __str__ words them (Inspection: "title (year)"; Organisation,
    Capability: the name). A thousand model instances cost more than the list page's rows."""
    options = {}
    for name, field in fields.items():
        if name == "organisation":
            rows = [
                (pk, label)
                for pk, label, _, kind in reference.organisations
                if kind != INSPECTORATE
            ]
        elif name == "region":
            rows = [(pk, label) for pk, label, _, kind in reference.organisations if kind == REGION]
        elif name == "inspection":
            rows = [(pk, f"{title} ({day.year})") for pk, title, day in reference.inspections]
        elif name == "capability":
            rows = reference.capabilities
        elif isinstance(field.widget, forms.Select):
            options[name] = WrittenOptions.of(field.widget.choices)
            continue
        else:
            continue
        options[name] = WrittenOptions.of([("", field.empty_label), *rows])
    return options


def list_options(fields, reference: listing.Reference) -> dict[str, WrittenOptions]:
    """The drill-down list's selects' options (_read_list_options), kept with the reference
    rows they are made from (listing.kept_reference): a thousand options written once
    while nothing they show changes, rather than per request."""
    options = reference.derived.get("list_options")
    if options is None:
        options = reference.derived["list_options"] = _read_list_options(fields, reference)
    return options


# How many query strings' filter fields a process keeps written (per Reference version).
KEPT_FIELDS_HTML = 256


def kept_fields_html(filterset: "ItemFilterSet") -> SafeString:
    """fields_html of the filter set's form, kept with the Reference it was written from
    for the same values of its fields: what it writes (options, values, errors) depends on
    nothing else. A list paged through, sorted or re-shown after a change to its items
    writes its form once."""
    form = filterset.form
    kept = filterset.reference.derived.setdefault("fields_html", {})
    key = tuple((name, tuple(form.data.getlist(name))) for name in form.fields)
    written = kept.get(key)
    if written is None:
        if len(kept) >= KEPT_FIELDS_HTML:
            kept.clear()
        for name, options in list_options(form.fields, filterset.reference).items():
            form.fields[name].widget.options = options
        written = kept[key] = fields_html(form)
    return written


def fields_html(form) -> SafeString:
    """The list's filter fields, each in its column with its label, help text and errors:
    written here rather than by a template loop (its nodes per field cost more than the
    widgets). The errors' element has the id that the widget's aria-describedby names."""
    escape = conditional_escape
    parts = []
    for field in form:
        help_text = (
            f'<div class="form-text" id="{field.auto_id}_helptext">{escape(field.help_text)}</div>'
            if field.help_text
            else ""
        )
        errors = (
            f'<div class="invalid-feedback d-block" id="{field.auto_id}_error">'
            f"{' '.join(escape(error) for error in field.errors)}</div>"
            if field.errors
            else ""
        )
        parts.append(
            f'<div class="col mb-2">\n'
            f'<label class="form-label" for="{field.id_for_label}">{escape(field.label)}</label>\n'
            f"{field}{help_text}{errors}\n</div>"
        )
    return mark_safe("\n".join(parts))


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

    @classmethod
    def _form_class(cls):
        """The form class, its fields styled once: Bootstrap's classes on the widgets, and
        every select a _ListSelect. Its fields are copies: DashboardFilterSet shares the
        filters (and their fields) that this one inherits."""
        if "_made_form_class" not in cls.__dict__:
            fields = {}
            for name, filter_ in cls.base_filters.items():
                field = fields[name] = copy.deepcopy(filter_.field)
                if isinstance(field.widget, forms.Select):
                    field.widget.attrs["class"] = "form-select"
                    field.widget = _fast(field.widget)
                else:
                    field.widget.attrs["class"] = "form-control"
            made = type(f"{cls.__name__}Form", (_ListForm,), fields)
            made.base_fields = _FieldsCopiedLightly(made.base_fields)
            cls._made_form_class = made
        return cls._made_form_class

    @cached_property
    def reference(self) -> listing.Reference:
        """The organisations, inspections and capabilities the page names (its options,
        its rows' organisation and inspection), read when they changed (one query if not;
        the list's view reads it with its count: listing.count_and_reference)."""
        return listing.kept_reference()

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

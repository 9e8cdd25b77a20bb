import django_filters
from django.core.validators import EMPTY_VALUES
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html

from dashboards.filters import FastSelect, FormClassMadeOnce, WrittenOptions
from rocu_tracker.deadlines import Rag

from .models import TrackedItem

# {id of a list of choices: (the list, its options written)}, per process: the lists are
# my_work_scope's, kept per process while nothing they are read from moves, so the same
# list comes back request after request.
_written_options: dict[int, tuple[list, WrittenOptions]] = {}


class KeptOptionsSelect(FastSelect):
    """FastSelect for a list of choices that is kept between requests (`kept`, set on each
    form's widget): its thousand options are written once per list, and the chosen one
    marked in a copy, rather than written and escaped again on every page."""

    kept: list | None = None

    def render(self, name, value, attrs=None, renderer=None):
        if self.kept is None:
            return super().render(name, value, attrs, renderer)
        options = self._options().marked(self.format_value(value))
        final_attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, final_attrs, options)

    def _options(self) -> WrittenOptions:
        known = _written_options.get(id(self.kept))
        if known is not None and known[0] is self.kept:
            return known[1]
        written = WrittenOptions.of(self.choices)
        if len(_written_options) > 100:
            _written_options.clear()
        _written_options[id(self.kept)] = (self.kept, written)
        return written


class MyWorkFilter(FormClassMadeOnce, django_filters.FilterSet):
    """Filters for My work, kept in the URL so a view can be bookmarked."""

    # A force's items come from nearly every report (a thousand nationally): the options are
    # read as plain values (no model instance each), kept between requests with their
    # markup (KeptOptionsSelect), not Django's template per option (a tenth of a second).
    inspection = django_filters.ChoiceFilter(
        label="Inspection",
        field_name="finding__inspection",
        choices=[],
        empty_label="Any",
        widget=KeptOptionsSelect,
    )
    status = django_filters.ChoiceFilter(
        choices=[
            (s, TrackedItem.Status(s).label)
            for s in TrackedItem.Status.values
            if s not in TrackedItem.CLOSED_STATUSES
        ],
        empty_label="Any",
    )
    # The people of the user's organisations (my_work_scope's), labelled as a
    # ModelChoiceFilter of users would be, by username: read with the rest of the scope.
    owner = django_filters.ChoiceFilter(choices=[], empty_label="Anyone")
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

    def __init__(self, data, *, items, inspection_choices, owner_choices):
        """`items`: a function that returns what the filters narrow (My work's items),
        called only when `qs` is asked for: a page that no filter narrows needs neither
        them nor their count (selectors.my_work_scope has it)."""
        super().__init__(data, queryset=TrackedItem.objects.all())
        self.items = items
        self.inspection_choices = inspection_choices
        self.owner_choices = owner_choices

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            self.queryset = self.items()
        return super().qs

    @property
    def form(self):
        """The choices that depend on the person (selectors.my_work_scope's inspections and
        owners) are set on each form, so that the thousand inspection options are not
        normalised and deep-copied again by the filter, the form class and the form on
        every request."""
        if not hasattr(self, "_form"):
            form = super().form
            inspection = form.fields["inspection"]
            inspection.choices = self.inspection_choices
            inspection.widget.kept = self.inspection_choices
            form.fields["owner"].choices = self.owner_choices
        return self._form

    @property
    def narrows(self) -> bool:
        """Whether a valid filter leaves out some of the items (an invalid one filters
        nothing: the form shows its error)."""
        if not self.is_bound:
            return False
        self.errors  # noqa: B018 - validates the form, for cleaned_data
        return any(value not in EMPTY_VALUES for value in self.form.cleaned_data.values())

    def filter_rag(self, queryset, name, value):
        """The RAG worked out only when asked for: My work's items are not annotated."""
        return queryset.with_rag(timezone.localdate()).filter(rag=value)

    def filter_due_within(self, queryset, name, value):
        """Open and due from today to that many days on, as on the dashboard."""
        return queryset.due_soon(timezone.localdate(), int(value))

import html

from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db import models
from django.urls import reverse
from django.utils import formats
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from . import services
from .models import Capability, Finding, TrackedItem, TrackedItemEvent


@admin.register(Capability)
class CapabilityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    """Saves go through services.finding_upsert: on an inspection published to the trackers
    a new finding fans out, new addressees get items and removed ones' items are withdrawn
    with an event. A finding with tracked items is never deleted here (its history would go
    with it)."""

    list_display = ["__str__", "inspection", "kind", "reference", "deadline", "audience"]
    list_filter = ["kind", "audience", "deadline_precision", "inspection"]
    search_fields = ["text", "summary", "reference", "key", "addressees_as_written"]
    autocomplete_fields = ["inspection", "addressees", "capabilities", "cause_of_concern"]

    def get_readonly_fields(self, request, obj=None):
        # The service finds a finding by (inspection, key): neither changes once made.
        return ["inspection", "key"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {
            name: data[name]
            for name in form.fields
            if name not in ("inspection", "key", "addressees", "capabilities")
        }
        saved = services.finding_upsert(
            inspection=obj.inspection,
            key=obj.key,
            addressees=data.get("addressees", obj.addressees.all() if obj.pk else ()),
            capabilities=data.get("capabilities", obj.capabilities.all() if obj.pk else ()),
            by=request.user,
            **fields,
        )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # The many-to-many fields were saved (and fanned out) by the service in save_model.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.tracked_items.exists():
            return False
        return super().has_delete_permission(request, obj)


class CappedCountPaginator(Paginator):
    """Counts no further than LIMIT rows: past it, the list says LIMIT and offers that many
    pages (search or filter to reach the rest; the dashboards' list pages through them all).
    As the dashboards' list (rocu_tracker.keyset.COUNT_LIMIT): counting 10,000 rows cost
    more than the rest of the page's queries together."""

    LIMIT = 1_000

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by().values("pk")[: self.LIMIT].count()


class TrackedItemEventInline(admin.TabularInline):
    """History is append-only: shown here, never edited."""

    model = TrackedItemEvent
    extra = 0
    can_delete = False
    readonly_fields = [
        "occurred_on",
        "kind",
        "actor",
        "actor_name",
        "from_status",
        "to_status",
        "narrative",
        "old_date",
        "new_date",
        "recorded_at",
    ]

    def has_add_permission(self, request, obj=None):
        return False


class RowsInPythonChangeList(ChangeList):
    """A changelist of model fields (no callables, no list_editable) whose rows are written
    here as the admin writes them (items_for_result: the same cells, classes and link),
    with the standard library's escape: the admin's general path costs more per cell than
    the page's queries. The template (admin/recommendations/trackeditem/change_list.html)
    writes `table_headers` as the admin does and `table_body` as it is."""

    # An id no row has, in the change page's address, to write each row's link from one
    # reverse().
    _PLACEHOLDER = 987654321987

    def table_headers(self) -> list[dict]:
        return list(result_headers(self))

    def table_body(self) -> SafeString:
        empty = conditional_escape(self.model_admin.get_empty_value_display())
        cells = [self._cell_writer(name, empty) for name in self.list_display]
        link = self._change_url_pattern()
        lines = []
        for item in self.result_list:
            first, *rest = cells
            row = [first(item, link.format(item.pk)), *(cell(item, None) for cell in rest)]
            lines.append(f"<tr>{''.join(row)}</tr>")
        return mark_safe("\n".join(lines))

    def _change_url_pattern(self) -> str:
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[self._PLACEHOLDER],
            current_app=self.model_admin.admin_site.name,
        )
        url = add_preserved_filters(
            {"preserved_filters": self.preserved_filters, "opts": self.opts}, url
        )
        return html.escape(url.replace("{", "{{").replace("}", "}}")).replace(
            str(self._PLACEHOLDER), "{}"
        )

    def _cell_writer(self, name: str, empty: str):
        field = self.lookup_opts.get_field(name)
        nowrap = isinstance(field, (models.DateField, models.TimeField, models.ForeignKey))
        classes = f"field-{name}{' nowrap' if nowrap else ''}"
        choices = (
            {key: str(label) for key, label in field.flatchoices} if field.flatchoices else None
        )

        def text(value) -> str:
            # display_for_field's answer for these fields, without its chain of checks for
            # every kind of field; any other kind goes through it.
            if value is None or value == "":
                return empty
            if choices is not None:
                return html.escape(choices[value]) if value in choices else empty
            if isinstance(field, models.ForeignKey) or type(field) is models.CharField:
                return html.escape(str(value))
            if type(field) is models.DateField:
                return html.escape(formats.localize(value))
            return conditional_escape(display_for_field(value, field, empty))

        attname = field.name

        def cell(item, url: str | None) -> str:
            shown = text(getattr(item, attname))
            if url is None:
                return f'<td class="{classes}">{shown}</td>'
            return f'<th class="{classes}"><a href="{url}">{shown}</a></th>'

        return cell


@admin.register(TrackedItem)
class TrackedItemAdmin(admin.ModelAdmin):
    """Read here; changed on the item's page, whose services record every change in its
    history and bump its version. Items are made by fan-out, never added here, and never
    deleted (their history would go with them)."""

    list_display = ["finding", "organisation", "status", "owner", "target_date"]
    # Nationally a quarter of a million rows (issue 11): each row's finding, organisation and
    # owner in the page's one query, newest first by the primary key (not a sort of the
    # whole joined table), and no count of more than CappedCountPaginator.LIMIT rows. The
    # inspection is searched by title, not listed as a thousand filter links.
    list_select_related = ["finding", "organisation", "owner"]
    ordering = ["-id"]
    show_full_result_count = False
    paginator = CappedCountPaginator
    # Half the admin's 100 rows, written in Python (RowsInPythonChangeList), and sorted only
    # by a column with an index (status, id); the rest are read in the page's order.
    list_per_page = 50
    sortable_by = ["status"]
    change_list_template = "admin/recommendations/trackeditem/change_list.html"
    list_filter = ["status", "organisation__kind"]
    search_fields = [
        "organisation__name",
        "finding__text",
        "finding__reference",
        "finding__inspection__title",
    ]
    readonly_fields = [
        "finding",
        "organisation",
        "status",
        "owner",
        "target_date",
        "blocked_by",
        "reminders_paused_until",
        "reminders_pause_reason",
        "version",
        "created_at",
        "updated_at",
    ]
    inlines = [TrackedItemEventInline]

    def get_changelist(self, request, **kwargs):
        return RowsInPythonChangeList

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TrackedItemEvent)
class TrackedItemEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_on", "item", "kind", "actor", "actor_name", "to_status"]
    list_filter = ["kind", "to_status"]
    search_fields = ["narrative", "item__organisation__name", "actor_name"]
    date_hierarchy = "occurred_on"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

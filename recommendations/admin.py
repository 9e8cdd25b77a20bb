import html
from urllib.parse import quote

from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import (
    admin_list_filter,
    pagination,
    paginator_number,
    result_headers,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db import models
from django.urls import reverse
from django.utils import formats
from django.utils.encoding import iri_to_uri
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

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

    # What the rows show (list_display and the words of their __str__), and no more: the
    # finding's and the organisation's other columns made 150 wide model instances a page.
    SHOWN = (
        "finding__kind",
        "finding__reference",
        "finding__text",
        "finding__summary",
        "organisation__name",
        "owner__username",
        "status",
        "target_date",
    )

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.only(*self.SHOWN)

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

    def filters_html(self) -> SafeString:
        """Each list filter as admin_list_filter writes it with admin/filter.html, written
        here (a template per filter and its choices' nodes); a filter with a template of
        its own still goes through it."""
        escape = conditional_escape
        parts = []
        for spec in self.filter_specs:
            if spec.template != "admin/filter.html":
                parts.append(admin_list_filter(self, spec))
                continue
            choices = "".join(
                f"<li{' class="selected"' if choice['selected'] else ''}>"
                f'<a href="{escape(iri_to_uri(choice["query_string"]))}">'
                f"{escape(choice['display'])}</a></li>"
                for choice in spec.choices(self)
            )
            title = escape(spec.title)
            summary = _(" By %(filter_title)s ") % {"filter_title": title}
            parts.append(
                f'<details data-filter-title="{title}" open>'
                f"<summary>{summary}</summary><ul>{choices}</ul></details>"
            )
        return mark_safe("\n".join(parts))

    def pagination_html(self) -> SafeString:
        """admin/pagination.html as the admin's pagination tag fills it, written here."""
        shown = pagination(self)
        escape = conditional_escape
        plural = escape(self.opts.verbose_name_plural)
        heading = _("Pagination %(name)s") % {"name": plural}
        pages = ""
        if shown["pagination_required"]:
            numbers = "".join(f"<li>{paginator_number(self, i)}</li>" for i in shown["page_range"])
            pages = f"<ul>{numbers}</ul>"
        name = escape(self.opts.verbose_name) if self.result_count == 1 else plural
        show_all = (
            f'<a href="{escape(shown["show_all_url"])}" class="showall">{escape(_("Show all"))}</a>'
            if shown["show_all_url"]
            else ""
        )
        return mark_safe(
            '<nav class="paginator" aria-labelledby="pagination">\n'
            f'<h2 id="pagination" class="visually-hidden">{heading}</h2>\n'
            f"{pages}\n{self.result_count} {name}\n{show_all}\n</nav>"
        )

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
        # A related object's words by its id: a page's rows share a few findings and
        # organisations, and Finding.__str__ (get_kind_display) is dear.
        related = {} if isinstance(field, models.ForeignKey) else None

        def cell(item, url: str | None) -> str:
            if related is None:
                shown = text(getattr(item, attname))
            else:
                pk = getattr(item, field.attname)
                shown = related.get(pk)
                if shown is None:
                    shown = related[pk] = text(getattr(item, attname))
            if url is None:
                return f'<td class="{classes}">{shown}</td>'
            return f'<th class="{classes}"><a href="{url}">{shown}</a></th>'

        return cell


# nav_sidebar's HTML by what it is written from (at most KEPT_SIDEBARS a process).
_kept_sidebars: dict = {}
KEPT_SIDEBARS = 64


def nav_sidebar(apps: list[dict], path: str) -> SafeString:
    """The admin's navigation sidebar (admin/nav_sidebar.html and admin/app_list.html, with
    no change links) written here: those templates' nodes for every model of every app
    cost more than the changelist's rows. Kept by the apps' and models' addresses (which
    the user's permissions choose), the page's path and the language: the names are the
    models' own, which change with nothing else."""
    key = (
        get_language(),
        path,
        tuple(
            (app["app_url"], *((m.get("admin_url"), m.get("add_url")) for m in app["models"]))
            for app in apps
        ),
    )
    written = _kept_sidebars.get(key)
    if written is None:
        if len(_kept_sidebars) >= KEPT_SIDEBARS:
            _kept_sidebars.clear()
        written = _kept_sidebars[key] = _nav_sidebar(apps, path)
    return written


def _nav_sidebar(apps: list[dict], path: str) -> SafeString:
    escape = conditional_escape
    here = quote(path, safe="/")
    parts = [
        '<button class="sticky toggle-nav-sidebar" id="toggle-nav-sidebar" '
        f'aria-label="{escape(_("Toggle navigation"))}"></button>\n'
        f'<nav class="sticky" id="nav-sidebar" aria-label="{escape(_("Sidebar"))}">\n'
        '<input type="search" id="nav-filter" '
        f'placeholder="{escape(_("Start typing to filter…"))}" '
        f'aria-label="{escape(_("Filter navigation items"))}">'
    ]
    headings = (
        '<thead class="visually-hidden"><tr>'
        f'<th scope="col">{escape(_("Model name"))}</th>'
        f'<th scope="col">{escape(_("Add link"))}</th>'
        f'<th scope="col">{escape(_("Change or view list link"))}</th>'
        "</tr></thead>"
    )
    add = escape(_("Add"))
    for app in apps:
        label = escape(app["app_label"])
        current = " current-app" if app["app_url"] in here else ""
        parts.append(
            f'<div class="app-{label} module{current}"><table>'
            f'<caption><a href="{escape(app["app_url"])}" class="section">'
            f"{escape(app['name'])}</a></caption>{headings}"
        )
        for model in app["models"]:
            name = escape(model["object_name"].lower())
            url = model.get("admin_url")
            current = url and url in here
            title = escape(model["name"])
            if url:
                page = ' aria-current="page"' if current else ""
                title = f'<a href="{escape(url)}"{page}>{title}</a>'
            add_cell = (
                f'<td><a href="{escape(model["add_url"])}" class="addlink" '
                f'aria-describedby="{label}-{name}">{add}</a></td>'
                if model.get("add_url")
                else "<td></td>"
            )
            parts.append(
                f'<tr class="model-{name}{" current-model" if current else ""}">'
                f'<th scope="row" id="{label}-{name}">{title}</th>{add_cell}</tr>'
            )
        parts.append("</table></div>")
    if not apps:
        parts.append(f"<p>{escape(_('You don’t have permission to view or edit anything.'))}</p>")
    parts.append("</nav>")
    return mark_safe("\n".join(parts))


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

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context is not None and "available_apps" in context:
            # The template writes this in place of admin/nav_sidebar.html.
            context["nav_sidebar"] = nav_sidebar(context["available_apps"], request.path)
        return response

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

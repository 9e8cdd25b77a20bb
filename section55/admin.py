"""Responses are changed through their pages (and services); the admin reads them. Published
versions and the history are never edited here."""

from django.contrib import admin

from rocu_tracker.admin import ReadOnlyAdmin

from .models import (
    Section55Coverage,
    Section55Event,
    Section55Position,
    Section55Publication,
    Section55PublishedPosition,
    Section55Response,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class Section55PositionInline(ReadOnlyInline):
    model = Section55Position
    fields = ["finding", "position", "agreement", "chief_officer_agreement", "explanation"]


class Section55EventInline(ReadOnlyInline):
    model = Section55Event
    fields = ["occurred_on", "kind", "from_stage", "to_stage", "actor", "narrative", "version"]


class Section55PublishedPositionInline(ReadOnlyInline):
    model = Section55PublishedPosition
    fields = ["label", "position", "agreement", "chief_officer_agreement", "explanation"]


@admin.register(Section55Response)
class Section55ResponseAdmin(ReadOnlyAdmin):
    list_display = ["body", "inspection", "stage", "chief_officer_comments_status"]
    list_filter = ["stage", "inspection"]
    search_fields = ["body__name", "inspection__title"]
    inlines = [Section55PositionInline, Section55EventInline]


@admin.register(Section55Publication)
class Section55PublicationAdmin(ReadOnlyAdmin):
    list_display = ["response", "version", "published_on", "copy_to_home_secretary_on"]
    list_filter = ["published_on"]
    search_fields = ["response__body__name", "response__inspection__title"]
    inlines = [Section55PublishedPositionInline]


@admin.register(Section55Coverage)
class Section55CoverageAdmin(admin.ModelAdmin):
    """Where a report's default coverage (national or thematic: every force) is wrong."""

    list_display = ["inspection", "concerns"]
    autocomplete_fields = ["inspection"]

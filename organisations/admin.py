from django.contrib import admin

from .models import Membership, Organisation, Oversight, RegionMembership


class OversightInline(admin.TabularInline):
    model = Oversight
    fk_name = "force"
    extra = 0
    autocomplete_fields = ["body"]


class RegionMembershipInline(admin.TabularInline):
    model = RegionMembership
    fk_name = "force"
    extra = 0
    autocomplete_fields = ["region"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "police_uk_id", "two_factor_required"]
    list_filter = ["kind", "two_factor_required"]
    search_fields = ["name", "short_name", "slug", "police_uk_id"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OversightInline, RegionMembershipInline]


@admin.register(Oversight)
class OversightAdmin(admin.ModelAdmin):
    list_display = ["force", "body", "valid_from", "valid_to"]
    list_filter = ["valid_to"]
    search_fields = ["force__name", "body__name"]
    autocomplete_fields = ["force", "body"]


@admin.register(RegionMembership)
class RegionMembershipAdmin(admin.ModelAdmin):
    list_display = ["force", "region", "valid_from", "valid_to"]
    list_filter = ["region"]
    search_fields = ["force__name", "region__name"]
    autocomplete_fields = ["force", "region"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "job_title"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__username", "user__email", "organisation__name", "job_title"]
    autocomplete_fields = ["user", "organisation"]

from django import forms
from django.contrib import admin

from .models import Membership, Organisation, Oversight, RegionMembership, SignInDomain


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


# Single sign-on (accounts/single_sign_on.py): a domain lets everyone whose provider vouches
# for an address at it sign in to that organisation, so only superusers set them.
class SignInDomainForm(forms.ModelForm):
    class Meta:
        model = SignInDomain
        fields = ["organisation", "domain"]

    def clean_domain(self) -> str:
        domain = self.cleaned_data["domain"].strip().lower().removeprefix("@")
        if "." not in domain or "@" in domain or " " in domain:
            raise forms.ValidationError("Enter the part of the email address after the @.")
        return domain


@admin.register(SignInDomain)
class SignInDomainAdmin(admin.ModelAdmin):
    form = SignInDomainForm
    list_display = ["domain", "organisation"]
    search_fields = ["domain", "organisation__name"]
    autocomplete_fields = ["organisation"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

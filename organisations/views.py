"""The People pages: an organisation's administrators invite its people, change their roles,
deactivate and reactivate them, and read the trail of these changes; the invitation's own
page sets the invited person's password. Another organisation's people are a 404; a member
of the organisation who does not manage its people gets a 403."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rocu_tracker.forms import form_refuse, posted_data
from rocu_tracker.people import display_name

from . import access, forms, selectors, services
from .models import Membership, Organisation

TRAIL_PER_PAGE = 25


def administered_organisation_or_404(
    request, slug: str, *, may_manage=access.can_manage_people, what: str = "people"
) -> Organisation:
    """The organisation of an administrator's page (its people, service tokens, webhooks):
    403 for its other members, 404 for everyone else, as for any other organisation's
    records."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if may_manage(request.user, organisation):
        return organisation
    if access.role_at(request.user, organisation.pk) is not None:
        raise PermissionDenied(f"Only {organisation.name}'s administrators manage its {what}.")
    raise Http404("Not one of your organisations.")


def _person_or_404(organisation: Organisation, pk: int) -> Membership:
    try:
        return selectors.person_of(organisation, pk)
    except Membership.DoesNotExist:
        raise Http404("Not one of the organisation's people.") from None


def _to_people(organisation: Organisation):
    return redirect("organisations:people", organisation.slug)


@login_required
@require_GET
def people_index(request):
    if not access.can_manage_people_anywhere(request.user):
        raise PermissionDenied("Only organisation administrators manage people.")
    organisations = list(selectors.organisations_managed_by(request.user))
    if len(organisations) == 1:
        return _to_people(organisations[0])
    return render(request, "organisations/people_index.html", {"organisations": organisations})


@login_required
@require_GET
def people(request, slug: str):
    return _people_page(request, administered_organisation_or_404(request, slug))


def _people_page(request, organisation: Organisation, *, mapping_form=None, status: int = 200):
    if mapping_form is None:
        roles = access.roles_grantable_by(request.user, organisation)
        mapping_form = forms.ClaimMappingForm(roles=roles)
    trail = Paginator(selectors.audit_trail_of(organisation), TRAIL_PER_PAGE)
    trail_page = trail.get_page(request.GET.get("trail"))
    context = {
        "organisation": organisation,
        "people": selectors.people_of(organisation),
        "invitations": selectors.open_invitations_of(organisation).select_related("invited_by"),
        "trail_page": trail_page,
        "trail": [(entry, selectors.audit_entry_summary(entry)) for entry in trail_page],
        "claim_mappings": selectors.claim_mappings_of(organisation),
        "mapping_form": mapping_form,
        "now": timezone.now(),
    }
    return render(request, "organisations/people_list.html", context, status=status)


@login_required
@require_POST
def claim_mapping_add(request, slug: str):
    organisation = administered_organisation_or_404(request, slug)
    roles = access.roles_grantable_by(request.user, organisation)
    form = forms.ClaimMappingForm(request.POST, roles=roles)
    if form.is_valid():
        try:
            mapping = services.claim_role_mapping_add(
                organisation=organisation, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_refuse(form, error)
        else:
            label = services.claim_mapping_label(mapping.claim, mapping.value)
            messages.success(
                request,
                f"A first sign-in with {label} now gets the role {mapping.get_role_display()}.",
            )
            return _to_people(organisation)
    return _people_page(request, organisation, mapping_form=form, status=400)


@login_required
@require_POST
def claim_mapping_remove(request, slug: str, pk: int):
    organisation = administered_organisation_or_404(request, slug)
    mapping = get_object_or_404(selectors.claim_mappings_of(organisation), pk=pk)
    services.claim_role_mapping_remove(mapping=mapping, by=request.user)
    label = services.claim_mapping_label(mapping.claim, mapping.value)
    messages.success(request, f"Single sign-on no longer gives a role for {label}.")
    return _to_people(organisation)


@login_required
@require_http_methods(["GET", "POST"])
def invite(request, slug: str):
    organisation = administered_organisation_or_404(request, slug)
    roles = access.roles_grantable_by(request.user, organisation)
    form = forms.InvitationForm(posted_data(request), roles=roles)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_send(
                organisation=organisation, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_refuse(form, error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return _to_people(organisation)
    return render(
        request,
        "organisations/invite_form.html",
        {
            "organisation": organisation,
            "form": form,
            "lifetime_days": services.invitation_lifetime().days,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def invitation_revoke(request, slug: str, pk: int):
    organisation = administered_organisation_or_404(request, slug)
    invitation = get_object_or_404(selectors.open_invitations_of(organisation), pk=pk)
    services.invitation_revoke(invitation=invitation, by=request.user)
    messages.success(request, f"The invitation of {invitation.email} is withdrawn.")
    return _to_people(organisation)


@login_required
@require_http_methods(["GET", "POST"])
def person(request, slug: str, pk: int):
    organisation = administered_organisation_or_404(request, slug)
    membership = _person_or_404(organisation, pk)
    roles = access.roles_grantable_by(request.user, organisation)
    form = forms.RoleForm(posted_data(request), roles=roles, initial={"role": membership.role})
    if request.method == "POST" and form.is_valid():
        services.membership_role_change(
            membership=membership, role=form.cleaned_data["role"], by=request.user
        )
        name = display_name(membership.user)
        messages.success(request, f"{name} is now {membership.get_role_display()}.")
        return _to_people(organisation)
    context = {
        "organisation": organisation,
        "membership": membership,
        "form": form,
        "can_change": access.can_change_person(request.user, membership),
    }
    return render(
        request,
        "organisations/person_detail.html",
        context,
        status=400 if form.errors else 200,
    )


def _confirm(request, slug: str, pk: int, *, deactivating: bool):
    organisation = administered_organisation_or_404(request, slug)
    membership = _person_or_404(organisation, pk)
    access.require_change_person(request.user, membership)
    if request.method == "POST":
        try:
            messages.success(request, _change_access(membership, request.user, deactivating))
        except ValidationError as error:  # already done, in another tab or by someone else
            messages.warning(request, " ".join(error.messages))
        return _to_people(organisation)
    context = {"organisation": organisation, "membership": membership, "deactivating": deactivating}
    return render(request, "organisations/person_confirm.html", context)


def _change_access(membership: Membership, by, deactivating: bool) -> str:
    """Deactivate or reactivate the person; what happened, in words."""
    name = display_name(membership.user)
    if not deactivating:
        services.person_reactivate(membership=membership, by=by)
        return f"{name} is active again."
    departure = services.person_deactivate(membership=membership, by=by)
    if departure == services.Departure.REMOVED:
        return f"{name} no longer belongs to {membership.organisation.name}."
    return f"{name} is deactivated."


@login_required
@require_http_methods(["GET", "POST"])
def person_deactivate(request, slug: str, pk: int):
    return _confirm(request, slug, pk, deactivating=True)


@login_required
@require_http_methods(["GET", "POST"])
def person_reactivate(request, slug: str, pk: int):
    return _confirm(request, slug, pk, deactivating=False)


# --- The invited person's page (signed out, or signed in with the invited address) ---------


def _refused(request, problem: str, *, status: int):
    return render(
        request, "organisations/invitation_refused.html", {"problem": problem}, status=status
    )


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    invitation = selectors.invitation_for_token(token)
    if problem := selectors.invitation_refusal(invitation, now=timezone.now()):
        return _refused(request, problem, status=404 if invitation is None else 410)
    if request.user.is_authenticated:
        return _accept_signed_in(request, invitation)
    context = {"invitation": invitation, "sign_in_url": _sign_in_then_back(request)}
    if selectors.account_exists_for(invitation.email):
        return render(request, "organisations/invitation_accept.html", context)
    form = forms.AcceptInvitationForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(
                token=token,
                password=form.cleaned_data["new_password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except services.InvitationRefused as refusal:
            return _refused(request, " ".join(refusal.messages), status=410)
        except ValidationError as error:
            form.add_error("new_password1", error)
        else:
            messages.success(
                request,
                "Your account is ready. Sign in with your email address and your new password.",
            )
            return redirect("login")
    context |= {"form": form, "new_account": True}
    status = 400 if form.errors else 200
    return render(request, "organisations/invitation_accept.html", context, status=status)


def _sign_in_then_back(request) -> str:
    return f"{reverse('login')}?{urlencode({'next': request.path})}"


def _accept_signed_in(request, invitation):
    user = request.user
    if (user.email or "").strip().lower() != invitation.email:
        context = {"invitation": invitation, "someone_else": True}
        return render(request, "organisations/invitation_accept.html", context, status=403)
    if request.method == "POST":
        try:
            services.invitation_accept_by_sign_in(invitation=invitation, user=user)
        except services.InvitationRefused as refusal:
            return _refused(request, " ".join(refusal.messages), status=410)
        messages.success(request, f"You now belong to {invitation.organisation.name}.")
        return redirect("home")
    return render(request, "organisations/invitation_accept.html", {"invitation": invitation})

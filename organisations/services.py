"""Every write to organisations, their dated relationships and memberships."""

import contextlib
import datetime
import secrets
from enum import StrEnum

from auditlog.context import auditlog_value, set_extra_data
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from reminders.emails import email_build
from rocu_tracker.people import display_name

from . import selectors
from .access import (
    as_recorded,
    forget_roles,
    is_system,
    require_change_person,
    require_grant_role,
    require_keep_reference_data,
    require_manage_people,
    require_record_capability_delivery,
)
from .models import (
    CapabilityDeliveryRecord,
    ClaimRoleMapping,
    Invitation,
    Membership,
    Organisation,
    Oversight,
    RegionMembership,
)


def organisation_upsert(*, slug: str, by, **fields) -> Organisation:
    require_keep_reference_data(by)
    organisation, _ = Organisation.objects.update_or_create(slug=slug, defaults=fields)
    return organisation


def oversight_record(
    *,
    force: Organisation,
    body: Organisation,
    valid_from: datetime.date | None,
    valid_to: datetime.date | None,
    note: str = "",
    by,
) -> Oversight:
    require_keep_reference_data(by)
    oversight, _ = Oversight.objects.update_or_create(
        force=force,
        body=body,
        valid_from=valid_from,
        defaults={"valid_to": valid_to, "note": note},
    )
    return oversight


def region_membership_record(
    *,
    force: Organisation,
    region: Organisation,
    valid_from: datetime.date | None,
    valid_to: datetime.date | None,
    note: str = "",
    by,
) -> RegionMembership:
    require_keep_reference_data(by)
    membership, _ = RegionMembership.objects.update_or_create(
        force=force,
        region=region,
        valid_from=valid_from,
        defaults={"valid_to": valid_to, "note": note},
    )
    return membership


def membership_grant(
    *, user: AbstractBaseUser, organisation: Organisation, role: str, by, job_title: str = ""
) -> Membership:
    """A role given outside the People pages: by the loaders, the demo data, a superuser."""
    require_keep_reference_data(by)
    return _membership_save(user=user, organisation=organisation, role=role, job_title=job_title)


def _membership_save(
    *, user: AbstractBaseUser, organisation: Organisation, role: str, job_title: str = ""
) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": role, "job_title": job_title}
    )
    forget_roles(user)
    return membership


# --- People: invitations, roles, deactivation ----------------------------------------------
# Each service checks organisations/access.py first and records what it changes in the audit
# trail (django-auditlog, accounts/audit.py) with who did it and for which organisation, so
# the organisation's People page shows its own trail.

DEFAULT_INVITATION_LIFETIME = 7 * 24 * 60 * 60  # seconds; settings.INVITATION_LIFETIME


class InvitationRefused(ValidationError):
    """The link no longer works (used, withdrawn, expired, unknown), or cannot make an
    account; its message is for the invitation's page."""


class Departure(StrEnum):
    DEACTIVATED = "deactivated"  # the account: they belonged nowhere else
    REMOVED = "removed"  # from this organisation only: they keep their other roles


@contextlib.contextmanager
def _recorded(*, by, organisation: Organisation, person: str, extra: dict | None = None):
    """Audit-trail entries made inside name `by` as their actor and carry the organisation
    and the person changed (and `extra`, if given). Inside a request the client's address is
    kept, and the request's own context (AuditActorMiddleware) is back in force afterwards."""
    outer = auditlog_value.get(None)
    context = {
        "actor": as_recorded(by),
        "additional_data": {"organisation_id": organisation.pk, "person": person, **(extra or {})},
    }
    if outer is not None:
        context |= {key: outer.get(key) for key in ("remote_addr", "remote_port")}
    # auditlog's own context replaces the request's and never puts it back: the reset does.
    before = auditlog_value.set(outer)
    try:
        with set_extra_data(context_data=context):
            yield
    finally:
        auditlog_value.reset(before)


def _person(user) -> str:
    """How the trail names the person changed: their name, else their email address."""
    return user.get_full_name() or user.email or user.get_username()


def invitation_lifetime() -> datetime.timedelta:
    seconds = getattr(settings, "INVITATION_LIFETIME", DEFAULT_INVITATION_LIFETIME)
    return datetime.timedelta(seconds=seconds)


def invitation_send(
    *, organisation: Organisation, email: str, role: str, job_title: str = "", by
) -> Invitation:
    """Invite `email` to the organisation with `role`: an email with a single-use link that
    expires. Re-inviting the address replaces its open invitation (the old link stops)."""
    require_grant_role(by, organisation, role)
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError(
            f"{email} already belongs to {organisation.name}: change their role instead."
        )
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic(), _recorded(by=by, organisation=organisation, person=email):
        for previous in (
            selectors.open_invitations_of(organisation).filter(email=email).select_for_update()
        ):
            previous.revoked_at = now
            previous.save(update_fields=["revoked_at"])
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            job_title=job_title,
            token_hash=selectors.invitation_token_hash(token),
            invited_by=as_recorded(by),
            expires_at=now + invitation_lifetime(),
        )
    _invitation_email(invitation, token=token, by=by).send()
    return invitation


def _invitation_email(invitation: Invitation, *, token: str, by):
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "role": invitation.get_role_display(),
        "inviter": None if is_system(by) else display_name(by),
        "link": f"{settings.SITE_URL}{reverse('organisations:invitation_accept', args=[token])}",
        "expires_at": invitation.expires_at,
    }
    return email_build("invitation", context, to=[invitation.email])


def invitation_revoke(*, invitation: Invitation, by) -> Invitation:
    require_manage_people(by, invitation.organisation)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at or invitation.revoked_at:
            raise ValidationError("This invitation was already used or withdrawn.")
        with _recorded(by=by, organisation=invitation.organisation, person=invitation.email):
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
    return invitation


def _lock_usable(token_hash: str) -> Invitation:
    """The invitation, locked until the transaction ends (two people opening the same link
    at once wait for each other: the second finds it used); InvitationRefused if its link no
    longer works."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .filter(token_hash=token_hash)
        .first()
    )
    if problem := selectors.invitation_refusal(invitation, now=timezone.now()):
        raise InvitationRefused(problem)
    return invitation


def _join(invitation: Invitation, user) -> Membership:
    """The invited person joins with the invitation's role; the invitation is used up."""
    with _recorded(by=user, organisation=invitation.organisation, person=_person(user)):
        membership = _membership_save(
            user=user,
            organisation=invitation.organisation,
            role=invitation.role,
            job_title=invitation.job_title,
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    forget_roles(user)
    return membership


def invitation_accept(*, token: str, password: str, first_name: str = "", last_name: str = ""):
    """The set-password page: make the invited person's account (their username is their
    email address) with the invitation's role. The link works once."""
    User = get_user_model()
    with transaction.atomic():
        invitation = _lock_usable(selectors.invitation_token_hash(token))
        if selectors.account_exists_for(invitation.email):
            raise InvitationRefused(
                f"There is already an account for {invitation.email}: sign in, then open the "
                "invitation link again."
            )
        user = User(
            username=invitation.email,
            email=invitation.email,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
        )
        password_validation.validate_password(password, user)
        user.set_password(password)
        with _recorded(by=None, organisation=invitation.organisation, person=_person(user)):
            user.save()
        _join(invitation, user)
    return user


def invitation_accept_by_sign_in(*, invitation: Invitation, user) -> Membership:
    """A person signed in (with their password, or through single sign-on for the first
    time) takes up the invitation sent to their email address."""
    with transaction.atomic():
        invitation = _lock_usable(invitation.token_hash)
        if not user.email or user.email.strip().lower() != invitation.email:
            raise InvitationRefused(
                "This invitation was sent to another email address than your account's."
            )
        return _join(invitation, user)


def membership_role_change(*, membership: Membership, role: str, by) -> Membership:
    require_change_person(by, membership)
    require_grant_role(by, membership.organisation, role)
    if membership.role != role:
        with _recorded(
            by=by, organisation=membership.organisation, person=_person(membership.user)
        ):
            membership.role = role
            membership.save(update_fields=["role"])
        forget_roles(membership.user)
    return membership


def person_deactivate(*, membership: Membership, by) -> Departure:
    """Someone leaves the organisation: their account is deactivated if they belong nowhere
    else, otherwise they lose this membership only. Their open tracked items keep them as
    owner, and show as needing an owner (TrackedItemQuerySet.with_needs_owner)."""
    require_change_person(by, membership)
    User = get_user_model()
    organisation = membership.organisation
    with transaction.atomic():
        # One person's memberships change one at a time: two administrators removing them
        # from two organisations at once must not leave an active account with none.
        user = User.objects.select_for_update().get(pk=membership.user_id)
        if not user.is_active:
            raise ValidationError(f"{_person(user)} is already deactivated.")
        belongs_elsewhere = Membership.objects.filter(user=user).exclude(pk=membership.pk).exists()
        with _recorded(by=by, organisation=organisation, person=_person(user)):
            if belongs_elsewhere:
                membership.delete()
                departure = Departure.REMOVED
            else:
                user.is_active = False
                user.save(update_fields=["is_active"])
                departure = Departure.DEACTIVATED
    membership.user = user
    forget_roles(user)
    return departure


def person_reactivate(*, membership: Membership, by) -> Membership:
    require_change_person(by, membership)
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=membership.user_id)
        if user.is_active:
            raise ValidationError(f"{_person(user)} is already active.")
        with _recorded(by=by, organisation=membership.organisation, person=_person(user)):
            user.is_active = True
            user.save(update_fields=["is_active"])
    membership.user = user
    return membership


# --- Single sign-on: roles from the organisation's directory -------------------------------


def claim_mapping_label(claim: str, value: str) -> str:
    """How the People page and its trail name a mapping: the claim and the value it holds."""
    return f"{claim} “{value}”"


def claim_role_mapping_add(
    *, organisation: Organisation, claim: str = "groups", value: str, role: str, by
) -> ClaimRoleMapping:
    """A first sign-in through single sign-on whose ID token's `claim` holds `value` gets
    `role` at the organisation without an invitation (accounts/single_sign_on.py)."""
    require_grant_role(by, organisation, role)
    claim, value = (claim or "").strip() or "groups", (value or "").strip()
    if not value:
        raise ValidationError("Enter the value the claim must hold, for example a group's id.")
    label = claim_mapping_label(claim, value)
    if ClaimRoleMapping.objects.filter(
        organisation=organisation, claim=claim, value=value
    ).exists():
        raise ValidationError(
            f"{organisation.name} already gives a role for {label}: remove it first to "
            "give another role."
        )
    with transaction.atomic(), _recorded(by=by, organisation=organisation, person=label):
        return ClaimRoleMapping.objects.create(
            organisation=organisation,
            claim=claim,
            value=value,
            role=role,
            created_by=as_recorded(by),
        )


def claim_role_mapping_remove(*, mapping: ClaimRoleMapping, by) -> None:
    """People already signed in keep their role; only first sign-ins from now on change."""
    require_manage_people(by, mapping.organisation)
    label = claim_mapping_label(mapping.claim, mapping.value)
    with transaction.atomic(), _recorded(by=by, organisation=mapping.organisation, person=label):
        mapping.delete()


def membership_grant_by_sign_in(
    *, organisation: Organisation, user, role: str, mapping: ClaimRoleMapping
) -> Membership:
    """A first sign-in through single sign-on joins the organisation with the role that
    `mapping` gives; the trail names the person as its actor and the mapping."""
    via = claim_mapping_label(mapping.claim, mapping.value)
    with _recorded(
        by=user, organisation=organisation, person=_person(user), extra={"sign_in_mapping": via}
    ):
        membership = _membership_save(user=user, organisation=organisation, role=role)
    forget_roles(user)
    return membership


# --- Capability delivery ------------------------------------------------------------------


def capability_delivery_record(
    *,
    region: Organisation,
    capability,
    delivery: str,
    valid_from: datetime.date,
    through_region: Organisation | None = None,
    note: str = "",
    source: str = "",
    by,
    now: datetime.datetime | None = None,
) -> CapabilityDeliveryRecord:
    """Record how `region` delivers `capability` from `valid_from` on. Nothing is
    overwritten: the record joins the cell's history, and the latest is its current state."""
    require_record_capability_delivery(by, region)
    now = now or timezone.now()
    Delivery = CapabilityDeliveryRecord.Delivery
    errors = {}
    if delivery not in Delivery.values:
        errors["delivery"] = "Choose how the capability is delivered."
    if delivery == Delivery.THROUGH_ANOTHER_REGION:
        if through_region is None:
            errors["through_region"] = "Choose the region that delivers it."
        elif through_region.pk == region.pk or through_region.kind != Organisation.Kind.REGION:
            errors["through_region"] = "Choose another ROCU region."
    else:
        through_region = None
    if valid_from > timezone.localdate(now):
        errors["valid_from"] = "Record a delivery from today or an earlier day, once it is so."
    if errors:
        raise ValidationError(errors)
    return CapabilityDeliveryRecord.objects.create(
        region=region,
        capability=capability,
        delivery=delivery,
        through_region=through_region,
        valid_from=valid_from,
        note=note.strip(),
        source=source.strip(),
        recorded_by=as_recorded(by),
        recorded_at=now,
    )

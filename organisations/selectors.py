"""Reads of organisations that cross their dated relationships."""

import datetime
import hashlib

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .access import has_national_view, organisation_ids_managed_by, organisation_ids_with
from .models import (
    ClaimRoleMapping,
    Invitation,
    Membership,
    Organisation,
    Oversight,
    RegionMembership,
)


def forces() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=Organisation.Kind.FORCE)


def regions_on(day: datetime.date) -> QuerySet[Organisation]:
    """Regions with at least one member force on `day`."""
    member_ids = RegionMembership.objects.on(day).values("region_id")
    return Organisation.objects.filter(kind=Organisation.Kind.REGION, id__in=member_ids)


def body_overseeing(force: Organisation, day: datetime.date) -> Organisation | None:
    """The local policing body that oversaw `force` on `day`, or None if not recorded."""
    oversight = Oversight.objects.on(day).filter(force=force).select_related("body").first()
    return oversight.body if oversight else None


def visible_organisation_ids(user, *, day: datetime.date) -> set[int] | None:
    """What the user may see, as organisation ids; None means everything.

    A member sees their own organisations; a local policing body's staff also see the
    forces it oversees, and a ROCU board member the region's forces, as on `day`."""
    if has_national_view(user):
        return None
    own = organisation_ids_with(user)
    overseen = Oversight.objects.on(day).filter(body_id__in=own).values_list("force_id", flat=True)
    members = (
        RegionMembership.objects.on(day)
        .filter(region_id__in=own)
        .values_list("force_id", flat=True)
    )
    return own | set(overseen) | set(members)


def regions_of_forces(force_ids, *, day: datetime.date) -> set[int]:
    """The ROCU regions the given forces belonged to on `day` (dated region membership)."""
    return set(
        RegionMembership.objects.on(day)
        .filter(force_id__in=force_ids, force__kind=Organisation.Kind.FORCE)
        .values_list("region_id", flat=True)
    )


# --- People: invitations, the People page and its audit trail -----------------------------


def invitation_token_hash(token: str) -> str:
    """What is stored of an invitation link's token (the token itself only goes by email)."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )


def invitation_refusal(invitation: Invitation | None, *, now: datetime.datetime) -> str | None:
    """Why the invitation's link no longer works, in words for its page; None if it does."""
    ask_again = "Ask your organisation's administrator to invite you again."
    if invitation is None:
        return f"This invitation link does not work: check you used the whole link. {ask_again}"
    if invitation.accepted_at is not None:
        return (
            "This invitation has already been used: an invitation works once. Sign in with "
            f"the account it made. {ask_again}"
        )
    if invitation.revoked_at is not None:
        return f"This invitation was withdrawn, or replaced by a newer one. {ask_again}"
    if invitation.expires_at <= now:
        expired = timezone.localtime(invitation.expires_at)
        return f"This invitation expired on {expired:%-d %B %Y at %H:%M}. {ask_again}"
    return None


def _open_invitations() -> QuerySet[Invitation]:
    return Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True)


def invitation_pending_for(
    email: str, *, organisation: Organisation | None = None
) -> Invitation | None:
    """The open, unexpired invitation for this address (any case), the newest if several
    organisations invited it (or only `organisation`'s): for a first sign-in through single
    sign-on."""
    invitations = _open_invitations()
    if organisation is not None:
        invitations = invitations.filter(organisation=organisation)
    return (
        invitations.filter(email__iexact=email.strip(), expires_at__gt=timezone.now())
        .select_related("organisation")
        .order_by("-created_at")
        .first()
    )


def account_exists_for(email: str) -> bool:
    """Whether someone already has an account with this address (or as their username)."""
    users = get_user_model().objects
    return users.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists()


def organisations_managed_by(user) -> QuerySet[Organisation]:
    ids = organisation_ids_managed_by(user)
    organisations = Organisation.objects.all()
    return organisations if ids is None else organisations.filter(id__in=ids)


def people_of(organisation: Organisation) -> QuerySet[Membership]:
    """The organisation's people, active first, with the number of its open tracked items
    each owns (a deactivated owner's items need a new owner)."""
    from recommendations.models import TrackedItem, open_condition

    owned = (
        TrackedItem.objects.filter(open_condition())
        .filter(owner_id=OuterRef("user_id"), organisation_id=organisation.pk)
        .values("owner_id")
        .annotate(count=Count("id"))
        .values("count")
    )
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user", "organisation")
        .annotate(open_items_owned=Coalesce(Subquery(owned), 0))
        .order_by("-user__is_active", "user__first_name", "user__last_name", "user__username")
    )


def person_of(organisation: Organisation, pk: int) -> Membership:
    """One of the organisation's people; Membership.DoesNotExist otherwise (a 404)."""
    return people_of(organisation).get(pk=pk)


def open_invitations_of(organisation: Organisation) -> QuerySet[Invitation]:
    """Invitations neither used nor withdrawn, expired ones included (the page says so)."""
    return _open_invitations().filter(organisation=organisation).order_by("expires_at")


def audit_trail_of(organisation: Organisation) -> QuerySet[LogEntry]:
    """The audit trail of the organisation's people, newest first: the entries its people
    services record with the organisation (organisations/services.py _recorded)."""
    kinds = ContentType.objects.get_for_models(
        Membership, Invitation, ClaimRoleMapping, get_user_model()
    )
    return (
        LogEntry.objects.filter(
            content_type__in=kinds.values(), additional_data__organisation_id=organisation.pk
        )
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-id")
    )


def _change(entry: LogEntry, field: str) -> tuple[str, str] | None:
    values = entry.changes_dict.get(field)
    return (str(values[0]), str(values[1])) if values else None


def _role_label(value: str) -> str:
    return dict(Membership.Role.choices).get(value, value)


def claim_mappings_of(organisation: Organisation) -> QuerySet[ClaimRoleMapping]:
    """The roles single sign-on gives from the directory's claims, oldest first (the order
    a first sign-in tries them in)."""
    return (
        ClaimRoleMapping.objects.filter(organisation=organisation)
        .select_related("created_by")
        .order_by("pk")
    )


def audit_entry_summary(entry: LogEntry) -> str:
    """What an entry of the people's audit trail did, in words."""
    extra = entry.additional_data or {}
    person = extra.get("person") or entry.object_repr
    model = entry.content_type.model_class()
    created, deleted = (
        entry.action == LogEntry.Action.CREATE,
        entry.action == LogEntry.Action.DELETE,
    )
    if model is Invitation:
        if created:
            return f"Invited {person} as {_role_label(_change(entry, 'role')[1])}"
        if _change(entry, "accepted_at"):
            return f"{person} accepted the invitation"
        if _change(entry, "revoked_at"):
            return f"Withdrew the invitation of {person}"
    elif model is ClaimRoleMapping:
        if created:
            role = _role_label(_change(entry, "role")[1])
            return f"Added the sign-in role {role} for {person}"
        if deleted:
            return f"Removed the sign-in role for {person}"
    elif model is Membership:
        if created and (via := extra.get("sign_in_mapping")):
            role = _role_label(_change(entry, "role")[1])
            return f"{person} joined as {role} through single sign-on ({via})"
        if created:
            return f"{person} joined as {_role_label(_change(entry, 'role')[1])}"
        if deleted:
            return f"Removed {person} from the organisation (they keep their other roles)"
        if role := _change(entry, "role"):
            before, after = (_role_label(value) for value in role)
            return f"Changed the role of {person} from {before} to {after}"
    elif (active := _change(entry, "is_active")) and not created:
        return f"Reactivated {person}" if active[1] == "True" else f"Deactivated {person}"
    elif created:
        return f"Made the account of {person}"
    return str(entry)

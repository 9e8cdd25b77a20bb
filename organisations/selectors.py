"""Reads of organisations that cross their dated relationships."""

import datetime

from django.db.models import QuerySet

from .models import Membership, Organisation, Oversight, RegionMembership


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


EDITING_ROLES = (Membership.Role.EDITOR, Membership.Role.LEAD)


def has_national_view(user) -> bool:
    """Administrators (the inspectorate side) see every organisation."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.memberships.filter(role=Membership.Role.ADMINISTRATOR).exists()


def organisation_ids_where(user, *, roles=None) -> set[int]:
    """The organisations the user belongs to, optionally only with one of `roles`."""
    if not user.is_authenticated:
        return set()
    memberships = user.memberships.all()
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return set(memberships.values_list("organisation_id", flat=True))


def visible_organisation_ids(user, *, day: datetime.date) -> set[int] | None:
    """What the user may see, as organisation ids; None means everything.

    A member sees their own organisations; a local policing body's staff also see the
    forces it oversees, and a ROCU board member the region's forces, as on `day`."""
    if has_national_view(user):
        return None
    own = organisation_ids_where(user)
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

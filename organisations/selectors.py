"""Reads of organisations that cross their dated relationships."""

import datetime

from django.db.models import QuerySet

from .models import Organisation, Oversight, RegionMembership


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

"""Every write to organisations, their dated relationships and memberships."""

import datetime

from django.contrib.auth.models import AbstractBaseUser

from .models import Membership, Organisation, Oversight, RegionMembership


def organisation_upsert(*, slug: str, **fields) -> Organisation:
    organisation, _ = Organisation.objects.update_or_create(slug=slug, defaults=fields)
    return organisation


def oversight_record(
    *,
    force: Organisation,
    body: Organisation,
    valid_from: datetime.date | None,
    valid_to: datetime.date | None,
    note: str = "",
) -> Oversight:
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
) -> RegionMembership:
    membership, _ = RegionMembership.objects.update_or_create(
        force=force,
        region=region,
        valid_from=valid_from,
        defaults={"valid_to": valid_to, "note": note},
    )
    return membership


def membership_grant(
    *, user: AbstractBaseUser, organisation: Organisation, role: str, job_title: str = ""
) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": role, "job_title": job_title}
    )
    return membership

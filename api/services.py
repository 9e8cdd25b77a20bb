"""Every write to API tokens, and the API's versioned writes that the services of the other
apps do not check a version for themselves."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from organisations.access import as_recorded
from organisations.models import Organisation
from recommendations import services as item_services
from recommendations.models import TargetDateRevision, TrackedItem
from rocu_tracker.versioning import StaleEditError

from . import access
from .models import ApiToken

SECRET_PREFIX = "rocu_"
PREFIX_LENGTH = 12


def token_secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _expiry(expires_on: datetime.date) -> datetime.datetime:
    today = timezone.localdate()
    longest = today + datetime.timedelta(days=settings.API_TOKEN_MAX_LIFETIME_DAYS)
    if expires_on <= today:
        raise ValidationError({"expires_on": "The expiry date must be after today."})
    if expires_on > longest:
        raise ValidationError(
            {"expires_on": f"A token lasts a year at most: expire it by {longest:%-d %B %Y}."}
        )
    # The end of that day, local time.
    end = datetime.datetime.combine(expires_on, datetime.time.max)
    return timezone.make_aware(end)


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the token a name that says what it is for."})
    return name[:100]


def _make(*, kind, user, organisation, name, access_level, expires_on, by) -> tuple[ApiToken, str]:
    if access_level not in ApiToken.Access.values:
        raise ValidationError({"access": "Choose read only, or read and write."})
    expires_at = _expiry(expires_on)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        kind=kind,
        user=user,
        organisation=organisation,
        name=name,
        access=access_level,
        prefix=secret[:PREFIX_LENGTH],
        secret_hash=token_secret_hash(secret),
        created_by=as_recorded(by),
        expires_at=expires_at,
    )
    return token, secret


@transaction.atomic
def personal_token_create(
    *, owner, by, name: str, access_level: str, expires_on: datetime.date
) -> tuple[ApiToken, str]:
    """A token acting as `owner`; returns it and its secret, which is not kept."""
    access.require_make_personal_token(by, owner)
    return _make(
        kind=ApiToken.Kind.PERSONAL,
        user=owner,
        organisation=None,
        name=_clean_name(name),
        access_level=access_level,
        expires_on=expires_on,
        by=by,
    )


@transaction.atomic
def service_token_create(
    *, organisation: Organisation, by, name: str, access_level: str, expires_on: datetime.date
) -> tuple[ApiToken, str]:
    """A token of the organisation, with an account of its own that the history names
    (the token's name); returns it and its secret, which is not kept."""
    access.require_manage_service_tokens(by, organisation)
    name = _clean_name(name)
    account = get_user_model()(
        username=f"api-token-{secrets.token_hex(8)}", first_name=name[:150], last_name=""
    )
    account.set_unusable_password()
    account.save()
    return _make(
        kind=ApiToken.Kind.SERVICE,
        user=account,
        organisation=organisation,
        name=name,
        access_level=access_level,
        expires_on=expires_on,
        by=by,
    )


def api_token_revoke(*, token: ApiToken, by) -> ApiToken:
    """Revoked at once: the next request with it is refused (401)."""
    access.require_revoke_token(by, token)
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=as_recorded(by)
    )
    token.refresh_from_db()
    return token


def api_token_record_use(*, token: ApiToken, address: str | None, now) -> bool:
    """Record that the token was used, at most once a minute (a conditional update, so many
    requests at once write one row once). True if this call wrote it."""
    cutoff = now - datetime.timedelta(seconds=settings.API_TOKEN_USE_RECORD_SECONDS)
    written = ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=cutoff), pk=token.pk
    ).update(last_used_at=now, last_used_from=address)
    if written:
        token.last_used_at, token.last_used_from = now, address
    return bool(written)


@transaction.atomic
def target_date_revision_request_at_version(
    *,
    item: TrackedItem,
    by,
    expected_version: int,
    proposed_date: datetime.date,
    reason: str,
) -> TargetDateRevision:
    """recommendations.services.target_date_revision_request, refused with what changed
    when the item is no longer at the version the client saw (the item stays locked from
    the check to the write)."""
    item_services.access.require_change_item(by, item)
    current = TrackedItem.objects.select_for_update().get(pk=item.pk)
    if current.version != expected_version:
        raise StaleEditError(
            "Someone else saved this item after you read it; nothing was written.",
            changes=current.events.filter(item_version__gt=expected_version).select_related(
                "actor"
            ),
            current_version=current.version,
        )
    return item_services.target_date_revision_request(
        item=current, by=by, proposed_date=proposed_date, reason=reason
    )

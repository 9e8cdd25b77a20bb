"""The API's errors: DRF's, plus the services' own. A stale write (StaleEditError) is 409
with the version now current and what changed since the client's; a ValidationError from a
service is 400 with its messages by field ("non_field_errors" for the rest)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from rocu_tracker.people import display_name
from rocu_tracker.versioning import StaleEditError


def exception_handler(exc, context):
    if isinstance(exc, StaleEditError):
        return Response(stale_body(exc), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        return Response(validation_body(exc), status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def validation_body(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in errors] for field, errors in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def stale_body(exc: StaleEditError) -> dict:
    return {
        "detail": exc.messages[0],
        "current_version": exc.current_version,
        "changes": [_change(change) for change in exc.changes],
    }


def _change(change) -> dict:
    """An item's event since the client's version, or (field, value now) of a plan or action."""
    if isinstance(change, tuple):
        field, value = change
        return {"field": str(field), "now": value}
    return {
        "kind": change.kind,
        "occurred_on": change.occurred_on.isoformat(),
        "by": display_name(change.actor, nobody=change.actor_name or "the system"),
        "from_status": change.from_status,
        "to_status": change.to_status,
        "narrative": change.narrative,
        "item_version": change.item_version,
    }

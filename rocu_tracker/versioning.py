"""Optimistic concurrency for every versioned record (tracked items, plans, actions,
Section 55 responses): a write carries the version the user saw, and a stale one is refused
with what changed and the version now current, so the user's second save succeeds."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError


class StaleEditError(ValidationError):
    """Someone saved the record after the user opened it; nothing was written."""

    def __init__(self, message: str, *, changes: Sequence, current_version: int):
        self.changes = list(changes)
        self.current_version = current_version
        super().__init__(message)

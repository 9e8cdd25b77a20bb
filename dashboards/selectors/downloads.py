"""What a download's validators and kept files are keyed on: a cheap version of the data in
a scope (a set of organisations, or the nation)."""

import dataclasses
import datetime
import hashlib
from collections.abc import Collection

from django.conf import settings
from django.db.models import Count, Max, Subquery

from inspections.models import Inspection
from recommendations.models import Finding, TrackedItem


@dataclasses.dataclass(frozen=True)
class DataVersion:
    key: str
    last_modified: datetime.datetime | None


def _latest_change(model) -> Subquery:
    # Newest first through the model's updated_at index: one row read, not a scan.
    return Subquery(model.objects.order_by("-updated_at").values("updated_at")[:1])


def scope_data_version(
    *, organisation_ids: Collection[int] | None, extra: tuple = ()
) -> DataVersion:
    """Changes whenever an item of the scope is added, saved or deleted (the latest change
    and the count of its items), and whenever any finding or inspection is saved (they are
    edited rarely, and reading the latest change of all of them costs an index lookup).
    The history the downloads show (target date revisions, status changes) is written with
    a save of its item (recommendations.services _record), so it needs no term of its own.
    `extra` is whatever else the download depends on (the day, the address it links to, a
    format's version). One query."""
    items = TrackedItem.objects.order_by()
    if organisation_ids is not None:
        items = items.filter(organisation_id__in=organisation_ids)
    row = items.aggregate(
        items_changed=Max("updated_at"),
        items=Count("id"),
        findings_changed=Max(_latest_change(Finding)),
        inspections_changed=Max(_latest_change(Inspection)),
    )
    scope = "national" if organisation_ids is None else sorted(organisation_ids)
    changes = [row["items_changed"], row["findings_changed"], row["inspections_changed"]]
    key = hashlib.sha256(
        repr((scope, row["items"], *(c and c.isoformat() for c in changes), *extra)).encode()
    ).hexdigest()
    return DataVersion(key=key, last_modified=max(filter(None, changes), default=None))


# Raise when the board paper's PDF changes shape, so kept PDFs of the old shape are not served.
BOARD_PAPER_PDF_VERSION = 1


def board_paper_pdf_key(
    *,
    organisation,
    meeting_on: datetime.date,
    next_meeting_on: datetime.date,
    changes_since: datetime.date | None,
    today: datetime.date,
) -> str:
    """What a board paper's PDF depends on: its scope (one organisation's items), its
    meeting, the day, the list limit and the version of the scope's data."""
    # Issue 14 (meetings): the meeting's id takes the place of these three dates.
    meeting = (meeting_on.isoformat(), next_meeting_on.isoformat(), str(changes_since))
    extra = (
        "board-paper-pdf",
        BOARD_PAPER_PDF_VERSION,
        meeting,
        today.isoformat(),
        settings.BOARD_PAPER_LIST_LIMIT,
    )
    return scope_data_version(organisation_ids=[organisation.pk], extra=extra).key

"""Reads of reminders that cross into the apps whose things they are about."""

import dataclasses
import datetime
from dataclasses import dataclass
from itertools import groupby

from django.db.models import QuerySet
from django.utils.text import Truncator

from actionplans.models import Action
from recommendations.models import TrackedItem
from rocu_tracker import deadlines
from section55.models import Section55Response

from . import ladder
from .models import Dispatch, Notification


@dataclass
class Entry:
    dispatch: Dispatch
    title: str
    organisation: str
    url: str
    label: str
    urgency: int

    @property
    def deadline(self) -> datetime.date:
        return self.dispatch.deadline


def _subjects(dispatches) -> dict[tuple[str, int], tuple[str, str, str]]:
    """(subject type, id) -> (title, organisation, url path), three queries at most."""
    ids: dict[str, set[int]] = {}
    for dispatch in dispatches:
        ids.setdefault(dispatch.subject_type, set()).add(dispatch.subject_id)
    found = {}
    if ids.get(Dispatch.Subject.TRACKED_ITEM):
        for item in TrackedItem.objects.filter(
            id__in=ids[Dispatch.Subject.TRACKED_ITEM]
        ).select_related("finding__inspection", "organisation"):
            finding = item.finding
            title = f"{finding.get_kind_display()} {finding.reference}".strip()
            text = Truncator(finding.display_text).chars(100)
            found[Dispatch.Subject.TRACKED_ITEM, item.id] = (
                f"{title}: {text} ({finding.inspection.title})",
                item.organisation.short_name,
                finding.inspection.get_absolute_url(),
            )
    if ids.get(Dispatch.Subject.ACTION):
        for action in Action.objects.filter(id__in=ids[Dispatch.Subject.ACTION]).select_related(
            "plan__inspection", "plan__organisation"
        ):
            found[Dispatch.Subject.ACTION, action.id] = (
                f"Action: {Truncator(action.title).chars(100)} ({action.plan.title})",
                action.plan.organisation.short_name,
                action.plan.inspection.get_absolute_url(),
            )
    if ids.get(Dispatch.Subject.SECTION55):
        for response in Section55Response.objects.filter(
            id__in=ids[Dispatch.Subject.SECTION55]
        ).select_related("inspection", "body"):
            found[Dispatch.Subject.SECTION55, response.id] = (
                f"Section 55 response to {response.inspection.title}",
                response.body.short_name,
                response.inspection.get_absolute_url(),
            )
    return found


def dispatch_entries(dispatches) -> list[Entry]:
    """What a digest, an email or the notifications page says about each dispatch."""
    dispatches = list(dispatches)
    subjects = _subjects(dispatches)
    entries = []
    for dispatch in dispatches:
        title, organisation, url = subjects.get(
            (dispatch.subject_type, dispatch.subject_id),
            (f"{dispatch.get_subject_type_display()} (since removed)", "", ""),
        )
        entries.append(
            Entry(
                dispatch=dispatch,
                title=title,
                organisation=organisation,
                url=url,
                label=ladder.kind_label(dispatch.kind),
                urgency=ladder.kind_urgency(dispatch.kind),
            )
        )
    return entries


def entries_folded(entries: list[Entry]) -> list[Entry]:
    """One line per subject: the same person's current rows about one item (the owner's
    reminder and, to a lead who owns it, the escalation) as one entry, labels joined."""
    by_subject: dict[tuple[str, int], list[Entry]] = {}
    for entry in entries:
        key = (entry.dispatch.subject_type, entry.dispatch.subject_id)
        by_subject.setdefault(key, []).append(entry)
    folded = []
    for group in by_subject.values():
        labels = list(dict.fromkeys(entry.label for entry in group))
        folded.append(dataclasses.replace(group[0], label="; ".join(labels)))
    return folded


def entries_by_urgency(entries: list[Entry]) -> list[tuple[str, list[Entry]]]:
    """Most urgent group first; within a group, the earliest deadline first."""
    ordered = sorted(entries, key=lambda e: (e.urgency, e.deadline, e.title))
    return [
        (ladder.URGENCY_LABELS[urgency], list(group))
        for urgency, group in groupby(ordered, key=lambda e: e.urgency)
    ]


def item_counts_for(user, *, today: datetime.date) -> dict[str, int]:
    """The tracked items the user can see that are overdue and due soon, counted with the
    same QuerySet methods, and the same scope, as the dashboards."""
    visible = TrackedItem.objects.visible_to(user, day=today)
    return {
        "overdue": visible.overdue(today).count(),
        "due_soon": visible.due_soon(today).count(),
        "due_soon_days": deadlines.DUE_SOON_DAYS,
    }


def notifications_for(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("dispatch")


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

"""The unfiltered dashboard brought up to date by what each write changed, not counted again.

A scope's dashboard (the organisations a user may see, or the nation) is counted from the
tallies once a day (tally.counts_of_every_inspection) into Figures, which remember the
CountedVersion of every organisation they count and are kept in the cache. After a write,
the next read finds the versions moved (dashboard_scope reads them) and adds the write's
CountedChange rows, which the same triggers wrote in the write's own transaction (migration
0011): one query of a few rows, so a target date revised in Devon and Cornwall costs the
national dashboard those rows and not a count of 250,000 items. Every change up to a version
read has committed (a version is raised under its row's lock, in the transaction that writes
the changes), so the rows up to the versions read are all there to read.

Anything the rows cannot bring up to date counts again: a version without its rows (pruned,
or tally_rebuild), a change marked `recount` (a finding's deadline, inspection or kind), an
organisation or inspection the figures have not seen, or a count that raced a write.
Figures hold the day they were counted for: what depends on the day (overdue, due soon,
RAG, ageing) is exact for that day only, and the next day has its own key.
"""

import array
import dataclasses
import datetime
import hashlib
import heapq

from django.core.cache import cache
from django.db import connection

from recommendations.models import CountedChange, CountedVersion, TrackedItem
from rocu_tracker import deadlines

from . import (
    AGE_BUCKETS,
    DUE_WINDOWS,
    TOP_INSPECTIONS,
    Dashboard,
    _fold_by_organisation,
    _regions_and_members,
    _timeline_rows,
    board_of,
    tally,
)

# Figures are of one day (the key changes with it) and exact for the versions they hold; an
# hour's limit only bounds what a database restored under a running cache could repeat.
FIGURES_CACHE_SECONDS = 60 * 60
# The figures in the cache are brought forward once this many versions behind: until then
# each read adds the few changes since (cheaper than writing them to the cache every time).
SHARE_AFTER_VERSIONS = 16
CLOSED_STATUSES = frozenset(TrackedItem.CLOSED_STATUSES)
STATUSES = [status.value for status in TrackedItem.Status]
# Per organisation, in Figures.organisation_counts: items, open, overdue, then per status.
TOTAL, OPEN, OVERDUE = range(3)
ORGANISATION_STRIDE = 3 + len(STATUSES)
STATUS_COLUMN = {status: 3 + n for n, status in enumerate(STATUSES)}
# Per inspection, in Figures.inspection_counts: items, open, overdue.
INSPECTION_STRIDE = 3


class CountAgain(Exception):
    """The figures cannot be brought up to date from the changes."""


@dataclasses.dataclass
class Figures:
    """A scope's dashboard counts on `day`, at `versions`. Read from the cache on every
    read after a write, and written back often, so held as arrays and flat lists (a dozen
    objects to pickle, not thousands)."""

    day: datetime.date
    versions: dict[int, int]  # organisation id -> the CountedVersion counted
    summary: dict[str, int]  # as _fold_by_organisation's, with the headline counts
    organisation_ids: list[int]  # in the order of their names
    organisation_names: list[str]
    organisation_counts: array.array  # ORGANISATION_STRIDE per organisation
    months: dict[tuple[int, str], int]  # (deadline month's ordinal, RAG) -> open items
    inspection_ids: list[int]
    inspection_titles: list[str]
    inspection_published: array.array  # publication days' ordinals
    inspection_ages: array.array  # the AGE_BUCKETS index of each on `day`, -1 for none
    inspection_counts: array.array  # INSPECTION_STRIDE per inspection
    inspections_counted: int  # how many have items
    ageing: list[int]  # open items per AGE_BUCKETS
    members: list[tuple[int, str, int]]  # the regions', as _regions_and_members(day)

    def add_all(self, changes: list[tuple]) -> None:
        """Add CountedChange rows (organisation, sign, status, deadline, blocked, slipped,
        inspection) as the tallies' queries would count them on self.day."""
        organisations = {pk: n for n, pk in enumerate(self.organisation_ids)}
        inspections = {pk: n for n, pk in enumerate(self.inspection_ids)}
        for organisation_id, sign, status, deadline, blocked, slipped, inspection_id in changes:
            try:
                organisation = organisations[organisation_id] * ORGANISATION_STRIDE
                inspection = inspections[inspection_id] * INSPECTION_STRIDE
                column = STATUS_COLUMN[status]
            except KeyError as unknown:
                raise CountAgain(f"not counted before: {unknown}") from None
            self._add(organisation, inspection, column, sign, status, deadline, blocked, slipped)

    def _add(self, organisation, inspection, column, sign, status, deadline, blocked, slipped):
        summary, today = self.summary, self.day
        of_organisation, of_inspection = self.organisation_counts, self.inspection_counts
        is_closed = status in CLOSED_STATUSES
        is_open = not is_closed
        overdue = deadlines.is_overdue(is_closed=is_closed, deadline=deadline, today=today)
        summary["total"] += sign
        summary[f"status_{status}"] += sign
        of_organisation[organisation + column] += sign
        of_organisation[organisation + TOTAL] += sign
        had_items = bool(of_inspection[inspection + TOTAL])
        of_inspection[inspection + TOTAL] += sign
        self.inspections_counted += bool(of_inspection[inspection + TOTAL]) - had_items
        if is_open:
            summary["open"] += sign
            of_organisation[organisation + OPEN] += sign
            of_inspection[inspection + OPEN] += sign
            age = self.inspection_ages[inspection // INSPECTION_STRIDE]
            if age >= 0:
                self.ageing[age] += sign
        if overdue:
            summary["overdue"] += sign
            of_organisation[organisation + OVERDUE] += sign
            of_inspection[inspection + OVERDUE] += sign
        for days in DUE_WINDOWS:
            if deadlines.is_due_soon(
                is_closed=is_closed, deadline=deadline, today=today, within_days=days
            ):
                summary[f"due_{days}"] += sign
        rag = deadlines.rag_of(
            is_closed=is_closed, is_blocked=blocked, slipped=slipped, deadline=deadline, today=today
        ).value
        summary[f"rag_{rag}"] += sign
        if is_open and deadline is not None:
            month = (deadline.replace(day=1).toordinal(), rag)
            self.months[month] = self.months.get(month, 0) + sign

    def dashboard(self) -> Dashboard:
        timeline = _timeline_rows(
            [
                {"month": datetime.date.fromordinal(month), "rag": rag, "n": n}
                for (month, rag), n in self.months.items()
            ],
            self.day,
        )
        return board_of(
            self.summary,
            self._organisation_rows(),
            self._inspection_summary(),
            timeline,
            self.day,
            self.members,
        )

    def _organisation_rows(self) -> list[dict]:
        """_fold_by_organisation's rows, of the organisations with items."""
        rows = []
        counts = self.organisation_counts
        for n, (pk, name) in enumerate(
            zip(self.organisation_ids, self.organisation_names, strict=True)
        ):
            at = n * ORGANISATION_STRIDE
            if not counts[at + TOTAL]:
                continue
            by_status = dict(zip(STATUSES, counts[at + 3 : at + ORGANISATION_STRIDE], strict=True))
            rows.append(
                {
                    "id": pk,
                    "name": name,
                    "total": counts[at + TOTAL],
                    "open": counts[at + OPEN],
                    "overdue": counts[at + OVERDUE],
                    "by_status": by_status,
                    "status_cells": list(by_status.items()),
                }
            )
        return rows

    def _inspection_summary(self) -> dict:
        """As tally's: the most overdue first, then open, then by title (as the C collation
        orders it), the latest report first, the highest id first."""
        counts = self.inspection_counts
        overdue = counts[OVERDUE::INSPECTION_STRIDE]
        # Only the inspections at least as overdue as the last of the top ones can be in it.
        least = min(heapq.nlargest(TOP_INSPECTIONS, overdue), default=0)
        candidates = []
        for n, count in enumerate(overdue):
            at = n * INSPECTION_STRIDE
            if count >= least and counts[at + TOTAL]:
                key = (
                    -count,
                    -counts[at + OPEN],
                    self.inspection_titles[n],
                    -self.inspection_published[n],
                    -self.inspection_ids[n],
                )
                candidates.append((key, n))
        top = []
        for _, n in sorted(candidates)[:TOP_INSPECTIONS]:
            at = n * INSPECTION_STRIDE
            top.append(
                {
                    "id": self.inspection_ids[n],
                    "title": self.inspection_titles[n],
                    "published_on": datetime.date.fromordinal(self.inspection_published[n]),
                    "total": counts[at + TOTAL],
                    "open": counts[at + OPEN],
                    "overdue": counts[at + OVERDUE],
                }
            )
        return {"count": self.inspections_counted, "top": top, "ageing": list(self.ageing)}


def _age_bucket(published_on: datetime.date, today: datetime.date) -> int:
    age = (today - published_on).days
    for n, bucket in enumerate(AGE_BUCKETS):
        if age >= bucket.min_days and (bucket.max_days is None or age < bucket.max_days):
            return n
    return -1


def dashboard(*, visible: set[int] | None, today: datetime.date, version: tuple) -> Dashboard:
    """The unfiltered dashboard of the organisations `visible` (None: the nation) on
    `today`, from the kept figures brought up to date, or counted again (PostgreSQL only:
    tally.answers). `version` is dashboard_scope's: a finding or an inspection saved, a
    change to who is in which region, or an organisation renamed, counts again, under a new
    key."""
    key = (
        "dashboard-figures:"
        + hashlib.sha256(
            repr(
                (
                    sorted(visible) if visible is not None else "national",
                    today,
                    version[1:4],
                    getattr(version, "options", None),  # organisations' names among them
                )
            ).encode()
        ).hexdigest()
    )
    figures = cache.get(key)
    if figures is not None:
        current = dict(getattr(version, "organisations", None) or _versions(visible))
        try:
            behind = _catch_up(figures, current)
        except CountAgain:
            figures = None
        else:
            if behind >= SHARE_AFTER_VERSIONS:
                cache.set(key, figures, FIGURES_CACHE_SECONDS)
    if figures is None:
        figures, settled = _count(visible, today)
        if settled:
            cache.set(key, figures, FIGURES_CACHE_SECONDS)
    return figures.dashboard()


def _count(visible: set[int] | None, today: datetime.date) -> tuple[Figures, bool]:
    """The figures counted from the tallies, and whether no write in the scope committed
    meanwhile (the versions read before and after agree; versions only rise): only then do
    the figures hold exactly the versions they record, and may be kept."""
    before = _versions(visible)
    grouped = tally.counts_of_every_inspection(organisation_ids=visible, today=today)
    settled = _versions(visible) == before
    summary, organisation_rows = _fold_by_organisation(grouped["organisation"])
    summary.update(grouped.get("headline", {}))
    months: dict[tuple[int, str], int] = {}
    for row in grouped["month"]:
        month = (row["month"].toordinal(), row["rag"])
        months[month] = months.get(month, 0) + row["n"]
    inspections = grouped["inspection_rows"]
    published = [row["finding__inspection__published_on"] for row in inspections]
    ages = [_age_bucket(day, today) for day in published]
    ageing = [0] * len(AGE_BUCKETS)
    for row, age in zip(inspections, ages, strict=True):
        if age >= 0:
            ageing[age] += row["open"]
    figures = Figures(
        day=today,
        versions=before,
        summary=summary,
        organisation_ids=[row["id"] for row in organisation_rows],
        organisation_names=[row["name"] for row in organisation_rows],
        organisation_counts=array.array(
            "q",
            [
                n
                for row in organisation_rows
                for n in (row["total"], row["open"], row["overdue"], *row["by_status"].values())
            ],
        ),
        months=months,
        inspection_ids=[row["finding__inspection_id"] for row in inspections],
        inspection_titles=[row["finding__inspection__title"] for row in inspections],
        inspection_published=array.array("l", [day.toordinal() for day in published]),
        inspection_ages=array.array("b", ages),
        inspection_counts=array.array(
            "q", [n for row in inspections for n in (row["total"], row["open"], row["overdue"])]
        ),
        inspections_counted=sum(1 for row in inspections if row["total"]),
        ageing=ageing,
        members=_regions_and_members(today),
    )
    return figures, settled


def _versions(visible: set[int] | None) -> dict[int, int]:
    sql = f"SELECT organisation_id, version FROM {CountedVersion._meta.db_table}"
    with connection.cursor() as cursor:
        if visible is None:
            cursor.execute(sql)
        else:
            cursor.execute(sql + " WHERE organisation_id = ANY(%s)", [sorted(visible)])
        return dict(cursor.fetchall())


def _catch_up(figures: Figures, current: dict[int, int]) -> int:
    """Add the changes from the figures' versions to `current` (the scope's organisations'
    CountedVersion, read before: every change up to them has committed); how many versions
    that was. Raises CountAgain where the changes cannot bring the figures there."""
    moved = {}
    for organisation_id in figures.versions.keys() | current.keys():
        counted = figures.versions.get(organisation_id, 0)
        now = current.get(organisation_id, 0)
        if now < counted:
            raise CountAgain(f"organisation {organisation_id}: {counted} then {now}")
        if now != counted:
            moved[organisation_id] = (counted, now)
    if not moved:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            CHANGES_QUERY + " OR ".join([CHANGES_OF_ONE] * len(moved)),
            [value for pk, (counted, now) in moved.items() for value in (pk, counted, now)],
        )
        rows = cursor.fetchall()
    seen: dict[int, set] = {organisation_id: set() for organisation_id in moved}
    changes = []
    for organisation_id, version, recount, *change in rows:
        if recount:
            raise CountAgain(f"organisation {organisation_id}: no changes to follow")
        seen[organisation_id].add(version)
        changes.append((organisation_id, *change))
    if any(len(seen[pk]) != now - counted for pk, (counted, now) in moved.items()):
        raise CountAgain("a version without its changes")
    figures.add_all(changes)
    for organisation_id, (_, now) in moved.items():
        figures.versions[organisation_id] = now
    return sum(now - counted for counted, now in moved.values())


# The moved organisations' changes, each between two versions (CHANGES_OF_ONE's, joined by
# OR), read by the index counted_change_version.
CHANGES_QUERY = (
    "SELECT organisation_id, version, recount, sign, status, deadline, blocked, slipped, "
    f"inspection_id FROM {CountedChange._meta.db_table} WHERE "
)
CHANGES_OF_ONE = "(organisation_id = %s AND version > %s AND version <= %s)"

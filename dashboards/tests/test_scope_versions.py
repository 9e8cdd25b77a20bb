"""A dashboard's cache key follows the data of its own scope: a write in Cambridgeshire gives
the nation's and the Eastern region's dashboards new keys, and leaves Devon and Cornwall's
and the South West's as they were. On PostgreSQL it follows only what the dashboards count
(CountedVersion, kept by triggers): a write that changes none of it keeps every key, and
every write that may change a count, whatever makes it, gives new ones."""

import datetime

import pytest
from django.utils import timezone

from dashboards.selectors import dashboard_cache_key, dashboard_for
from organisations.access import SYSTEM
from organisations.models import Membership, RegionMembership
from organisations.services import membership_grant
from recommendations import services
from recommendations.models import Finding, TrackedItem

from .helpers import make_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(django_user_model):
    return django_user_model.objects.create_superuser(username="nadia", password="pw")


@pytest.fixture
def cambs_region_member(django_user_model, organisations):
    today = timezone.localdate()
    region = (
        RegionMembership.objects.on(today)
        .filter(force=organisations["cambridgeshire"])
        .get()
        .region
    )
    user = django_user_model.objects.create_user(username="ed", password="pw")
    membership_grant(user=user, organisation=region, role=Membership.Role.VIEWER, by=SYSTEM)
    return user


def _keys(users) -> list[str]:
    today = timezone.localdate()
    return [dashboard_cache_key(user=user, today=today) for user in users]


def test_a_write_in_one_force_changes_only_the_keys_of_scopes_holding_it(
    national, cambs_region_member, board_member, dc_editor, cambs_editor
):
    unaffected = [board_member, dc_editor]
    affected = [national, cambs_region_member, cambs_editor]
    before_unaffected, before_affected = _keys(unaffected), _keys(affected)
    item = TrackedItem.objects.filter(organisation__slug="cambridgeshire").first()

    TrackedItem.objects.filter(pk=item.pk).update(blocked_by="Awaiting the Home Office")

    assert _keys(unaffected) == before_unaffected
    after = _keys(affected)
    assert all(new != old for new, old in zip(after, before_affected, strict=True))


def test_a_cached_dashboard_counts_again_after_a_write_in_its_scope(dc_editor, dc_lead):
    today = timezone.localdate()
    item = TrackedItem.objects.filter(organisation__slug="devon-and-cornwall").first()
    before = dashboard_for(user=dc_editor, today=today)
    services.tracked_item_transition(
        item=item, to_status=TrackedItem.Status.NO_FURTHER_ACTION, by=SYSTEM
    )
    after = dashboard_for(user=dc_editor, today=today)
    assert after.open == before.open - 1


def _recounted(user, today) -> bool:
    """Whether the user's cached dashboard still says what counting afresh says."""
    from dashboards.selectors import _dashboard_compute

    return dashboard_for(user=user, today=today) == _dashboard_compute(
        user=user, filters={}, today=today
    )


def test_a_write_that_changes_no_count_keeps_every_key(
    national, cambs_region_member, board_member, dc_editor, cambs_editor
):
    users = [national, cambs_region_member, board_member, dc_editor, cambs_editor]
    before = _keys(users)
    item = TrackedItem.objects.filter(organisation__slug="cambridgeshire").first()

    services.tracked_item_assign(item=item, owner=cambs_editor, by=cambs_editor)
    services.tracked_item_assign(item=item, owner=None, by=cambs_editor)
    TrackedItem.objects.filter(pk=item.pk).update(reminders_pause_reason="On leave")

    assert _keys(users) == before


@pytest.mark.parametrize(
    "write",
    [
        "status",
        "deadline_same_month",
        "target_date",
        "blocked",
        "organisation",
        "delete",
        "add",
        "finding_deadline",
        "finding_kind",
    ],
)
def test_every_write_that_may_change_a_count_gives_new_keys_and_the_new_counts(
    write, national, board_member, dc_editor, organisations
):
    """Each kind of write, made past the services (as a bulk update or the admin would), to
    a Devon and Cornwall item: the keys of the scopes holding it change, and each cached
    dashboard, read again, says what counting afresh says."""
    today = timezone.localdate()
    dc = organisations["devon-and-cornwall"]
    made = make_items(30, organisation=dc, today=today)
    users = [national, board_member, dc_editor]
    for user in users:
        dashboard_for(user=user, today=today)  # cached
    before = _keys(users)
    items = TrackedItem.objects.filter(pk__in=[new.pk for new in made], status="awaiting_review")
    item = items.exclude(effective_deadline=None).order_by("id").first()
    first_of_month = item.effective_deadline.replace(day=1)
    writes = {
        "status": lambda: items.filter(pk=item.pk).update(status="complete"),
        "deadline_same_month": lambda: items.filter(pk=item.pk).update(
            effective_deadline=first_of_month
            if item.effective_deadline != first_of_month
            else first_of_month + datetime.timedelta(days=1)
        ),
        "target_date": lambda: items.filter(pk=item.pk).update(
            target_date=item.effective_deadline + datetime.timedelta(days=400)
        ),
        "blocked": lambda: items.filter(pk=item.pk).update(blocked_by="A partner's data"),
        "organisation": lambda: items.filter(pk=item.pk).update(
            organisation=organisations["cambridgeshire"]
        ),
        "delete": lambda: items.filter(pk=item.pk).delete(),
        "add": lambda: make_items(1, organisation=dc, today=today),
        "finding_deadline": lambda: Finding.objects.filter(pk=item.finding_id).update(
            deadline=today - datetime.timedelta(days=3)
        ),
        "finding_kind": lambda: Finding.objects.filter(pk=item.finding_id).update(
            kind="cause_of_concern"
            if item.finding.kind != "cause_of_concern"
            else "area_for_improvement"
        ),
    }

    writes[write]()

    after = _keys(users)
    assert all(new != old for new, old in zip(after, before, strict=True)), write
    assert all(_recounted(user, today) for user in users), write


def test_what_a_board_member_may_see_follows_the_regions_at_once(board_member, organisations):
    """dashboard_scope keeps each user's visible organisations in the cache: a change to a
    force's region, however it is made, shows on the next read."""
    from dashboards.selectors import dashboard_scope
    from organisations.selectors import visible_organisation_ids

    today = timezone.localdate()
    dc = organisations["devon-and-cornwall"]
    visible, _ = dashboard_scope(user=board_member, today=today)
    assert dc.pk in visible

    RegionMembership.objects.filter(force=dc, region=organisations["swrocu"]).update(
        valid_to=today - datetime.timedelta(days=1)
    )

    visible, _ = dashboard_scope(user=board_member, today=today)
    assert dc.pk not in visible
    assert visible == visible_organisation_ids(board_member, day=today)


def test_what_a_member_may_see_follows_their_memberships(django_user_model, organisations):
    from dashboards.selectors import dashboard_scope

    today = timezone.localdate()
    user = django_user_model.objects.create_user(username="mo", password="pw")
    dc, cambs = organisations["devon-and-cornwall"], organisations["cambridgeshire"]
    membership_grant(user=user, organisation=dc, role=Membership.Role.VIEWER, by=SYSTEM)
    assert dashboard_scope(user=user, today=today)[0] == {dc.pk}

    membership_grant(user=user, organisation=cambs, role=Membership.Role.VIEWER, by=SYSTEM)
    fresh = django_user_model.objects.get(pk=user.pk)  # the next request's user

    assert dashboard_scope(user=fresh, today=today)[0] == {dc.pk, cambs.pk}


def test_the_scope_read_in_one_query_is_what_the_two_selectors_say(
    national, board_member, dc_editor, cambs_region_member
):
    from dashboards.selectors import dashboard_scope
    from organisations.selectors import visible_organisation_ids
    from recommendations.selectors import tracking_scope_version

    today = timezone.localdate()
    TrackedItem.objects.filter(organisation__slug="cambridgeshire").update(blocked_by="Funding")
    for user in [national, board_member, dc_editor, cambs_region_member]:
        visible = visible_organisation_ids(user, day=today)
        scope, version = dashboard_scope(user=user, today=today)
        assert (scope, version[:3]) == (visible, tracking_scope_version(organisation_ids=visible))


def test_the_page_is_served_from_the_cache_after_a_write_that_changes_no_count(client, dc_editor):
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client.force_login(dc_editor)
    url = reverse("dashboards:dashboard")
    item = TrackedItem.objects.filter(organisation__slug="devon-and-cornwall").first()

    def read() -> tuple[str, int]:
        """The page's body (the header around it holds per-request tokens) and its queries."""
        with CaptureQueriesContext(connection) as context:
            html = client.get(url).content.decode()
        body = html[html.index('<h1 class="h2">Deadline dashboard</h1>') : html.index("</main>")]
        return body, len(context.captured_queries)

    def open_count(html: str) -> int:
        return int(re.search(r"(\d+) open, as on", html).group(1))

    first, counted = read()
    _, cached = read()
    assert cached < counted

    services.tracked_item_assign(item=item, owner=dc_editor, by=dc_editor)
    html, queries = read()
    assert (html, queries) == (first, cached)

    services.tracked_item_transition(
        item=item, to_status=TrackedItem.Status.NO_FURTHER_ACTION, by=SYSTEM
    )
    html, queries = read()
    assert queries > cached  # counted again (the filter form and the scope are still cached)
    assert open_count(html) == open_count(first) - 1

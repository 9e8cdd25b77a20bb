"""What My work reads in one query before its page (issue 11): the open count from the
tallies, the owner and inspection choices, the open actions; and its rows read by their own
SQL, whose `needs_owner` must say what TrackedItem.with_needs_owner says."""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from actionplans import services as plan_services
from actionplans.models import Action, ActionPlan
from actionplans.selectors import my_work_actions
from dashboards.tests.helpers import make_items
from organisations import services as organisation_services
from organisations.access import SYSTEM
from organisations.models import Membership
from recommendations import selectors
from recommendations.models import TrackedItem
from recommendations.tests.factories import InspectionFactory, TrackedItemFactory

pytestmark = pytest.mark.django_db

MY_WORK = reverse("recommendations:my_work")


def _page(client, **query):
    return client.get(MY_WORK, query).context["page"]


def test_its_count_from_the_tallies_is_the_count_of_what_it_lists(client, dc_editor, organisations):
    """The force's open items (some of every status are closed) and the two its region's
    ROCU shares with the forces, whether counted from the tallies or item by item."""
    today = timezone.localdate()
    make_items(60, organisation=organisations["devon-and-cornwall"], today=today)
    make_items(5, organisation=organisations["kent"], today=today)
    client.force_login(dc_editor)

    scope = selectors.my_work_scope(user=dc_editor, today=today)
    listed = selectors.my_work_items(user=dc_editor, today=today)

    assert scope.open_count == listed.count() == _page(client).count
    assert listed.filter(organisation=organisations["swrocu"]).count() == 2


def test_a_filter_counts_the_items_it_leaves(client, dc_editor, organisations):
    today = timezone.localdate()
    make_items(60, organisation=organisations["devon-and-cornwall"], today=today)
    client.force_login(dc_editor)
    listed = selectors.my_work_items(user=dc_editor, today=today)

    assert _page(client, status="being_progressed").count == (
        listed.filter(status="being_progressed").count()
    )
    assert 0 < _page(client, status="being_progressed").count < _page(client).count
    # A filter that does not validate filters nothing (its error is shown): the full count.
    assert _page(client, due_within="many").count == _page(client).count


def test_a_region_s_own_editor_counts_its_items_once(client, django_user_model, organisations):
    """At the ROCU and at one of its forces: the shared items are the ROCU's own too."""
    user = django_user_model.objects.create_user("both")
    for slug in ("swrocu", "devon-and-cornwall"):
        organisation_services.membership_grant(
            user=user, organisation=organisations[slug], role=Membership.Role.EDITOR, by=SYSTEM
        )
    today = timezone.localdate()
    scope = selectors.my_work_scope(user=user, today=today)

    assert scope.open_count == selectors.my_work_items(user=user, today=today).count()


def test_its_rows_say_who_needs_an_owner_as_the_item_page_does(
    client, dc_editor, dc_lead, organisations
):
    force = organisations["devon-and-cornwall"]
    people = get_user_model().objects
    gone = people.create_user("gone", is_active=False)
    organisation_services.membership_grant(
        user=gone, organisation=force, role=Membership.Role.EDITOR, by=SYSTEM
    )
    outsider = people.create_user("outsider")
    owners = [None, dc_editor, gone, outsider, dc_lead]
    items = [TrackedItemFactory(organisation=force, owner=owner) for owner in owners]
    closed = TrackedItemFactory(organisation=force, owner=outsider)
    TrackedItem.objects.filter(pk=closed.pk).update(status=TrackedItem.Status.COMPLETE)
    client.force_login(dc_editor)

    shown = {item.pk: item for item in _page(client).object_list}
    expected = dict(
        TrackedItem.objects.with_needs_owner()
        .filter(pk__in=[item.pk for item in items])
        .values_list("pk", "needs_owner")
    )

    assert {pk: shown[pk].needs_owner for pk in expected} == expected
    assert [expected[item.pk] for item in items] == [False, False, True, True, False]
    assert {shown[item.pk].owner for item in items} == set(owners)
    assert closed.pk not in shown


def test_it_offers_the_organisation_s_people_as_owners_and_filters_by_one(
    client, dc_editor, dc_lead, organisations
):
    force = organisations["devon-and-cornwall"]
    mine = TrackedItemFactory(organisation=force, owner=dc_lead)
    TrackedItemFactory(organisation=force, owner=dc_editor)
    client.force_login(dc_editor)

    response = client.get(MY_WORK, {"owner": dc_lead.pk})
    select = re.search(r'<select name="owner"[^>]*>(.*?)</select>', response.content.decode())

    assert [item.pk for item in response.context["page"].object_list] == [mine.pk]
    assert select and f'<option value="{dc_lead.pk}" selected>{dc_lead.username}</option>' in (
        select.group(1)
    )
    assert f'<option value="{dc_editor.pk}">{dc_editor.username}</option>' in select.group(1)
    assert client.get(MY_WORK, {"owner": "999999"}).context["filter"].errors


def test_it_marks_the_chosen_inspection_in_the_options_it_keeps(client, dc_editor, organisations):
    today = timezone.localdate()
    report = InspectionFactory(title='Stop & "search"')
    make_items(2, organisation=organisations["devon-and-cornwall"], today=today, inspection=report)
    client.force_login(dc_editor)
    client.get(MY_WORK)  # the options written and kept

    chosen = client.get(MY_WORK, {"inspection": report.pk}).content.decode()
    again = client.get(MY_WORK).content.decode()

    option = f'<option value="{report.pk}" selected>Stop &amp; &quot;search&quot; ('
    assert option in chosen
    assert '<option value="">Any</option>' in chosen
    assert option not in again and '<option value="" selected>Any</option>' in again


def test_it_counts_the_open_actions_with_its_scope(client, dc_editor, organisations):
    force = organisations["devon-and-cornwall"]
    item = TrackedItemFactory(organisation=force)
    plan = ActionPlan.objects.create(
        organisation=force, inspection=item.finding.inspection, title="Plan"
    )
    for title in ("One", "Two", "Three"):
        plan_services.action_add(plan=plan, title=title, serves=[item], by=SYSTEM)
    Action.objects.filter(title="Two").update(status=Action.Status.DONE)
    client.force_login(dc_editor)

    scope = selectors.my_work_scope(user=dc_editor, today=timezone.localdate())
    actions = client.get(MY_WORK).context["actions"]

    assert scope.open_actions == my_work_actions(user=dc_editor).count() == 2
    assert actions.paginator.count == 2
    assert [action.title for action in actions.object_list] == ["One", "Three"]


def _link(page_html: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="(\?[^"]*)"', page_html)
    return MY_WORK + html.unescape(found.group(1)) if found else None


def test_its_previous_page_lists_what_its_next_page_came_from(client, dc_editor, organisations):
    make_items(160, organisation=organisations["devon-and-cornwall"], today=timezone.localdate())
    client.force_login(dc_editor)
    pages = [client.get(MY_WORK)]
    for _ in range(2):
        pages.append(client.get(_link(pages[-1].content.decode(), "next")))
    back = client.get(_link(pages[-1].content.decode(), "prev"))

    def ids(response):
        return [item.pk for item in response.context["page"].object_list]

    assert ids(back) == ids(pages[1]) and back.context["page"].number == 2
    listed = ids(pages[0]) + ids(pages[1]) + ids(pages[2])
    assert len(set(listed)) == len(listed) == 75


def test_someone_at_no_organisation_has_nothing_to_do(client, django_user_model, reference_data):
    client.force_login(django_user_model.objects.create_user("nobody"))

    response = client.get(MY_WORK)

    assert response.status_code == 200
    assert response.context["page"].object_list == []
    assert "Recommendations (0)" in response.content.decode()

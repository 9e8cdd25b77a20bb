import datetime

import pytest
from django.core.exceptions import ValidationError

from organisations.access import SYSTEM
from recommendations import services
from recommendations.models import Finding, TrackedItem, TrackedItemEvent
from recommendations.tests.factories import TrackedItemFactory

Status = TrackedItem.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def force_level_items(reference_data):
    return TrackedItem.objects.filter(finding__audience=Finding.Audience.ALL_FORCES)


def test_it_fans_the_2015_force_level_recommendation_out_to_every_force(force_level_items):
    assert force_level_items.count() == 43
    assert force_level_items.values("organisation__kind").distinct().count() == 1
    assert set(force_level_items.values_list("status", flat=True)) == {Status.AWAITING_REVIEW}


def test_it_opens_each_history_on_the_publication_day(force_level_items):
    events = TrackedItemEvent.objects.filter(item__in=force_level_items)
    assert events.count() == 43
    assert set(events.values_list("occurred_on", "kind", "actor_name")) == {
        (datetime.date(2015, 12, 1), TrackedItemEvent.Kind.CREATED, "HMIC")
    }


def test_it_fans_a_regional_recommendation_out_to_the_regions_of_its_day(reference_data):
    finding = Finding.objects.get(key="sio-lro-systems")
    assert finding.tracked_items.count() == 10
    assert set(finding.tracked_items.values_list("organisation__kind", flat=True)) == {"region"}


def test_it_fans_a_named_recommendation_out_to_its_addressees(reference_data):
    finding = Finding.objects.get(key="funding-model")
    assert sorted(finding.tracked_items.values_list("organisation__slug", flat=True)) == [
        "apcc",
        "home-office",
        "npcc",
    ]


def test_a_second_fan_out_adds_nothing(force_level_items):
    finding = force_level_items.first().finding
    assert services.finding_fan_out(finding=finding, by=SYSTEM) == []
    assert finding.tracked_items.count() == 43


def test_it_moves_status_along_the_table_and_records_each_move(django_user_model):
    item = TrackedItemFactory()
    user = django_user_model.objects.create_user("alice", is_superuser=True)
    services.tracked_item_transition(
        item=item, to_status=Status.BEING_PROGRESSED, by=user, narrative="Plan drafted"
    )
    services.tracked_item_transition(item=item, to_status=Status.PROPOSED_COMPLETE, by=user)
    item.refresh_from_db()
    assert item.status == Status.PROPOSED_COMPLETE
    assert item.version == 3
    moves = list(
        item.events.order_by("id").values_list("from_status", "to_status", "actor", "narrative")
    )
    assert moves == [
        (Status.AWAITING_REVIEW, Status.BEING_PROGRESSED, user.id, "Plan drafted"),
        (Status.BEING_PROGRESSED, Status.PROPOSED_COMPLETE, user.id, ""),
    ]


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Status.AWAITING_REVIEW, Status.COMPLETE),  # sign-off needs a proposal first
        (Status.BEING_PROGRESSED, Status.AWAITING_REVIEW),
        (Status.COMPLETE, Status.BEING_PROGRESSED),
        (Status.BEING_PROGRESSED, "finished"),  # not a status at all
    ],
)
def test_it_refuses_moves_outside_the_table_and_writes_nothing(start, target):
    item = TrackedItemFactory(status=start)
    with pytest.raises(ValidationError):
        services.tracked_item_transition(item=item, to_status=target, by=SYSTEM)
    item.refresh_from_db()
    assert item.status == start
    assert item.version == 1
    assert not item.events.exists()


def test_every_status_has_a_row_in_the_transition_table():
    assert set(services.TRANSITIONS) == set(Status.values)
    for targets in services.TRANSITIONS.values():
        assert targets <= set(Status.values)


def test_it_refuses_an_empty_comment():
    item = TrackedItemFactory()
    with pytest.raises(ValidationError):
        services.tracked_item_comment(item=item, narrative="   ", by=SYSTEM)
    assert not item.events.exists()


def test_it_refuses_a_target_date_out_of_range(reference_data, dc_editor):
    item = TrackedItem.objects.filter(organisation__slug="devon-and-cornwall").first()
    with pytest.raises(ValidationError, match="Enter a date between"):
        services.target_date_revision_request(
            item=item, by=dc_editor, proposed_date=datetime.date(9999, 12, 31), reason="Typo"
        )
    assert not item.target_date_revisions.exists()

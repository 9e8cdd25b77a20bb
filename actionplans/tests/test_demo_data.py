import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from actionplans.demo_data import DEMO_PASSWORD, DEMO_USERS
from actionplans.models import ActionPlan
from organisations.models import Membership
from recommendations.models import TrackedItem, TrackedItemEvent
from section55.models import Section55Position, Section55Response

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(reference_data, settings):
    settings.DEMO_MODE = True
    call_command("load_demo_data")


def test_it_creates_one_user_per_role_who_can_sign_in(demo):
    for demo_user in DEMO_USERS:
        user = authenticate(username=demo_user.username, password=DEMO_PASSWORD)
        assert user is not None, demo_user.username
        membership = Membership.objects.get(user=user)
        assert (membership.organisation.slug, membership.role) == (
            demo_user.organisation,
            demo_user.role,
        )
    assert set(Membership.objects.values_list("role", flat=True)) == set(Membership.Role.values)


def test_it_records_the_cambridgeshire_plan_from_the_board_paper(demo):
    plan = ActionPlan.objects.get(organisation__slug="cambridgeshire")
    assert plan.owner_title == "Head of the Central Intelligence Bureau"
    item = TrackedItem.objects.get(
        organisation__slug="cambridgeshire", finding__audience="all_forces"
    )
    assert item.status == TrackedItem.Status.BEING_PROGRESSED
    assert item.events.filter(narrative__contains="Head of the Central Intelligence Bureau")
    assert list(plan.actions.get().serves.all()) == [item]


def test_it_records_the_chief_constable_disagreeing_with_recommendation_1(demo):
    response = Section55Response.objects.get(body__slug="devon-and-cornwall-pcc")
    assert not response.publications.exists()  # the publication date is not known: not invented
    position = response.positions.get(finding__reference="1")
    assert position.chief_officer_agreement == Section55Position.Agreement.DISAGREES
    assert "corporation sole" in position.chief_officer_note


def test_running_it_again_adds_nothing(demo, django_user_model):
    users = django_user_model.objects.count()
    events = TrackedItemEvent.objects.count()
    call_command("load_demo_data")
    assert django_user_model.objects.count() == users
    assert TrackedItemEvent.objects.count() == events


def test_it_refuses_outside_demo_mode(reference_data, settings, django_user_model):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="only loaded in demo mode"):
        call_command("load_demo_data")
    assert not django_user_model.objects.exists()


def test_it_asks_for_the_reference_data_first(empty_database, settings):
    settings.DEMO_MODE = True
    with pytest.raises(CommandError, match="Load the reference data first"):
        call_command("load_demo_data")


def test_it_gives_the_south_west_rocu_an_editor_and_a_lead(demo):
    roles = set(
        Membership.objects.filter(organisation__slug="swrocu").values_list("user__username", "role")
    )
    assert {("swrocu.editor", Membership.Role.EDITOR), ("swrocu.lead", Membership.Role.LEAD)} <= (
        roles
    )


def test_running_it_again_adds_a_demo_user_added_since(demo, django_user_model):
    django_user_model.objects.filter(username="swrocu.lead").delete()

    call_command("load_demo_data")

    assert django_user_model.objects.filter(username="swrocu.lead").exists()
    assert ActionPlan.objects.count() == 1  # the history is not loaded twice

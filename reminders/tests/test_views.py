import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reminders import services
from reminders.models import Notification, Preference

pytestmark = pytest.mark.django_db

DEADLINE = datetime.date(2026, 6, 30)
TODAY = DEADLINE - datetime.timedelta(days=28)


@pytest.fixture
def reminded(cast, make_item):
    def _reminded(count: int = 1):
        for _ in range(count):
            make_item(deadline=DEADLINE, owner=cast["alice"])
        services.reminders_scan(today=TODAY)

    return _reminded


def test_it_lists_the_users_notifications_with_the_unread_count(client, cast, reminded):
    reminded(2)
    client.force_login(cast["alice"])

    response = client.get(reverse("reminders:list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("Due in 28 days") == 2
    assert (
        'Notifications <span class="badge text-bg-light">2<span class="visually-hidden"> unread'
        in html
    )


def test_it_shows_the_outsider_none_of_them(client, cast, reminded):
    reminded()
    client.force_login(cast["charlie"])

    response = client.get(reverse("reminders:list"))

    assert "You have no notifications" in response.content.decode()


def test_it_marks_a_notification_read(client, cast, reminded):
    reminded()
    notification = Notification.objects.get()
    client.force_login(cast["alice"])

    response = client.post(reverse("reminders:read", args=[notification.id]))

    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_it_does_not_let_the_outsider_mark_anothers_notification(client, cast, reminded):
    reminded()
    notification = Notification.objects.get()
    client.force_login(cast["charlie"])

    client.post(reverse("reminders:read", args=[notification.id]))
    client.post(reverse("reminders:read_all"))

    notification.refresh_from_db()
    assert notification.read_at is None


def test_it_marks_all_read(client, cast, reminded):
    reminded(3)
    client.force_login(cast["alice"])

    client.post(reverse("reminders:read_all"))

    assert not Notification.objects.filter(read_at=None).exists()


def test_it_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("reminders:list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_it_saves_preferences(client, cast):
    client.force_login(cast["alice"])

    response = client.post(
        reverse("reminders:preferences"), {"email": "immediate", "only_what_i_own": "on"}
    )

    assert response.status_code == 302
    preference = Preference.objects.get(user=cast["alice"])
    assert (preference.email, preference.only_what_i_own) == ("immediate", True)


def test_it_keeps_the_form_and_explains_an_invalid_choice(client, cast):
    client.force_login(cast["alice"])

    response = client.post(reverse("reminders:preferences"), {"email": "carrier-pigeon"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Preference.objects.exists()


def test_it_answers_an_empty_post_as_a_post(client, cast):
    """An empty submission is still a submission: it is told what is missing, not shown the
    blank form as if nothing had been sent."""
    client.force_login(cast["alice"])

    response = client.post(reverse("reminders:preferences"), {})

    assert "This field is required" in response.content.decode()
    assert not Preference.objects.exists()


def test_its_list_query_count_does_not_grow_with_the_rows(client, cast, reminded):
    client.force_login(cast["alice"])
    reminded(1)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("reminders:list"))
    reminded(49)
    with CaptureQueriesContext(connection) as fifty:
        client.get(reverse("reminders:list"))

    assert len(one.captured_queries) == len(fifty.captured_queries)

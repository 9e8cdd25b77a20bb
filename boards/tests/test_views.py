import datetime

import pytest
from django.urls import reverse

from boards import services
from boards.models import IssuedPaper, Meeting
from organisations.access import SYSTEM
from recommendations.models import TrackedItem

from .helpers import propose_complete

pytestmark = pytest.mark.django_db


def _paper(client, meeting):
    return client.get(reverse("boards:paper", args=[meeting.pk]))


def test_it_lets_the_secretary_schedule_a_meeting(client, sw_secretary, sw_board, today):
    client.force_login(sw_secretary)
    url = reverse("boards:meeting_create", args=[sw_board.pk])
    when = today + datetime.timedelta(days=40)
    response = client.post(
        url, {"title": "Autumn meeting", "held_on": when.isoformat(), "starts_at": "14:00"}
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.title, meeting.held_on, meeting.created_by) == (
        "Autumn meeting",
        when,
        sw_secretary,
    )
    board_page = client.get(reverse("boards:detail", args=[sw_board.pk])).content.decode()
    assert "Autumn meeting" in board_page


def test_it_keeps_what_was_typed_when_the_date_is_wrong(client, sw_secretary, sw_board):
    client.force_login(sw_secretary)
    url = reverse("boards:meeting_create", args=[sw_board.pk])
    response = client.post(url, {"title": "Autumn meeting", "held_on": "31/02/2027"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and 'value="Autumn meeting"' in html
    assert not Meeting.objects.exists()


def test_a_board_member_reads_but_does_not_schedule(client, board_member, sw_board, next_meeting):
    client.force_login(board_member)
    assert client.get(reverse("boards:detail", args=[sw_board.pk])).status_code == 200
    assert _paper(client, next_meeting).status_code == 200
    assert client.get(reverse("boards:meeting_create", args=[sw_board.pk])).status_code == 403
    assert client.post(reverse("boards:paper_issue", args=[next_meeting.pk])).status_code == 403
    assert not IssuedPaper.objects.exists()


@pytest.mark.parametrize("reader", ["dc_editor", "dc_pcc_staff", "board_member"])
def test_the_regions_bodies_read_its_board(client, request, sw_board, next_meeting, reader):
    client.force_login(request.getfixturevalue(reader))
    assert client.get(reverse("boards:list")).context["boards"].get() == sw_board
    assert _paper(client, next_meeting).status_code == 200


def test_another_regions_board_is_a_404(
    client, sw_secretary, cambs_editor, sw_board, eastern_board, next_meeting
):
    other = services.meeting_schedule(
        board=eastern_board,
        held_on=next_meeting.held_on,
        title="Eastern meeting",
        by=SYSTEM,
    )
    client.force_login(sw_secretary)
    assert list(client.get(reverse("boards:list")).context["boards"]) == [sw_board]
    for name, pk in [
        ("boards:detail", eastern_board.pk),
        ("boards:meeting_create", eastern_board.pk),
        ("boards:paper", other.pk),
        ("boards:paper_pdf", other.pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    assert client.post(reverse("boards:paper_issue", args=[other.pk])).status_code == 404
    client.force_login(cambs_editor)
    assert client.get(reverse("boards:detail", args=[sw_board.pk])).status_code == 404
    assert _paper(client, next_meeting).status_code == 404


def test_the_region_paper_names_its_forces_their_bodies_and_the_rocu(
    client, sw_secretary, next_meeting
):
    client.force_login(sw_secretary)
    paper = _paper(client, next_meeting).context["paper"]
    names = {row["name"] for row in paper.by_organisation}
    assert {
        "Avon and Somerset Constabulary",
        "Devon and Cornwall Police",
        "Dorset Police",
        "Gloucestershire Constabulary",
        "Wiltshire Police",
        "South West Regional Organised Crime Unit",
    } <= names
    bodies = [row["name"] for row in paper.by_organisation if row["kind"] == "Local policing body"]
    assert len(bodies) == 5
    assert "Cambridgeshire Constabulary" not in names


def test_an_issued_paper_stays_as_it_was_and_the_next_lists_what_changed(
    client, sw_secretary, dc_editor, previous_meeting, next_meeting, organisations
):
    client.force_login(sw_secretary)
    response = client.post(reverse("boards:paper_issue", args=[previous_meeting.pk]))
    assert response.status_code == 302
    issued = IssuedPaper.objects.get()
    frozen = _paper(client, previous_meeting).content.decode()
    assert "Issued on" in frozen and issued.html in frozen

    item = TrackedItem.objects.filter(organisation=organisations["devon-and-cornwall"]).first()
    propose_complete(item, by=dc_editor)
    issued.refresh_from_db()
    assert issued.html in _paper(client, previous_meeting).content.decode()
    paper = _paper(client, next_meeting).context["paper"]
    assert [event.item_id for event in paper.changes.proposed] == [item.pk]
    assert paper.changes.since.paper_issued_at == issued.issued_at

    again = client.post(reverse("boards:paper_issue", args=[previous_meeting.pk]), follow=True)
    assert "already been issued" in again.content.decode()
    assert IssuedPaper.objects.count() == 1

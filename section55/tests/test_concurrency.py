"""Real concurrent requests against PostgreSQL: two people at once on one response.

Each thread has its own client and database connection; a barrier starts them together."""

import datetime
import re
import threading

import pytest
from django.db import connection
from django.test import Client

from organisations.access import SYSTEM
from organisations.models import Membership
from organisations.services import membership_grant
from section55 import services
from section55.models import Section55Event, Section55Response

from .conftest import DETAIL_2021, complete, recommendations_of

pytestmark = pytest.mark.django_db(transaction=True)

Stage = Section55Response.Stage
Kind = Section55Event.Kind
ROUNDS = 12


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _together(*requests):
    """Run each request in its own thread, released at once; their responses in order."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(index, request):
        try:
            barrier.wait(timeout=30)
            results[index] = request()
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, request))
        for index, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def gail(django_user_model, organisations):
    """Gail: a second member of the Devon and Cornwall office's staff."""
    user = django_user_model.objects.create_user(username="gail", password="pw")
    membership_grant(
        user=user,
        organisation=organisations["devon-and-cornwall-pcc"],
        role=Membership.Role.PCC_STAFF,
        by=SYSTEM,
    )
    return user


def test_it_keeps_a_published_response_published_while_a_position_is_saved(
    response, dc_pcc_staff, gail
):
    complete(response)
    services.section55_response_publish(
        response=response, published_on=datetime.date(2021, 4, 1), acknowledged=True, by=SYSTEM
    )
    rec_2 = recommendations_of(response)[1]
    publisher, editor = _client(dc_pcc_staff), _client(gail)
    for round_ in range(1, ROUNDS + 1):
        services.section55_correction_start(
            response=response, reason=f"Correction {round_}.", by=SYSTEM
        )
        response.refresh_from_db()
        text = f"Explanation of round {round_}."
        publish, position = _together(
            lambda: publisher.post(
                DETAIL_2021 + "publish/", {"published_on": "2021-04-01", "acknowledged": "on"}
            ),
            lambda v=response.version, text=text: editor.post(
                f"{DETAIL_2021}positions/{rec_2.id}/",
                {
                    f"rec-{rec_2.id}-position": "action_taken",
                    f"rec-{rec_2.id}-explanation": text,
                    f"rec-{rec_2.id}-agreement": "agrees",
                    f"rec-{rec_2.id}-version": v,
                },
            ),
        )
        response.refresh_from_db()
        assert publish.status_code == 302, round_
        assert response.stage == Stage.PUBLISHED, round_
        publication = response.publications.order_by("-version").first()
        assert publication.version == round_ + 1
        assert publication.correction_note == f"Correction {round_}."
        saved = response.positions.get(finding=rec_2).explanation
        if position.status_code == 302:  # told "saved": it is, and it is in what was published
            assert saved == publication.positions.get(finding=rec_2).explanation == text
        else:  # refused, and told so
            assert position.status_code == 400
            assert saved != text
            assert "published and its text is frozen" in position.content.decode()

    moves = list(
        response.events.exclude(to_stage="")
        .order_by("id")
        .values_list("kind", "from_stage", "to_stage")
    )
    drafting_and_first = moves[:4]
    assert drafting_and_first[-1] == (Kind.PUBLISHED, Stage.DRAFTING, Stage.PUBLISHED)
    assert (
        moves[4:]
        == [
            (Kind.CORRECTION_STARTED, Stage.PUBLISHED, Stage.CORRECTING),
            (Kind.PUBLISHED, Stage.CORRECTING, Stage.PUBLISHED),
        ]
        * ROUNDS
    )
    for before, after in zip(moves, moves[1:], strict=False):
        assert after[1] == before[2]  # no stage change is missing from the history
    assert response.version == response.events.order_by("-id").first().response_version


def _version(html: str) -> int:
    form = html.split('id="office-comments"')[1].split("</form>")[0]
    return int(re.search(r'name="version" value="(\d+)"', form)[1])


def test_it_takes_one_of_two_simultaneous_office_comments_and_refuses_the_other(
    response, dc_pcc_staff, gail
):
    dana, gail = _client(dc_pcc_staff), _client(gail)
    url = DETAIL_2021 + "office-comments/"
    for round_ in range(ROUNDS):
        seen = _version(dana.get(DETAIL_2021).content.decode())
        texts = [f"Dana's text, round {round_}.", f"Gail's text, round {round_}."]
        results = _together(
            *(
                lambda client=client, text=text, seen=seen: client.post(
                    url, {"comments": text, "version": seen}
                )
                for client, text in zip((dana, gail), texts, strict=True)
            )
        )
        codes = sorted(result.status_code for result in results)
        assert codes == [302, 400], round_
        winner, loser = (0, 1) if results[0].status_code == 302 else (1, 0)
        response.refresh_from_db()
        assert response.office_comments == texts[winner]
        refused = results[loser].content.decode()
        assert "Someone else saved this response after you opened it" in refused
        assert texts[loser].replace("'", "&#x27;") in refused

        again = (dana, gail)[loser].post(
            url, {"comments": texts[loser], "version": _version(refused)}
        )
        assert again.status_code == 302
        response.refresh_from_db()
        assert response.office_comments == texts[loser]

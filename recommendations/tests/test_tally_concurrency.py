"""The tallies under real concurrent writes: two leads in two forces revising target dates at
the same moment, over and over, each write moving an item between the same two deadline
months (so both transactions update the same national tally rows). Every write succeeds
(no deadlock, no lost update) and the tallies still equal a count of the items."""

import datetime
import threading

import pytest
from django.db import connection

from recommendations import services
from recommendations.models import TrackedItem
from recommendations.tally import tally_differences
from recommendations.tests.factories import editor_and_lead

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 8
MONTHS = (datetime.date(2031, 3, 15), datetime.date(2031, 4, 15))


def _revise_back_and_forth(item_pk, editor, lead, barrier, errors):
    try:
        barrier.wait(timeout=30)
        for round_number in range(ROUNDS):
            item = TrackedItem.objects.get(pk=item_pk)
            revision = services.target_date_revision_request(
                item=item,
                by=editor,
                proposed_date=MONTHS[round_number % 2],
                reason="The plan moved.",
            )
            services.target_date_revision_decide(revision=revision, by=lead, approve=True)
    except Exception as error:  # noqa: BLE001 - the test reports whatever a thread hit
        errors.append(error)
    finally:
        connection.close()


def test_concurrent_revisions_keep_every_tally_exact(reference_data, django_user_model):
    forces = ("devon-and-cornwall", "cambridgeshire")
    work = []
    for slug in forces:
        editor, lead = editor_and_lead(django_user_model, slug)
        item = TrackedItem.objects.open().filter(organisation__slug=slug).first()
        work.append((item.pk, editor, lead))
    barrier, errors = threading.Barrier(len(work)), []
    threads = [
        threading.Thread(target=_revise_back_and_forth, args=(*job, barrier, errors))
        for job in work
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    last = MONTHS[(ROUNDS - 1) % 2]
    assert [TrackedItem.objects.get(pk=pk).target_date for pk, _, _ in work] == [last, last]
    assert tally_differences() == []

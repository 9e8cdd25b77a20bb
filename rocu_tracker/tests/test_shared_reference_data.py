"""The reference data loaded once per session is still there after a transactional test
empties the database (conftest's pytest_runtest_teardown loads it again after the flush),
so the tests after it share it rather than each loading its own. pytest-django runs the
transactional tests after the others, in file order: the second test follows the first."""

import pytest

from inspections.models import Inspection


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_by_its_marker_sees_the_reference_data():
    assert Inspection.objects.exists()


def test_the_next_transactional_test_still_sees_it(transactional_db):
    assert Inspection.objects.exists()

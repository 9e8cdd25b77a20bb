"""The Section 55 clock as the office's pages show it: 56 days beginning with the day the
report is published, for reports published on or after 2 May 2017."""

import datetime

import pytest
from django.test import Client

from recommendations.tests.factories import InspectionFactory
from rocu_tracker.deadlines import section55_last_day
from section55 import selectors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("published_on", "last_day"),
    [
        (datetime.date(2015, 12, 1), None),  # the 2015 ROCU review: no statutory time limit
        (datetime.date(2017, 5, 1), None),  # the day before s.55(5A) came into force
        (datetime.date(2017, 5, 2), datetime.date(2017, 6, 26)),  # the day it did
        (datetime.date(2020, 2, 1), datetime.date(2020, 3, 27)),  # leap year: 29 February counts
        (datetime.date(2021, 2, 1), datetime.date(2021, 3, 28)),  # the same dates, no 29th
        (datetime.date(2021, 2, 10), datetime.date(2021, 4, 6)),  # the 2021 ROCU inspection
        (datetime.date(2023, 12, 31), datetime.date(2024, 2, 24)),  # across a year's end
    ],
)
def test_the_last_day_in_the_office_list(published_on, last_day, organisations, dc_pcc_staff):
    assert section55_last_day(published_on) == last_day
    inspection = InspectionFactory(inspectorate=organisations["hmicfrs"], published_on=published_on)
    [row] = [
        row
        for row in selectors.response_rows(
            organisations["devon-and-cornwall-pcc"], today=datetime.date(2024, 1, 1)
        )
        if row.inspection == inspection
    ]
    assert row.last_day == last_day

    client = Client()
    client.force_login(dc_pcc_staff)
    page = client.get(f"/section55/devon-and-cornwall-pcc/{inspection.slug}/").content.decode()
    if last_day is None:
        assert "No statutory time limit (report published before 2 May 2017)" in page
    else:
        assert f"{last_day.day} {last_day:%B %Y}" in page

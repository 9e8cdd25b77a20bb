import datetime
import json

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from inspections.models import Inspection
from inspections.reference_data import DEFAULT_PATH
from organisations import selectors
from organisations.models import Organisation, RegionMembership

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_database")]
D = datetime.date


def _counts() -> dict[str, int]:
    """Rows in every table of our apps."""
    return {
        model._meta.label: model.objects.count()
        for app in ("organisations", "inspections", "recommendations", "actionplans", "section55")
        for model in apps.get_app_config(app).get_models()
    }


def test_it_loads_the_real_forces_bodies_regions_and_inspections():
    call_command("load_reference_data")
    kinds = Organisation.Kind
    assert Organisation.objects.filter(kind=kinds.FORCE).count() == 43
    assert Organisation.objects.filter(kind=kinds.REGION).count() == 10
    assert Organisation.objects.filter(kind=kinds.INSPECTORATE).count() == 2
    assert set(
        Organisation.objects.filter(kind=kinds.NATIONAL_BODY).values_list("slug", flat=True)
    ) == {"home-office", "nca", "npcc", "apcc", "college-of-policing"}
    review, inspection = Inspection.objects.order_by("published_on")
    assert (review.published_on, review.stated_recommendations) == (D(2015, 12, 1), 11)
    assert (inspection.published_on, inspection.stated_recommendations) == (D(2021, 2, 10), 6)
    assert inspection.stated_causes_of_concern == 1
    assert review.findings.count() == 1


def test_running_it_twice_changes_nothing():
    call_command("load_reference_data")
    first = _counts()
    call_command("load_reference_data")
    assert _counts() == first
    assert first["recommendations.TrackedItem"] == 43 + 10 + 10 + 3


def test_it_records_when_a_force_changed_region():
    call_command("load_reference_data")
    kent = Organisation.objects.get(slug="kent")

    def region_on(day):
        return RegionMembership.objects.on(day).get(force=kent).region.slug

    assert region_on(D(2015, 12, 1)) == "serocu"
    assert region_on(D(2021, 2, 10)) == "ersou"
    assert selectors.regions_on(D(2015, 12, 1)).count() == 10


def test_it_answers_who_oversaw_a_force_on_a_given_day():
    call_command("load_reference_data")
    west_yorkshire = Organisation.objects.get(slug="west-yorkshire")
    greater_manchester = Organisation.objects.get(slug="greater-manchester")
    assert (
        "Police and Crime Commissioner"
        in selectors.body_overseeing(west_yorkshire, D(2016, 6, 30)).name
    )
    assert "Mayor" in selectors.body_overseeing(west_yorkshire, D(2024, 6, 1)).name
    # Who oversaw Greater Manchester Police before May 2017 is not recorded: no guess.
    assert selectors.body_overseeing(greater_manchester, D(2015, 12, 1)) is None
    for force in Organisation.objects.filter(kind=Organisation.Kind.FORCE):
        assert selectors.body_overseeing(force, D(2021, 2, 10)) is not None, force


def _broken_fixture(tmp_path, breakage):
    data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    breakage(data)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        # The last inspection's findings are read after everything else has been written.
        (
            lambda d: d["inspections"][-1]["findings"][-1].update(deadline="by spring"),
            "'deadline' must be YYYY-MM-DD, YYYY-MM or null",
        ),
        (lambda d: d["region_memberships"][-1].update(region="atlantis"), "unknown organisation"),
        (lambda d: d["organisations"][0].update(kind="guild"), "expected one of"),
        (lambda d: d["inspections"][0].update(published_on="1 Dec 2015"), "is not a date"),
        (lambda d: d.update(schema=99), "'schema' must be 1"),
    ],
)
def test_a_broken_fixture_fails_clearly_and_writes_nothing(tmp_path, breakage, message):
    path = _broken_fixture(tmp_path, breakage)
    with pytest.raises(CommandError, match="nothing was written") as error:
        call_command("load_reference_data", path=path)
    assert message in str(error.value)
    assert sum(_counts().values()) == 0


def test_an_unreadable_fixture_fails_clearly(tmp_path):
    path = tmp_path / "truncated.json"
    path.write_text(DEFAULT_PATH.read_text(encoding="utf-8")[:500], encoding="utf-8")
    with pytest.raises(CommandError, match="Cannot read the reference fixture"):
        call_command("load_reference_data", path=path)
    assert sum(_counts().values()) == 0

"""axe-core and the Nu HTML checker on the pages of issue 14's capability delivery and public
progress tracker, as every role (the walk of rocu_tracker/tests/test_accessibility.py checks
them too, with every other page): here also as South West ROCU staff, and with a form that
shows its errors."""

import pytest

from conftest import _member
from organisations.models import Membership
from rocu_tracker.tests import site_map
from rocu_tracker.tests.test_accessibility import Visitor, cast  # noqa: F401 (a fixture)
from rocu_tracker.tests.valid_html import VNU_JAR, html_errors

pytestmark = pytest.mark.django_db(transaction=True)

NAMES = {name for name in site_map.SITE_MAP if name.startswith("public_progress:")} | {
    "dashboards:capability_matrix",
    "dashboards:capability_history",
}


def test_its_pages_have_no_accessibility_problem_as_any_role(
    browser,
    live_server,
    log_in,
    cast,  # noqa: F811 (the fixture imported above)
    django_user_model,
    organisations,
):
    world = site_map.world_build(
        dc_editor=cast["dc_editor"], dc_lead=cast["dc_lead"], dc_pcc_staff=cast["dc_pcc_staff"]
    )
    cast = {
        **cast,
        "sw_rocu_editor": _member(
            django_user_model, "sam", organisations["swrocu"], Membership.Role.EDITOR
        ),
    }
    pages = [
        (name, path)
        for name, _, path in site_map.urls(world, kinds=[site_map.PAGE])
        if name in NAMES
    ]
    paths = {path for _, path in pages}
    visitors = [
        Visitor(browser, live_server, log_in, role, user, paths) for role, user in cast.items()
    ]
    for name, path in pages:
        running = [visitor for visitor in visitors if visitor.start(name, path)]
        for visitor in running:
            visitor.finish()
    _check_forms_with_errors(visitors)
    problems = [problem for visitor in visitors for problem in visitor.problems]
    documents = {where: html for v in visitors for where, html in v.documents.items()}
    for visitor in visitors:
        visitor.context.close()
    invalid = html_errors(documents) if VNU_JAR.exists() else []
    assert not problems + invalid, "\n".join(problems + invalid)


def _check_forms_with_errors(visitors) -> None:
    """The delivery form sent empty by the region's editor, the public update sent empty by
    Devon and Cornwall's editor: each page as it shows the errors."""
    roles = {visitor.role: visitor for visitor in visitors}
    for role, path, button in [
        ("sw_rocu_editor", "/dashboards/capabilities/swrocu/rart/", "Record the delivery"),
        (
            "dc_editor",
            f"/public/manage/{site_map.DEVON}/{site_map.INSPECTION_2015}/",
            "Save the public update",
        ),
    ]:
        visitor = roles[role]
        visitor.page.goto(path)
        with visitor.page.expect_navigation() as navigation:
            visitor.page.get_by_role("button", name=button).first.click()
        assert navigation.value.status == 400
        visitor.check(f"{button} (errors)", path, 400, navigation.value.text())
        visitor.finish()

"""axe-core on the People pages and the invitation's page, in each state a person meets them
(a refused form included), as rocu_tracker/tests/test_accessibility.py checks every page."""

import pytest
from django.urls import reverse

from organisations import services
from organisations.models import Membership
from rocu_tracker.tests.test_accessibility import AXE, AXE_RESULT, AXE_START, STRUCTURE, TAGS

from .conftest import token_in_the_last_email

pytestmark = pytest.mark.django_db(transaction=True)


def _problems(page, where: str) -> list[str]:
    page.add_script_tag(path=str(AXE))
    page.evaluate(AXE_START, TAGS)
    problems = [f"{where}: {v['id']} ({v['help']}) {v['nodes']}" for v in page.evaluate(AXE_RESULT)]
    structure = page.evaluate(STRUCTURE)
    if not (structure["main"] and structure["skip"]) or structure["h1"] != 1:
        problems.append(f"{where}: skip link, main or h1 missing")
    if structure["duplicateIds"]:
        problems.append(f"{where}: ids used twice: {structure['duplicateIds']}")
    return problems


def test_the_people_pages_have_no_accessibility_problem(
    browser, live_server, log_in, dc_org_admin, dc_editor, devon
):
    services.invitation_send(
        organisation=devon, email="new@example.org", role="editor", by=dc_org_admin
    )
    token = token_in_the_last_email()
    alice = Membership.objects.get(user=dc_editor)
    admin_pages = [
        reverse("organisations:people", args=[devon.slug]),
        reverse("organisations:invite", args=[devon.slug]),
        reverse("organisations:person", args=[devon.slug, alice.pk]),
        reverse("organisations:person_deactivate", args=[devon.slug, alice.pk]),
    ]
    problems = []
    admin = browser.new_context(bypass_csp=True, base_url=live_server.url).new_page()
    log_in(admin, dc_org_admin)
    for path in admin_pages:
        admin.goto(path)
        problems += _problems(admin, path)
    admin.goto(admin_pages[1])
    admin.get_by_role("button", name="Send the invitation").click()  # every field refused
    problems += _problems(admin, "the invite form, refused")

    invited = browser.new_context(bypass_csp=True, base_url=live_server.url).new_page()
    accept = reverse("organisations:invitation_accept", args=[token])
    invited.goto(accept)
    problems += _problems(invited, accept)
    invited.get_by_role("button", name="Set my password").click()
    problems += _problems(invited, "the set-password form, refused")
    invited.goto(reverse("organisations:invitation_accept", args=["no-such-token"]))
    problems += _problems(invited, "an unknown invitation")

    assert not problems, "\n".join(problems)

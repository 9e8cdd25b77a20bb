"""axe-core on every page of the product, as every role and signed out, in Debian's Chromium.

The pages come from the URLconf through site_map.SITE_MAP: a URL name missing from it fails
here. A page that answers 403 or 404 for a role is checked as it is (it is a page too).
The walk also keeps each page's HTML as served and runs the W3C Nu HTML checker over all of
them at the end, in one run (valid_html.py): an error in any of them fails the walk too.
"""

import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from rocu_tracker.tests import site_map
from rocu_tracker.tests.valid_html import html_errors

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Started without waiting, so that the other roles' pages can run theirs meanwhile.
AXE_START = """(tags) => {
  window.axeResult = axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
  });
}"""
AXE_RESULT = """async () => (await window.axeResult).violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary),
}))"""
# What axe-core's WCAG rules leave out: every page built on base.html starts with the skip
# link, which leads to the main landmark (the printable documents of
# section55/_document_base.html have the landmark only); one h1; no id used twice.
STRUCTURE = """() => {
  const first = document.querySelector('a[href], button, input, select, textarea');
  const skip = document.querySelector('a.skip-link[href="#main"]');
  const ids = [...document.querySelectorAll('[id]')].map(el => el.id);
  return {
    main: document.querySelectorAll('main').length === 1,
    skip: !!skip && first === skip && !!document.querySelector('main#main'),
    h1: document.querySelectorAll('h1').length,
    duplicateIds: [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))],
  };
}"""
DOCUMENTS = {
    "responses:print",
    "responses:print_version",
    "section55:letter",
    "section55:board_paper",
}


@pytest.fixture
def cast(
    dc_editor,
    dc_lead,
    cambs_editor,
    dc_pcc_staff,
    board_member,
    dc_org_admin,
    django_user_model,
    organisations,
):
    admin = site_map.administrator(django_user_model, organisations)
    return {
        "dc_editor": dc_editor,
        "dc_lead": dc_lead,
        "cambs_editor": cambs_editor,
        "dc_pcc_staff": dc_pcc_staff,
        "board_member": board_member,
        "dc_org_admin": dc_org_admin,
        "admin": admin,
        "anonymous": None,
    }


def test_it_knows_every_url_name_of_the_product():
    assert site_map.missing_from_site_map() == [], (
        "Add these URL names to rocu_tracker/tests/site_map.py (a PAGE is checked with axe-core)"
    )


class Visitor:
    """One role's browser context. Checking a page is split in two so that the roles' pages
    run axe-core at the same time, each in its own renderer process."""

    def __init__(self, browser, live_server, log_in, role: str, user, paths: set[str]):
        self.role = role
        self.context = browser.new_context(bypass_csp=True, base_url=live_server.url)
        self.page = self.context.new_page()
        if user is not None:
            log_in(self.page, user)
        self.paths = paths
        self.seen: set[int] = set()
        self.checked = 0
        self.problems: list[str] = []
        self.documents: dict[str, str] = {}  # the HTML as served, for the Nu HTML checker

    def start(self, name: str, path: str) -> bool:
        """Open the page and set axe-core going; False if it was already checked."""
        response = self.page.goto(path)
        status = response.status
        final = urlsplit(self.page.url).path
        if final != urlsplit(path).path and final in self.paths:
            return False  # a redirect to a page of the list (My work, the login page)
        if status in (403, 404):  # the same error page again is checked once per role
            if status in self.seen:
                return False
            self.seen.add(status)
        self.check(name, path, status, response.text())
        return True

    def check(self, name: str, path: str, status: int, html: str) -> None:
        """Set axe-core going on the page as it is."""
        self.checked += 1
        self.where = f"[{self.role}] {name} {path} ({status})"
        self.documents[self.where] = html
        self.document = name in DOCUMENTS
        self.page.add_script_tag(path=str(AXE))
        self.page.evaluate(AXE_START, TAGS)

    def finish(self) -> None:
        for violation in self.page.evaluate(AXE_RESULT):
            nodes = "\n      ".join(violation["nodes"])
            self.problems.append(
                f"{self.where}: {violation['id']} ({violation['help']})\n      {nodes}"
            )
        structure = self.page.evaluate(STRUCTURE)
        if not structure["main"] or not (structure["skip"] or self.document):
            self.problems.append(f"{self.where}: no skip link first on the page, or no main")
        if structure["h1"] != 1:
            self.problems.append(f"{self.where}: {structure['h1']} h1 headings, not one")
        if structure["duplicateIds"]:
            self.problems.append(f"{self.where}: ids used twice: {structure['duplicateIds']}")


def test_it_finds_no_accessibility_problem_on_any_page_as_any_role(
    browser, live_server, log_in, cast
):
    started = time.monotonic()
    world = site_map.world_build(
        dc_editor=cast["dc_editor"], dc_lead=cast["dc_lead"], dc_pcc_staff=cast["dc_pcc_staff"]
    )
    pages = [(name, path) for name, _, path in site_map.urls(world, kinds=[site_map.PAGE])]
    paths = {path for _, path in pages}
    visitors = [
        Visitor(browser, live_server, log_in, role, user, paths) for role, user in cast.items()
    ]
    for name, path in pages:
        running = [visitor for visitor in visitors if visitor.start(name, path)]
        for visitor in running:
            visitor.finish()
    _check_sign_in_refusals(visitors[-1])
    checked = {visitor.role: visitor.checked for visitor in visitors}
    print(f"\naxe-core checked {checked} in {time.monotonic() - started:.0f}s")
    problems = [problem for visitor in visitors for problem in visitor.problems]
    for visitor in visitors:
        visitor.context.close()
    started = time.monotonic()
    invalid = html_errors({where: html for v in visitors for where, html in v.documents.items()})
    print(f"the Nu HTML checker took {time.monotonic() - started:.0f}s")
    assert not problems + invalid, (
        f"{len(problems)} accessibility problems:\n"
        + "\n".join(problems)
        + f"\n{len(invalid)} HTML errors (the Nu HTML checker):\n"
        + "\n".join(invalid)
    )


def _check_sign_in_refusals(visitor: Visitor) -> None:
    """Pages without a URL of their own: the login page refusing a password, and the page
    after too many wrong ones (django-axes), for a username nobody has."""
    for attempt in range(1, 10):
        visitor.page.goto("/accounts/login/")
        visitor.page.get_by_label("Username").fill("nobody")
        visitor.page.get_by_label("Password").fill("wrong")
        with visitor.page.expect_navigation() as navigation:
            visitor.page.get_by_role("button", name="Sign in").click()
        status = navigation.value.status
        if attempt == 1 or status == 429:
            name = "login (a wrong password)" if status != 429 else "locked out"
            visitor.check(name, "/accounts/login/", status, navigation.value.text())
            visitor.finish()
        if status == 429:
            return
    raise AssertionError("never locked out")


# --- keyboard ---------------------------------------------------------------------------------

FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return {
    what: el.tagName + (el.id ? '#' + el.id : '') + ' '
      + (el.textContent || el.name || '').trim().slice(0, 40),
    visible: outline || style.boxShadow !== 'none',
  };
}"""


def test_it_shows_where_the_focus_is_on_every_element_of_my_work(page, live_server, log_in, cast):
    site_map.world_build(
        dc_editor=cast["dc_editor"], dc_lead=cast["dc_lead"], dc_pcc_staff=cast["dc_pcc_staff"]
    )
    log_in(page, cast["dc_editor"])
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    focused, invisible = [], []
    for _ in range(200):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STYLE)
        if state is None or (focused and state["what"] == focused[0]):
            break  # back to the start of the page
        focused.append(state["what"])
        if not state["visible"]:
            invisible.append(state["what"])
    assert len(focused) > 10, focused
    assert invisible == [], f"no visible focus on: {invisible}"


def test_it_lets_a_progress_update_be_written_and_saved_by_keyboard_alone(
    page, live_server, log_in, cast
):
    world = site_map.world_build(
        dc_editor=cast["dc_editor"], dc_lead=cast["dc_lead"], dc_pcc_staff=cast["dc_pcc_staff"]
    )
    log_in(page, cast["dc_editor"])
    page.goto(f"{live_server.url}/items/{world.item}/")

    status = page.get_by_role("combobox", name=re.compile(r"Status"))
    _tab_to(page, status)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Update", exact=True)).to_be_focused()
    page.keyboard.type("Agreed with the ROCU executive board; typed without a mouse.")
    _tab_to(page, page.get_by_label("Per cent complete"))
    page.keyboard.type("75")
    _tab_to(page, page.get_by_role("button", name="Save update"))
    page.keyboard.press("Enter")

    expect(page.locator("#history")).to_contain_text("typed without a mouse")
    expect(page.locator("#history")).to_contain_text("75% complete")


def _tab_to(page, locator, limit: int = 100) -> None:
    """Press Tab until the locator has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")

"""The token pages in a real browser: made by keyboard alone, the new token shown once;
axe-core and the Nu HTML checker find nothing on the page in each of its states (empty,
a refused form, a new token shown, the organisation's service tokens)."""

from playwright.sync_api import expect

from rocu_tracker.tests.test_accessibility import Visitor
from rocu_tracker.tests.valid_html import html_errors


def _check(visitor, name, page):
    visitor.check(name, page.url, 200, page.content())
    visitor.finish()


def test_a_token_is_made_by_keyboard_and_every_state_of_its_page_is_accessible(
    browser, live_server, log_in, dc_org_admin
):
    visitor = Visitor(browser, live_server, log_in, "dc_org_admin", dc_org_admin, set())
    page = visitor.page
    page.goto("/accounts/api-tokens/")
    _check(visitor, "api_tokens:personal (none yet)", page)

    page.get_by_label("Name").fill("Power BI")
    page.get_by_label("Expires on").fill("2099-01-01")
    page.get_by_role("button", name="Make the token").press("Enter")
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Power BI")
    visitor.check("api_tokens:personal (refused)", page.url, 400, page.content())
    visitor.finish()

    page.get_by_label("Expires on").fill(_in_a_month())
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Make the token").press("Enter")
    secret = page.get_by_label("Token", exact=True).input_value()
    assert secret.startswith("rocu_")
    _check(visitor, "api_tokens:personal (new token)", page)
    page.reload()
    expect(page.get_by_label("Token", exact=True)).to_have_count(0)
    expect(page.get_by_role("rowheader", name="Power BI")).to_be_visible()

    page.goto("/organisations/devon-and-cornwall/api-tokens/")
    _check(visitor, "api_tokens:service", page)
    invalid = html_errors(visitor.documents)
    visitor.context.close()
    assert not visitor.problems + invalid, "\n".join(visitor.problems + invalid)


def _in_a_month() -> str:
    import datetime

    from django.utils import timezone

    return (timezone.localdate() + datetime.timedelta(days=30)).isoformat()

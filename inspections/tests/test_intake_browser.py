"""Issue 13's journeys in Debian's Chromium, by labels only: a liaison enters a report by
hand, or pastes its summary of recommendations, corrects an addressee, publishes it, and the
forces, a board and the report's page see it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from organisations import services as organisation_services
from organisations.access import SYSTEM
from organisations.models import Membership, Organisation
from recommendations.models import TrackedItem
from recommendations.selectors import my_work_items

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "A test inspection of ROCU intake, not a real report"
EVERY_FORCE = "Test recommendation 1: every force publishes a test plan (not real words)."
BY_MONTH = "Test recommendation 2: one named force reviews its test data (not real words)."
AT_ONCE = "Test recommendation 3: every force checks its test system at once (not real words)."


def _create_inspection(page, live_server, title):
    """From the list to the new inspection's intake page, stating three recommendations."""
    page.goto(f"{live_server.url}/inspections/")
    page.get_by_role("link", name="New inspection").click()
    page.get_by_label("Inspectorate").select_option(
        label="HM Inspectorate of Constabulary and Fire & Rescue Services"
    )
    page.get_by_label("Type").select_option(label="Thematic")
    page.get_by_label("Scope").select_option(label="National")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Publication date").fill("2026-11-02")
    page.get_by_label("Kind of finding (row 1)").select_option(label="Recommendation")
    page.get_by_label("Number the report states (row 1)").fill("3")
    page.get_by_role("button", name="Create the inspection").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Enter findings")
    expect(page.locator("#publication-state")).to_contain_text("Draft")


def _add_finding(page, reference, words, *, audience, precision, deadline="", named=()):
    page.get_by_role("link", name="Add a finding").click()
    page.get_by_label("Kind of finding").select_option(label="Recommendation")
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("The report's words", exact=True).fill(words)
    page.get_by_label("Addressed to, as the report writes it").fill(
        "every police force in England and Wales" if not named else ", ".join(named)
    )
    page.get_by_label("Who must answer it").select_option(label=audience)
    if named:
        page.get_by_label("Named bodies").select_option(label=list(named))
    page.get_by_label("When it falls due").select_option(label=precision)
    if deadline:
        page.get_by_label("Deadline date").fill(deadline)
    page.get_by_role("button", name="Save the finding").click()
    expect(page.get_by_text("Finding added.")).to_be_visible()


def test_it_takes_a_report_entered_by_hand_to_every_forces_my_work(
    page, live_server, log_in, django_user_model, dc_editor, cambs_editor, board_member
):
    liaison = django_user_model.objects.create_user(username="harriet", password="pw")
    organisation_services.membership_grant(
        user=liaison,
        organisation=Organisation.objects.get(slug="hmicfrs"),
        role=Membership.Role.INSPECTION_LIAISON,
        by=SYSTEM,
    )
    log_in(page, liaison)
    _create_inspection(page, live_server, TITLE)

    _add_finding(
        page, "1", EVERY_FORCE, audience="Every force", precision="A day", deadline="2027-06-30"
    )
    _add_finding(
        page,
        "2",
        BY_MONTH,
        audience="Named bodies",
        precision="A month (due on its last day)",
        deadline="2027-02-01",
        named=["Cambridgeshire Constabulary"],
    )
    _add_finding(
        page, "3", AT_ONCE, audience="Every force", precision="Immediately (due on publication)"
    )
    expect(page.get_by_text("3 of 3 recommendations recorded")).to_be_visible()

    # The second was meant for Devon and Cornwall, not Cambridgeshire.
    page.get_by_role("link", name="Edit Recommendation 2").click()
    page.get_by_label("Addressed to, as the report writes it").fill("Devon and Cornwall Police")
    page.get_by_label("Named bodies").select_option(label=["Devon and Cornwall Police"])
    page.get_by_role("button", name="Save the finding").click()
    expect(page.get_by_text("Finding saved.")).to_be_visible()

    page.get_by_role("link", name="Publish to trackers").first.click()
    expect(page.locator("#publish-summary")).to_contain_text("87 tracked items")
    page.get_by_role("button", name="Publish and create 87 tracked items").click()
    expect(page.get_by_text("Published to the trackers: 87 tracked items created.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("3 of 3 recommendations recorded")).to_be_visible()
    recorded = page.locator("dt", has_text="Findings recorded").locator("+ dd")
    expect(recorded).to_contain_text("3 of 3 recommendations recorded")

    # A few forces' editors through the page ...
    page.get_by_role("button", name="Sign out").click()
    log_in(page, dc_editor)
    page.goto(f"{live_server.url}/work/")
    for words in (EVERY_FORCE, BY_MONTH, AT_ONCE):
        expect(page.get_by_role("link", name=re.compile(re.escape(words[:40])))).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    log_in(page, cambs_editor)
    page.goto(f"{live_server.url}/work/")
    expect(page.get_by_role("link", name=re.compile(re.escape(EVERY_FORCE[:40])))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(re.escape(BY_MONTH[:40])))).to_have_count(0)

    # ... and every one of the 43 through My work's selector.
    today = timezone.localdate()
    forces = Organisation.objects.filter(kind=Organisation.Kind.FORCE)
    assert forces.count() == 43
    for force in forces:
        editor = django_user_model.objects.create_user(username=f"editor-{force.slug}")
        organisation_services.membership_grant(
            user=editor, organisation=force, role=Membership.Role.EDITOR, by=SYSTEM
        )
        texts = set(
            my_work_items(user=editor, today=today)
            .filter(finding__inspection__title=TITLE)
            .values_list("finding__text", flat=True)
        )
        expected = {EVERY_FORCE, AT_ONCE} | (
            {BY_MONTH} if force.slug == "devon-and-cornwall" else set()
        )
        assert texts == expected, force.slug
    cambs_item = TrackedItem.objects.filter(
        finding__text=BY_MONTH, organisation__slug="cambridgeshire"
    )
    assert not cambs_item.exists()  # corrected before publication: never tracked

    # A board member sees it on the dashboard.
    page.get_by_role("button", name="Sign out").click()
    log_in(page, board_member)
    page.goto(f"{live_server.url}/dashboards/")
    expect(page.get_by_role("rowheader", name=TITLE)).to_be_visible()


# The inspectorate's own way of writing a summary of recommendations (test words, not a report's).
PASTED_TITLE = "A test inspection of ROCU intake by pasting, not a real report"
PASTED_DAY = (
    "By 30 June 2027, every police force in England and Wales should publish a test plan "
    "(test words, not a report's)."
)
PASTED_MONTH = (
    "By February 2028, chief constables should review their test data (test words, not a report's)."
)
PASTED_AT_ONCE = (
    "Immediately, the Home Office should confirm its test funding (test words, not a report's)."
)
SUMMARY = f"""Summary of recommendations

Recommendation 1
{PASTED_DAY}

Recommendation 2
{PASTED_MONTH}

Recommendation 3
{PASTED_AT_ONCE}
"""


def _my_work_link(page, words):
    return page.get_by_role("link", name=re.compile(re.escape(words[:40])))


def test_it_takes_a_pasted_summary_of_recommendations_to_every_forces_my_work(
    page,
    live_server,
    log_in,
    django_user_model,
    hmicfrs_liaison,
    dc_editor,
    cambs_editor,
    board_member,
):
    log_in(page, hmicfrs_liaison)
    _create_inspection(page, live_server, PASTED_TITLE)
    page.get_by_role("link", name="Paste the report's findings").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Paste the findings")
    page.get_by_label("The report's text").fill(SUMMARY)
    page.get_by_role("button", name="Read the findings").click()
    expect(page.get_by_text("3 findings read from the text.")).to_be_visible()

    # Each value is shown as guessed, for the liaison to check.
    read = {
        1: ("30 June 2027", "day", "2027-06-30", "all_forces", []),
        2: ("February 2028", "month", "2028-02-29", "all_forces", []),
        3: ("Immediately", "immediately", "2026-11-02", "named", ["home-office"]),
    }
    for number, (_, precision, deadline, audience, named) in read.items():
        finding = page.get_by_role("group", name=f"Finding {number}")
        checks = finding.get_by_role("list", name=f"What to check in finding {number}")
        expect(checks).to_contain_text("Guessed from the text: check")
        expect(finding.get_by_label("Kind of finding")).to_have_value("recommendation")
        expect(finding.get_by_label("Reference")).to_have_value(str(number))
        expect(finding.get_by_label("Kind of deadline")).to_have_value(precision)
        expect(finding.get_by_label("Deadline", exact=True)).to_have_value(deadline)
        expect(finding.get_by_label("Who must answer it")).to_have_value(audience)
        expect(finding.get_by_label("Named organisations")).to_have_values(named)
        expect(finding.get_by_label("Save this finding")).to_be_checked()

    # "Chief constables" was read as every force; the report meant Devon and Cornwall's.
    second = page.get_by_role("group", name="Finding 2")
    second.get_by_label("Addressees, as the report words them").fill("Devon and Cornwall Police")
    second.get_by_label("Who must answer it").select_option(label="Named bodies")
    second.get_by_label("Named organisations").select_option(label=["Devon and Cornwall Police"])
    page.get_by_role("button", name="Save the chosen findings").click()
    expect(page.get_by_text("3 findings saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(PASTED_TITLE)
    slug = re.search(r"/inspections/([^/]+)/", page.url).group(1)

    page.goto(f"{live_server.url}/inspections/{slug}/publish/")
    expect(page.locator("#publish-summary")).to_contain_text("45 tracked items")
    page.get_by_role("button", name="Publish and create 45 tracked items").click()
    expect(page.get_by_text("Published to the trackers: 45 tracked items created.")).to_be_visible()
    recorded = page.locator("dt", has_text="Findings recorded").locator("+ dd")
    expect(recorded).to_contain_text("3 of 3 recommendations recorded")

    # A couple of forces' editors through the page ...
    page.get_by_role("button", name="Sign out").click()
    log_in(page, dc_editor)
    page.goto(f"{live_server.url}/work/")
    expect(_my_work_link(page, PASTED_DAY)).to_be_visible()
    expect(_my_work_link(page, PASTED_MONTH)).to_be_visible()
    expect(_my_work_link(page, PASTED_AT_ONCE)).to_have_count(0)  # the Home Office's
    page.get_by_role("button", name="Sign out").click()
    log_in(page, cambs_editor)
    page.goto(f"{live_server.url}/work/")
    expect(_my_work_link(page, PASTED_DAY)).to_be_visible()
    expect(_my_work_link(page, PASTED_MONTH)).to_have_count(0)

    # ... and every one of the 43 through My work's selector.
    today = timezone.localdate()
    forces = Organisation.objects.filter(kind=Organisation.Kind.FORCE)
    assert forces.count() == 43
    for force in forces:
        editor = django_user_model.objects.create_user(username=f"editor-{force.slug}")
        organisation_services.membership_grant(
            user=editor, organisation=force, role=Membership.Role.EDITOR, by=SYSTEM
        )
        texts = set(
            my_work_items(user=editor, today=today)
            .filter(finding__inspection__title=PASTED_TITLE)
            .values_list("finding__text", flat=True)
        )
        expected = {PASTED_DAY} | ({PASTED_MONTH} if force.slug == "devon-and-cornwall" else set())
        assert texts == expected, force.slug
    items = TrackedItem.objects.filter(finding__inspection__slug=slug)
    assert set(
        items.filter(finding__text=PASTED_MONTH).values_list("organisation__slug", flat=True)
    ) == {"devon-and-cornwall"}  # corrected before publication: never tracked for every force
    assert set(
        items.filter(finding__text=PASTED_AT_ONCE).values_list("organisation__slug", flat=True)
    ) == {"home-office"}

    # A board member sees it on the dashboard.
    page.get_by_role("button", name="Sign out").click()
    log_in(page, board_member)
    page.goto(f"{live_server.url}/dashboards/")
    expect(page.get_by_role("rowheader", name=PASTED_TITLE)).to_be_visible()

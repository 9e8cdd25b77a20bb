"""In a real browser: a long export becomes a job whose page follows it (htmx every two
seconds, a live region saying when it is ready), and a large board paper's PDF page does the
same; axe-core checks both pages while waiting and when ready. The jobs are run by the test
itself, as a worker would run them (test_export_worker.py has a real worker)."""

import csv
import datetime
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dashboards import tasks
from dashboards.models import BoardPaperPdf, ExportJob
from rocu_tracker.tests.test_accessibility import AXE, TAGS

from .helpers import make_items

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser_page(browser, live_server, log_in, board_member):
    """A signed-in board member's page that may load axe-core (the site's CSP forbids it)."""
    context = browser.new_context(bypass_csp=True, base_url=live_server.url)
    page = context.new_page()
    log_in(page, board_member)
    yield page
    context.close()


def _axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => v.id + ': ' + v.help)",
        TAGS,
    )
    return found


def test_a_long_export_becomes_a_job_whose_page_offers_the_file_when_ready(
    browser_page, live_server, organisations, settings
):
    settings.EXPORT_INLINE_ROW_LIMIT = 5
    devon = organisations["devon-and-cornwall"]
    make_items(20, organisation=devon, today=timezone.localdate())
    page = browser_page
    page.goto(f"/dashboards/items/?organisation={devon.pk}")
    page.get_by_role("link", name="Download CSV").click()

    expect(page.get_by_role("heading", name="CSV export of the tracked items")).to_be_visible()
    expect(page.get_by_role("heading", name="Waiting to start")).to_be_visible()
    assert _axe_violations(page) == []
    job = ExportJob.objects.get()
    tasks.run_export_job(str(job.pk))

    link = page.get_by_role("link", name="Download the CSV file")
    expect(link).to_be_visible(timeout=10_000)  # the next poll, two seconds at most
    expect(page.locator("#export-job-announcer")).to_have_text("The export is ready to download.")
    assert _axe_violations(page) == []
    with page.expect_download() as download_info:
        link.click()
    with open(download_info.value.path(), encoding="utf-8") as exported:
        rows = list(csv.reader(io.StringIO(exported.read())))
    job.refresh_from_db()
    assert len(rows) == job.rows_written + 1 > 20


def test_a_large_board_papers_pdf_page_offers_it_when_ready(
    browser_page, live_server, organisations, settings
):
    settings.BOARD_PAPER_PDF_INLINE_ROW_LIMIT = 1
    devon = organisations["devon-and-cornwall"]
    today = timezone.localdate()
    make_items(30, organisation=devon, today=today)
    page = browser_page
    page.goto(
        f"/dashboards/board-paper/?organisation={devon.pk}&meeting_on={today}"
        f"&next_meeting_on={today + datetime.timedelta(days=90)}"
    )
    page.get_by_role("link", name="Download as PDF").click()

    expect(page.get_by_text("its PDF is being prepared")).to_be_visible()
    assert _axe_violations(page) == []
    tasks.render_board_paper_pdf(str(BoardPaperPdf.objects.get().pk))

    link = page.get_by_role("link", name="Download the PDF")
    expect(link).to_be_visible(timeout=10_000)
    expect(page.locator("#board-paper-pdf-announcer")).to_have_text("The PDF is ready to download.")
    assert _axe_violations(page) == []
    with page.expect_download() as download_info:
        link.click()
    assert download_info.value.suggested_filename.startswith("board-paper-devon-and-cornwall")

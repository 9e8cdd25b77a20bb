import io

import pytest
from pypdf import PdfReader

from rocu_tracker.pdf import PDF_BASE_URL, StaticFilesOnlyFetcher, render_pdf


@pytest.fixture
def page_template(tmp_path, settings):
    """A template whose page links our stylesheet and tries to reach elsewhere."""
    (tmp_path / "page.html").write_text(
        "{% load static %}<html><head>"
        "<link rel='stylesheet' href=\"{% static 'css/rocu.css' %}\">"
        "<link rel='stylesheet' href='https://example.org/evil.css'>"
        "</head><body><h1>Recommendation 1</h1><img src='file:///etc/passwd'>"
        "<p>{{ text }}</p></body></html>"
    )
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]
    return "page.html"


def test_it_renders_a_pdf_whose_text_can_be_read(page_template):
    pdf = render_pdf(template_name=page_template, context={"text": "Action proposed"})
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Recommendation 1" in text
    assert "Action proposed" in text


def test_it_reads_our_static_files():
    response = StaticFilesOnlyFetcher().fetch(f"{PDF_BASE_URL}static/css/rocu.css")
    assert b"focus-visible" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/evil.css",
        "file:///etc/passwd",
        f"{PDF_BASE_URL}static/../rocu_tracker/settings.py",
        f"{PDF_BASE_URL}static/%2e%2e/rocu_tracker/settings.py",
        f"{PDF_BASE_URL}admin/",
        f"{PDF_BASE_URL}static/no-such-file.css",
    ],
)
def test_it_refuses_everything_else(url):
    with pytest.raises(ValueError):
        StaticFilesOnlyFetcher().fetch(url)

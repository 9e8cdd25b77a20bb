"""PDF output with WeasyPrint, reading only our own static files.

A page rendered to PDF may carry text users typed; the fetcher makes sure nothing in it can
make the server fetch another host's URL or read a file outside the static files.
"""

import mimetypes
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in the page resolve against this; it names no real host.
PDF_BASE_URL = "https://rocu-tracker.invalid/"


class StaticFilesOnlyFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        static_prefix = urljoin(PDF_BASE_URL, settings.STATIC_URL)
        if not url.startswith(static_prefix):
            raise ValueError(f"Only our static files may be read into a PDF, not {url}")
        name = unquote(urlsplit(url[len(static_prefix) :]).path)
        content = _read_static(name)
        if content is None:
            raise ValueError(f"No static file {name}")
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, content, {"Content-Type": content_type})


def _read_static(name: str) -> bytes | None:
    """The file from collected static files (production) or the finders (development)."""
    if ".." in name.split("/"):
        return None
    if staticfiles_storage.exists(name):
        with staticfiles_storage.open(name) as static_file:
            return static_file.read()
    path = finders.find(name)
    if path is None:
        return None
    with open(path, "rb") as static_file:
        return static_file.read()


def render_pdf(*, template_name: str, context: dict, request=None) -> bytes:
    html = render_to_string(template_name, context, request=request)
    return HTML(
        string=html, base_url=PDF_BASE_URL, url_fetcher=StaticFilesOnlyFetcher()
    ).write_pdf()

"""Read a form back from a rendered page, as a browser would submit it."""

import re

VERSION = re.compile(r'name="version" value="(\d+)"')


def version_in_form(page: str, action: str | None = None) -> int:
    """The hidden version of the form posting to `action` on `page`, or of the page's only
    versioned form."""
    if action is None:
        (version,) = VERSION.findall(page)
        return int(version)
    start = page.index(f'action="{action}"')
    return int(VERSION.search(page[start : page.index("</form>", start)]).group(1))

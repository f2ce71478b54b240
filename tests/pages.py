"""Reading the site's pages as a visitor's browser does."""

import html
import re


def page_link(response, rel: str) -> str | None:
    """The href of the page's `<a rel="next">` (or "prev") pagination link, if it has one."""
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', response.content.decode())
    return html.unescape(found.group(1)) if found else None

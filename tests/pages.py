"""Reading the site's pages as a visitor's browser does."""

import html
import re

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext


def page_link(response, rel: str) -> str | None:
    """The href of the page's `<a rel="next">` (or "prev") pagination link, if it has one."""
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', response.content.decode())
    return html.unescape(found.group(1)) if found else None


def queries_for(client, url: str, params: dict | None = None) -> int:
    """How many queries a view of `url` costs in a process that has served it before (its
    own caches, such as content types, filled) with the shared cache empty, so two counts
    compare like with like: a list's total or a drawn filter form is not taken from the
    view before."""
    assert client.get(url, params or {}).status_code == 200
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)

"""Running a search: the configured backend first, the database's own index when
Elasticsearch does not answer.

With Elasticsearch configured, settings keep a second backend named "database" (Wagtail's
database backend) that every index update also reaches (core/search/queue.py). A search that
finds Elasticsearch down is answered from it, and says so (`degraded`), so the page can tell
its reader that results may be less complete; /readyz reports the same (core/health.py).
"""

import logging
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from modelsearch.query import SearchQuery
from wagtail.search.backends import get_search_backend

logger = logging.getLogger(__name__)

FALLBACK_BACKEND = "database"


def fallback_configured() -> bool:
    return FALLBACK_BACKEND in settings.WAGTAILSEARCH_BACKENDS


def backend_unavailable_errors() -> tuple[type[Exception], ...]:
    """What a search backend that cannot be reached raises: Elasticsearch's transport errors
    (refused, timed out) and its answers of failure (a cluster without the index, or red)."""
    from elastic_transport import TransportError
    from elasticsearch import ApiError

    return (TransportError, ApiError)


class SearchResults:
    """Wagtail's search results, which run on first use, with the fallback: when the default
    backend turns out to be unreachable, the same search is run on the database backend.
    Paginates like a queryset (count and slices)."""

    def __init__(self, run: Callable[[Any], Any]):
        self._run = run
        self._results = run(get_search_backend())
        self.degraded = False

    def _guarded(self, action: Callable):
        try:
            return action(self._results)
        except backend_unavailable_errors() as error:
            if self.degraded or not fallback_configured():
                raise
            logger.warning(
                "Search backend unavailable, answering from the database: %s: %s",
                type(error).__name__,
                error,
            )
            self.degraded = True
            self._results = self._run(get_search_backend(FALLBACK_BACKEND))
            return action(self._results)

    def count(self) -> int:
        return self._guarded(lambda results: results.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if isinstance(key, slice):
            return self._guarded(lambda results: list(results[key]))
        return self._guarded(lambda results: results[key])

    def __iter__(self) -> Iterator:
        return iter(self._guarded(list))

    def facet(self, field_name: str) -> dict:
        """How many results have each value of `field_name` (an index FilterField)."""
        return dict(self._guarded(lambda results: results.facet(field_name)))


def search(
    queryset: QuerySet, query: SearchQuery, *, order_by_relevance: bool = True
) -> SearchResults:
    """`queryset` searched for `query` (see core.search.parse_query)."""
    return SearchResults(
        lambda backend: backend.search(query, queryset, order_by_relevance=order_by_relevance)
    )

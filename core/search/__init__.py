"""Search, the same on every backend: Chinese-aware tokens (tokens), the query with the
synonyms regulators keep (query), running it with the database as fallback (running), and
index updates through Celery (queue)."""

from core.search.query import (
    MIN_QUERY_LENGTH,
    ParsedQuery,
    highlight,
    parse_query,
    synonym_groups,
)
from core.search.queue import QueuedIndexed, index_object_update, index_queue
from core.search.running import SearchResults, fallback_configured, search
from core.search.tokens import index_tokens, query_tokens, query_words

__all__ = [
    "MIN_QUERY_LENGTH",
    "ParsedQuery",
    "QueuedIndexed",
    "SearchResults",
    "fallback_configured",
    "highlight",
    "index_object_update",
    "index_queue",
    "index_tokens",
    "parse_query",
    "query_tokens",
    "query_words",
    "search",
    "synonym_groups",
]

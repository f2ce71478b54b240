"""A user's query as a search query object, with the synonyms regulators keep.

Synonyms are applied to the query, not to the index, so an edit in the back office takes
effect with the next search and nothing has to be re-indexed. Every word of the query, and
every known abbreviation or full form inside a run of Han characters, must be found; a known
one is found through any of its counterparts: 环评报告 asks for (环评 or 环境影响评价) and 报告.
The query objects (PlainText, And, Or) are understood by every backend — SQLite FTS5,
PostgreSQL and Elasticsearch.
"""

import re
from collections import defaultdict
from dataclasses import dataclass

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from modelsearch.query import And, Or, PlainText, SearchQuery

from core.models import SearchSynonym
from core.search.tokens import query_tokens, query_words

# Shorter queries match too much to be useful (a single character is in thousands of names).
MIN_QUERY_LENGTH = 2


@dataclass(frozen=True)
class ParsedQuery:
    """What was asked: each part is a tuple of alternatives, any one of which must be found."""

    parts: tuple[tuple[str, ...], ...]

    @property
    def is_empty(self) -> bool:
        return not self.parts

    @property
    def is_too_short(self) -> bool:
        return sum(len(part[0]) for part in self.parts) < MIN_QUERY_LENGTH

    @property
    def variants(self) -> list[str]:
        """Every spelling that counts as a match, longest first (for highlighting)."""
        found = {variant for part in self.parts for variant in part}
        return sorted(found, key=lambda variant: (-len(variant), variant))

    def search_query(self, *, words_too: bool = False) -> SearchQuery:
        """The query object for a search backend. `words_too` also asks for the words as
        written, for indexed models without Chinese search tokens (Wagtail's pages): those
        match on a whole word in the database backends and on its characters in
        Elasticsearch."""

        def one(variant: str) -> SearchQuery:
            tokens = PlainText(query_tokens(variant), operator="and")
            return Or([tokens, PlainText(variant, operator="and")]) if words_too else tokens

        subqueries = [
            one(part[0]) if len(part) == 1 else Or([one(variant) for variant in part])
            for part in self.parts
        ]
        return subqueries[0] if len(subqueries) == 1 else And(subqueries)


def synonym_groups() -> dict[str, frozenset[str]]:
    """Each abbreviation and full form regulators listed, with every spelling it stands for:
    the abbreviation and all of its full forms (能评 → 能评, 节能评估, 节能审查). One query."""
    full_forms: dict[str, set[str]] = defaultdict(set)
    for term, full_form in SearchSynonym.objects.values_list("term", "full_form"):
        full_forms[term.lower()].add(full_form.lower())
    groups: dict[str, set[str]] = defaultdict(set)
    for term, forms in full_forms.items():
        group = {term, *forms}
        for spelling in group:
            groups[spelling] |= group
    return {spelling: frozenset(group) for spelling, group in groups.items()}


def _split(word: str, groups: dict[str, frozenset[str]]) -> list[tuple[str, ...]]:
    """`word` cut into the known spellings inside it (the longest at each place) and what
    lies between them."""
    known = sorted(groups, key=len, reverse=True)
    parts: list[tuple[str, ...]] = []
    plain_from = position = 0
    while position < len(word):
        spelling = next((s for s in known if word.startswith(s, position)), None)
        if spelling is None:
            position += 1
            continue
        if plain_from < position:
            parts.append((word[plain_from:position],))
        # The spelling typed first, so highlighting and "too short" see what was asked.
        parts.append((spelling, *sorted(groups[spelling] - {spelling})))
        position = plain_from = position + len(spelling)
    if plain_from < len(word):
        parts.append((word[plain_from:],))
    return parts


def parse_query(text: str, groups: dict[str, frozenset[str]] | None = None) -> ParsedQuery:
    """`text` as a ParsedQuery; reads the synonyms (one query) unless `groups` are given."""
    words = query_words(text)
    if not words:
        return ParsedQuery(parts=())
    if groups is None:
        groups = synonym_groups()
    return ParsedQuery(parts=tuple(part for word in words for part in _split(word, groups)))


def highlight(text: str, query: ParsedQuery) -> SafeString:
    """`text`, HTML-escaped, with every spelling of the query in it wrapped in <mark>."""
    text = str(text or "")
    if query.is_empty:
        return conditional_escape(text)
    pattern = re.compile("|".join(re.escape(variant) for variant in query.variants), re.I)
    pieces: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        pieces.append(conditional_escape(text[last : match.start()]))
        pieces.append(f"<mark>{conditional_escape(match.group())}</mark>")
        last = match.end()
    pieces.append(conditional_escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308  (every piece is escaped above)

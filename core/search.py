"""Chinese text for search.

Chinese is written without spaces, so the database search backends (SQLite FTS5, PostgreSQL
full text) index a whole run of Han characters as one token and 评价 would never find
环境影响评价. Indexed models therefore also index their text as overlapping two-character
chunks (环境 境影 影响 响评 评价), and queries are cut the same way. Elasticsearch's `cjk`
analyzer makes the same bigrams on its own, so the one search path gives the same answers on
every backend.
"""

import re

_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[0-9A-Za-z]+")


def _han_bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def bigrams(text: str) -> str:
    """Han runs become overlapping bigrams; Latin words and numbers stay whole."""
    tokens: list[str] = []
    for word in _WORD.findall(text or ""):
        tokens.extend(_han_bigrams(word) if _HAN_RUN.fullmatch(word) else [word.lower()])
    return " ".join(tokens)


def search_query(text: str) -> str:
    """The query to hand to `.search(..., operator="and")` for what a user typed."""
    return bigrams(text.strip())

"""Chinese text for search, the same on every search backend.

Chinese is written without spaces. The database backends (SQLite FTS5, PostgreSQL full text)
index a whole run of Han characters as one token, so 评价 would never find 环境影响评价; the
standard analyzer of Elasticsearch's minimal distribution (which has no `cjk` analyzer) cuts
every character apart, so 价评 would find it too. Indexed models therefore also index their
text as search tokens made here: each Han character and each overlapping pair of characters
(环境 境影 影响 …), spelled as plain ASCII words (`h73af5883` for 环境) that every tokenizer
keeps whole. A query is cut the same way — pairs for runs of two or more characters — and
searched with operator "and", so every pair must be present.
"""

import re

_HAN = r"\u3400-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_HAN}]+|[0-9A-Za-z]+")
_HAN_RUN = re.compile(rf"[{_HAN}]+")


def _spell(chars: str) -> str:
    return "h" + "".join(f"{ord(char):x}" for char in chars)


def _pairs(run: str) -> list[str]:
    return [_spell(run[i : i + 2]) for i in range(len(run) - 1)]


def index_tokens(text: str) -> str:
    """What an indexed model stores for its Chinese-aware search field."""
    tokens: list[str] = []
    for word in _WORD.findall(text or ""):
        if _HAN_RUN.fullmatch(word):
            tokens.extend(_spell(char) for char in word)
            tokens.extend(_pairs(word))
        else:
            tokens.append(word.lower())
    return " ".join(tokens)


def query_tokens(text: str) -> str:
    """What to search for when a user types `text` (use with operator="and")."""
    tokens: list[str] = []
    for word in _WORD.findall(text or ""):
        if _HAN_RUN.fullmatch(word):
            tokens.extend(_pairs(word) if len(word) > 1 else [_spell(word)])
        else:
            tokens.append(word.lower())
    return " ".join(tokens)


def query_words(text: str) -> list[str]:
    """The words of a query as search sees them: runs of Han characters, and runs of letters
    and digits in lower case. Everything else (spaces, punctuation, symbols) only separates."""
    return [
        word if _HAN_RUN.fullmatch(word) else word.lower() for word in _WORD.findall(text or "")
    ]

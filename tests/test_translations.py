"""Chinese comes first: every string the project marks for translation has a Chinese text."""

from pathlib import Path

PO_FILE = Path(__file__).resolve().parent.parent / "locale/zh_Hans/LC_MESSAGES/django.po"


def _messages() -> list[list[str]]:
    """The catalogue's entries as lists of lines, without the header entry."""
    blocks = PO_FILE.read_text(encoding="utf-8").split("\n\n")
    return [
        block.splitlines() for block in blocks if "msgid" in block and "Project-Id" not in block
    ]


def _translations(lines: list[str]) -> list[str]:
    """The msgstr texts of one entry (one, or one per plural form), continuation lines joined."""
    texts: list[str] = []
    for line in lines:
        if line.startswith("msgstr"):
            texts.append(line.split(" ", 1)[1].strip('"'))
        elif line.startswith('"') and texts:
            texts[-1] += line.strip('"')
    return texts


def test_every_string_has_a_chinese_translation():
    messages = _messages()
    untranslated = [lines for lines in messages if not all(_translations(lines) or [""])]
    assert untranslated == []
    assert len(messages) > 150


def test_no_translation_is_marked_fuzzy():
    # gettext leaves fuzzy entries out of the compiled catalogue, so they would show English.
    assert "#, fuzzy" not in PO_FILE.read_text(encoding="utf-8")

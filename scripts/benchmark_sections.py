"""docs/benchmarks.md is written by several scripts. The list pages' figures (scripts/
benchmark.py, one section per database) come first; then one section per script, each starting
at its marker, in the order below. A script replaces its own section and keeps the others as
they are."""

from pathlib import Path

PATH = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
SECTION_MARKERS = (
    "<!-- lists-postgresql -->",
    "<!-- lists-sqlite -->",
    "<!-- burst -->",
    "<!-- search -->",
    "<!-- credit -->",
    "<!-- contracts -->",
)


def section_write(marker: str, section: str) -> None:
    """Put `section` (which starts with `marker`) where an earlier run's was, or else before
    the first section that follows it in SECTION_MARKERS, or at the end."""
    text = PATH.read_text(encoding="utf-8") if PATH.exists() else "# Benchmarks\n"
    later = SECTION_MARKERS[SECTION_MARKERS.index(marker) + 1 :]
    before, after = text, ""
    if marker in text:
        before, rest = text.split(marker, 1)
        following = [rest.index(other) for other in later if other in rest]
        after = rest[min(following) :] if following else ""
    else:
        following = [text.index(other) for other in later if other in text]
        if following:
            before, after = text[: min(following)], text[min(following) :]
    PATH.write_text(
        f"{before.rstrip()}\n\n{section}\n{after}".rstrip("\n") + "\n", encoding="utf-8"
    )
    print(section)

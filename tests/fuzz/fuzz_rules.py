"""Coverage-guided fuzz targets with atheris: one per parser rule, each with its own oracle.

    .venv/bin/python tests/fuzz/fuzz_rules.py TARGET [libFuzzer options]
    .venv/bin/python tests/fuzz/fuzz_rules.py wikilink -max_total_time=600
    .venv/bin/python tests/fuzz/fuzz_rules.py --list

`tests/test_fuzz.py` runs every target for a few seconds in `make test`. Each target builds its
input from the rule's own syntax (the fuzzer's bytes choose which pieces follow which), so the
mutations reach the rule's corners instead of spending the run on plain text; `page` feeds raw
Unicode to the whole parser. Any exception, a broken oracle, or an input slower than the budget is
a crash that atheris reports, with the input saved for replay.
"""
from __future__ import annotations

import sys
import time

import atheris

with atheris.instrument_imports():
    from compiler.claims import extract_claims
    from compiler.dates import find_dates
    from compiler.frontmatter import split_frontmatter
    from compiler.markdown import split_wikilink
    from compiler.names import heading_key
    from compiler.parse import _inline_tags, parse_page

BUDGET_SECONDS = 2.0  # far above the ~1 ms a normal page takes; a quadratic rule blows through it
TARGETS = {}


def target(pieces: tuple[str, ...] = ()):
    """Register the function as a fuzz target; given `pieces`, its input is text made of them."""
    def register(check):
        TARGETS[check.__name__] = (check, pieces)
        return check
    return register


def _text(provider: atheris.FuzzedDataProvider, pieces: tuple[str, ...]) -> str:
    if not pieces:
        return provider.ConsumeUnicodeNoSurrogates(provider.remaining_bytes())
    out = []
    while provider.remaining_bytes():
        if provider.ConsumeIntInRange(0, 7) == 0:  # now and then, anything at all
            out.append(provider.ConsumeUnicodeNoSurrogates(provider.ConsumeIntInRange(0, 4)))
        else:
            out.append(pieces[provider.ConsumeIntInRange(0, len(pieces) - 1)])
    return "".join(out)


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _links_stand_where_written(text: str, page) -> None:
    """Every link's line and column point at the link as written in the file."""
    lines = _lines(text)
    for link in page.links:
        assert 1 <= link.line <= len(lines), (link, len(lines))
        at = lines[link.line - 1][link.column - 1:]
        if link.origin == "markdown":
            assert at.startswith(("[", "!", "<")), (link, at[:40])
        else:
            assert at.startswith(("[[", "![[")), (link, at[:40])
            assert "\n" not in link.raw and "[[" not in link.raw, link


_LINK = ("[[", "]]", "![[", "[", "]", "|", "\\|", "#", "#^", "^", "a", "Page", " ", "\n", "`", "\\", "(", ")",
         ".md", "/", "%%", "<!--", "-->")


@target(_LINK)
def wikilink(text: str) -> None:
    page = parse_page("fuzz.md", text)
    _links_stand_where_written(text, page)
    for link in page.links:
        if link.origin == "body":
            split = split_wikilink(link.raw)
            assert "#" not in split["target"] and "|" not in split["target"], (link.raw, split)
            assert link.target == split["target"], (link, split)


@target(("|", "\\|", "[[", "]]", "a", " ", "-", ":", "---", "\n", "| --- |", "|a|b|\n", "`", "\\"))
def table(text: str) -> None:
    text = "| A | B |\n| --- | --- |\n" + text
    page = parse_page("fuzz.md", text)
    _links_stand_where_written(text, page)
    for block in page.blocks:
        assert block.kind != "table_row" or 3 <= block.line <= page.line_count, block


@target(("%%", "\n", "[[a]]", "`", "```", " ", "x", "- ", "> ", "%", "<!-- vaultc: ignore -->", "-->"))
def comment(text: str) -> None:
    page = parse_page("fuzz.md", text)
    _links_stand_where_written(text, page)
    for start, end in page.comments:
        assert 1 <= start <= end <= page.line_count + 1, (start, end, page.line_count)
        assert not any(start <= link.line < end for link in page.links), (start, end)


@target(("---", "\n", ":", ": ", " ", "- ", "a", "tags", "aliases", "type", "[[x]]", '"', "'", "{{date}}", "&a",
         "*a", "!!python/object:os.system", "[", "]", "{", "}", "#", "2026-01-02", "\t", "..."))
def frontmatter(text: str) -> None:
    front = split_frontmatter(text)
    assert front.body_offset >= 0
    page = parse_page("fuzz.md", text)
    _links_stand_where_written(text, page)
    assert all(isinstance(key, str) for key in page.meta), page.meta
    for key, line in page.key_lines.items():
        assert 1 <= line <= page.body_line, (key, line, page.body_line)
    for link in page.links:
        assert link.origin != "frontmatter" or link.line <= page.body_line, (link, page.body_line)


@target(("k", "key", "::", ":", " ", "\t", "[", "]", "(", ")", "[[X]]", "\n", "- ", "as_of", "2026", "`"))
def fields(text: str) -> None:
    page = parse_page("fuzz.md", text)
    _links_stand_where_written(text, page)
    lines = _lines(text)
    for found in page.fields:
        assert 1 <= found.line <= len(lines), found
        assert found.key and found.key == found.key.strip(), found
        assert found.key in lines[found.line - 1], (found, lines[found.line - 1])


@target(("#", "a", "/", "-", "_", " ", "\n", "`", "1", "é", "#!", "##", "[[x#y]]", "\\#"))
def tags(text: str) -> None:
    for tag in _inline_tags(text):
        assert "#" + tag in text and tag and not tag.isdigit(), tag
    page = parse_page("fuzz.md", text)
    for tag in page.tags:
        assert tag and " " not in tag, tag


@target(("^", "a", "1", "-", " ", "\t", "\n", "> ", "- ", "|", "[[x#^a]]", "`"))
def block_ids(text: str) -> None:
    page = parse_page("fuzz.md", text)
    _links_stand_where_written(text, page)
    for block_id in page.block_ids:
        assert block_id and "^" + block_id in text, block_id


@target(("#", "# ", "## ", "###### ", "a", "?", "&", "`", "\n", "=", "===", "---", " ", "\t", "é", "A", "[[x]]"))
def headings(text: str) -> None:
    page = parse_page("fuzz.md", text)
    for heading in page.headings:
        assert 1 <= heading.level <= 6 and 1 <= heading.line <= page.line_count, heading
        key = heading_key(heading.text)
        assert heading_key(key) == key and key == key.strip(), (heading.text, key)


_DATES = ("as of ", "by ", "through ", "in ", "since ", "until ", "March ", "Mar ", "2026", "26", "Q1 ", "H2 ",
          "FY", "FY2027", "CY", "1H", "-", "–", " to ", ", ", " ", ".", "\n", "2026-05-12", "05/12/2026", "early ",
          "late ", "mid-", "the 2020s", "between ", " and ", "sold out ", "expected ", "[[", "]]")


@target(_DATES)
def dates(text: str) -> None:
    for fye in (3, 12):
        for expr in find_dates(text, fye):
            assert 0 <= expr.start < expr.end <= len(text), expr
            assert expr.first <= expr.last, expr
            assert expr.text and expr.text in text[expr.start:expr.end], expr


@target((*_DATES, "- ", "* ", "| a | b |\n|---|---|\n", "\n\n", "as_of:: 2026-01-01 ", "> ", "# "))
def claims(text: str) -> None:
    page = parse_page("fuzz.md", text)
    for claim in extract_claims(page.blocks, page.fiscal_year_end):
        assert 1 <= claim.line <= page.line_count and claim.start <= claim.end, claim
        assert claim.kind in ("snapshot", "forecast", "event"), claim
        assert len(claim.text) <= 300, claim


@target()
def page(text: str) -> None:
    """Raw Unicode through the whole parser and the date grammar."""
    found = parse_page("fuzz.md", text)
    find_dates(text, 12)
    _links_stand_where_written(text, found)


def run(name: str):
    check, pieces = TARGETS[name]

    def one(data: bytes) -> None:
        text = _text(atheris.FuzzedDataProvider(data), pieces)
        started = time.perf_counter()
        check(text)
        elapsed = time.perf_counter() - started
        if elapsed > BUDGET_SECONDS:
            raise RuntimeError(f"{name}: one {len(text)}-character input took {elapsed:.1f} s")
    return one


def main() -> None:
    if sys.argv[1:] == ["--list"]:
        print("\n".join(TARGETS))
        return
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} TARGET [libFuzzer options]; targets: {', '.join(TARGETS)}")
    name = sys.argv.pop(1)
    atheris.Setup(sys.argv, run(name))
    atheris.Fuzz()


if __name__ == "__main__":
    main()

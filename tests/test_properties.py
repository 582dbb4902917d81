"""Property-based tests: arbitrary text never breaks the parser, resolver or claim grammar, and what
they report always points inside the file."""
from __future__ import annotations

import datetime as dt
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.claims import extract_claims
from compiler.dates import find_dates
from compiler.model import Link
from compiler.parse import parse_page
from compiler.resolve import Index

# Text rich in the characters that matter to Markdown, wikilinks, frontmatter and dates.
_ALPHABET = st.sampled_from(list("[]|#^!%$`\\-:*_>\n\t ()<>/.,\"'") + list("abcQH12") + ["20", "2026", "FY", "Q3 ",
                            "[[", "]]", "---\n", "```\n", "%%", "::", "Mar ", "as of ", "é", "\u0301", "\r\n"])
markdownish = st.lists(_ALPHABET, max_size=120).map("".join)
anything = st.one_of(markdownish, st.text(max_size=200))
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(anything)
def test_parse_never_raises_and_positions_lie_inside_the_file(text):
    page = parse_page("p.md", text)
    lines = text.replace("\r\n", "\n").split("\n")
    for link in page.links:
        assert 1 <= link.line <= len(lines)
        assert 1 <= link.column <= len(lines[link.line - 1]) + 1
    for heading in page.headings:
        assert 1 <= heading.line <= len(lines)
    for claim in page.claims:
        assert 1 <= claim.line <= len(lines) and claim.start <= claim.end


@SETTINGS
@given(anything)
def test_links_found_are_links_the_text_could_contain(text):
    page = parse_page("p.md", text)
    for link in page.links:
        if link.origin in ("body", "field", "frontmatter"):
            assert "[[" + link.raw.replace("|", "") in text.replace("\\|", "").replace("|", "") or \
                link.raw in text.replace("\\|", "|")
        else:
            assert "](" in text


@SETTINGS
@given(st.text(max_size=300), st.integers(1, 12))
def test_date_grammar_never_raises_and_intervals_are_ordered(text, fye):
    previous_end = -1
    for expr in find_dates(text, fye):
        assert expr.first <= expr.last
        assert 0 <= expr.start < expr.end <= len(text) and expr.start >= previous_end
        previous_end = expr.end


@SETTINGS
@given(st.lists(st.sampled_from(["a/N.md", "b/N.md", "c/d/N.md", "N.md", "x/M.md", "x/y/M.md", "Q.md"]),
                min_size=1, unique=True),
       st.sampled_from(["N", "M", "d/N", "y/M", "n", "Q", "nope"]), st.randoms())
def test_resolution_does_not_depend_on_file_order(paths, target, rnd):
    pages = {p: parse_page(p, "") for p in paths + ["src/page.md"]}
    shuffled = list(pages.items())
    rnd.shuffle(shuffled)
    first = Index(pages, []).resolve(pages["src/page.md"], Link(raw=target, target=target))
    second = Index(dict(shuffled), []).resolve(pages["src/page.md"], Link(raw=target, target=target))
    assert (first.target, first.candidates) == (second.target, second.candidates)


def test_claims_of_random_prose_are_well_formed():
    rng = random.Random(3)
    words = "as of by through in revenue was expected Q1 Q3 FY2026 2026 2025E Mar 2026 H2 $2026M GPT-4 2308".split()
    from compiler.model import TextBlock

    for _ in range(500):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 20))) + "."
        for claim in extract_claims([TextBlock(1, "paragraph", text)], rng.randint(1, 12)):
            assert claim.kind in ("snapshot", "forecast", "event") and claim.start <= claim.end
            assert dt.date(1800, 1, 1) <= claim.start

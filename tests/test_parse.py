"""parse: one page's text -> Page, through the markdown-it token stream."""
from __future__ import annotations

from pathlib import Path

import hypothesis
import pytest
import hypothesis.strategies

from compiler import markdown
from compiler.parse import parse_page, parse_pages


def links(text: str):
    return [(l.target, l.line, l.column) for l in parse_page("p.md", text).links]


def test_link_records_every_part():
    page = parse_page("p.md", "---\ntype: note\n---\nSee ![[NVDA#Thesis#Moat|the moat]] here.\n")
    (link,) = page.links
    assert (link.target, link.headings, link.display, link.embed) == ("NVDA", ("Thesis", "Moat"), "the moat", True)
    assert (link.line, link.column) == (4, 5)  # frontmatter lines are counted
    assert link.raw == "NVDA#Thesis#Moat|the moat"


def test_block_and_same_page_links():
    page = parse_page("p.md", "[[T#^fig-1]] and [[#Intro]]\n")
    first, second = page.links
    assert first.block == "fig-1" and first.headings == ()
    assert second.target == "" and second.headings == ("Intro",)


def test_columns_inside_lists_quotes_and_tables():
    text = "- item [[A]]\n  - nested [[B]]\n> quoted [[C]]\n\n| x | y |\n|---|---|\n| [[D\\|d]] | [[E]] |\n"
    assert links(text) == [("A", 1, 8), ("B", 2, 12), ("C", 3, 10), ("D", 7, 3), ("E", 7, 14)]


def test_code_comments_math_and_escapes_hide_links():
    text = "`[[a]]` \\[\\[b]] <!-- [[c]] --> %%[[d]]%% $[[e]]$\n\n```\n[[f]]\n```\n\n    [[g]]\n\n%%\n[[h]]\n%%\n\n$$\n[[i]]\n$$\n[[real]]\n"
    assert [t for t, _, _ in links(text)] == ["real"]


def test_money_is_not_math():
    page = parse_page("p.md", "Revenue rose from $2B to $3B in [[Q]] terms.\n")
    assert [l.target for l in page.links] == ["Q"]
    assert "$2B to $3B" in page.blocks[0].text


def test_markdown_links_to_local_files_count_and_urls_do_not():
    page = parse_page("p.md", "[a](Some%20Page.md#Two%20Words) [b](https://x.org/a.md) ![c](img/x.png) [d](mailto:a@b)\n")
    assert [(l.target, l.headings, l.embed, l.origin) for l in page.links] == [
        ("Some Page.md", ("Two Words",), False, "markdown"), ("img/x.png", (), True, "markdown")]


def test_frontmatter_links_with_lines_and_keys():
    text = '---\ntype: ticker\nticker: X\nlayers:\n  - "[[L1]]"\n  - "[[L2|two]]"\nsector: "[[Semis]]"\n---\n'
    page = parse_page("x.md", text)
    assert [(l.key, l.target, l.line, l.column, l.origin) for l in page.links] == [
        ("layers", "L1", 5, 6, "frontmatter"), ("layers", "L2", 6, 6, "frontmatter"),
        ("sector", "Semis", 7, 10, "frontmatter")]


def test_headings_block_ids_aliases_tags_and_title():
    text = "---\naliases: [Nvidia]\ntags: [chips]\n---\n# Big Title\n\n## Part *one* `code`\n\nA figure. ^fig1\n\n- item ^item-2\n\nText #ai/infra and #2026 not a tag.\n"
    page = parse_page("x.md", text)
    assert [(h.text, h.level, h.line) for h in page.headings] == [("Big Title", 1, 5), ("Part one code", 2, 7)]
    assert page.block_ids == {"fig1", "item-2"}
    assert page.aliases == ("Nvidia",) and page.title == "Big Title"
    assert page.tags == ("chips", "ai/infra")


_YAML = """\
base: &base {name: Company 0, tags: [ai, "hbm"], n: 3}
copy: *base
same: *base
quoted: 'it''s "fine"'
tagged: !!str 2026-01-01
date: 2026-03-31
stamp: 2026-03-31T10:00:00Z
numbers: [1, 1.5, 0x1F, 1e3, .inf, -.nan]
flags: [yes, no, true, False, ~, null]
as_text: ["yes", "123", '2026-03-31', "null"]
as_values: [yes, 123, 2026-03-31, null]
empty:
block: |
  two
  lines
folded: >-
  one
  line
"[[key link]]": "[[T00001|peer]]"
nested: {a: [{b: c}, [d, e]], f: {g: h}}
"""


def test_frontmatter_values_are_what_safe_yaml_loads():
    """The loader's shortcuts (remembered tags, strings taken as they are) change no value: it
    loads what safe YAML loads, with YAML 1.2's booleans (as Obsidian reads them: `yes` is text)."""
    import math

    import yaml

    from compiler.frontmatter import _yaml_12_booleans, split_frontmatter

    class Safe12(yaml.SafeLoader):
        pass
    _yaml_12_booleans(Safe12)
    from synthetic import generate

    def same(a, b):
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
            return math.isnan(b)
        if isinstance(a, dict):
            return isinstance(b, dict) and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
        if isinstance(a, list):
            return isinstance(b, list) and len(a) == len(b) and all(map(same, a, b))
        return type(a) is type(b) and a == b

    texts = [f"---\n{_YAML}---\nbody\n"] * 2  # twice: the second load answers from the remembered tags
    texts += [p.read_text(encoding="utf-8") for p in sorted(Path("vault").rglob("*.md"))]
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        texts += [p.read_text(encoding="utf-8") for p in sorted(generate(Path(tmp) / "v", 60).root.rglob("*.md"))]
    checked = 0
    for text in texts:
        if not text.startswith("---\n"):
            continue
        raw = text.split("\n---\n", 1)[0][4:]
        front = split_frontmatter(text)
        expected = yaml.load(raw, Loader=Safe12) or {}
        assert same(front.meta, {str(k): v for k, v in expected.items()}), raw
        checked += 1
    assert checked > 100


def test_title_prefers_frontmatter_then_h1_then_name():
    assert parse_page("d/n.md", "---\ntitle: T\n---\n# H\n").title == "T"
    assert parse_page("d/n.md", "# H\n").title == "H"
    assert parse_page("d/n.md", "text\n").title == "n"


def test_inline_fields_make_typed_links():
    text = "supplies:: [[NVDA]], [[AMD]]\n- rating:: buy\nInline [competes_with:: [[AVGO]]] and (note:: plain).\n"
    page = parse_page("x.md", text)
    assert [(f.key, f.value, f.line) for f in page.fields] == [
        ("supplies", "[[NVDA]], [[AMD]]", 1), ("rating", "buy", 2), ("competes_with", "[[AVGO]]", 3), ("note", "plain", 3)]
    assert [(l.target, l.origin, l.key) for l in page.links] == [
        ("NVDA", "field", "supplies"), ("AMD", "field", "supplies"), ("AVGO", "field", "competes_with")]


def test_a_field_with_no_value_is_on_its_key_line():
    """Found by the `fields` fuzz target: the empty value starts at the line's end, which was
    counted as the next line."""
    page = parse_page("x.md", "intro\nempty::\nnext line\n")
    assert [(f.key, f.value, f.line) for f in page.fields] == [("empty", "", 2)]


def test_text_blocks_for_claims():
    text = "---\ntype: note\n---\nFirst line with `code` and [[NVDA|NVIDIA]],\nsecond line.\n\n- a list item\n\n| a | b |\n|---|---|\n| c | d |\n"
    blocks = parse_page("x.md", text).blocks
    assert [(b.line, b.kind, b.text) for b in blocks] == [
        (4, "paragraph", "First line with   and NVIDIA,\nsecond line."), (7, "list_item", "a list item"),
        (9, "table_header", "a | b"), (11, "table_row", "c | d")]


def test_old_line_ends_count_as_markdown_it_counts_them():
    """A lone CR ends a line for markdown-it: a page given to parse_page with CR or CRLF line ends
    has its links on the lines it would have with LF (found by the fuzzer: a link "on line 2" of a
    page of one LF line)."""
    lf = parse_page("x.md", "---\ntype: note\n---\nfirst\nsee [[a]]\n\n[[b]]\n")
    for ends in ("\r", "\r\n"):
        other = parse_page("x.md", "---\ntype: note\n---\nfirst\nsee [[a]]\n\n[[b]]\n".replace("\n", ends))
        assert other == lf
    page = parse_page("fuzz.md", "\x7f}VV\r\x7f[[\x01\x00]\x00]]")
    assert [link.line for link in page.links] == [2] and page.line_count == 2


def test_bad_yaml_is_a_problem_not_a_crash():
    page = parse_page("x.md", "---\ntype: [unclosed\n---\n[[Still parsed]]\n")
    assert page.problems and page.problems[0].rule == "frontmatter" and page.problems[0].line >= 2
    assert [l.target for l in page.links] == ["Still parsed"]


def test_duplicate_keys_and_impossible_dates_are_problems():
    page = parse_page("x.md", "---\ntype: note\ntype: ticker\n---\n")
    assert "duplicate key 'type'" in page.problems[0].message and page.problems[0].line == 3
    page = parse_page("x.md", "---\nupdated: 2026-13-45\ntype: note\n---\n")
    assert not page.problems and page.meta == {"updated": "2026-13-45", "type": "note"}  # the rule reports it


def test_suppression_comments():
    page = parse_page("x.md", "<!-- vaultc: ignore dangling-link -->\n[[x]] <!-- vaultc: ignore -->\n")
    assert page.suppressions == ((1, "dangling-link"), (2, "*"))


# --- the inline shortcut --------------------------------------------------------------------------

def _stock_markdown():
    """Our parser with markdown-it's own core `normalize` and `inline` rules and its default text
    terminators, to compare the shortcuts and the narrower terminators against."""
    from markdown_it.parser_inline import ParserInline
    from markdown_it.rules_core import inline, normalize

    md = markdown.obsidian_markdown.__wrapped__()
    md.core.ruler.at("normalize", normalize)
    md.core.ruler.at("inline", inline)
    md.inline.terminator_re = ParserInline().terminator_re
    assert md.inline.terminator_re.pattern != markdown.TERMINATORS.pattern
    return md


_ALPHABET = "ab Z9.,'|\n\r\0-*_[]!#:%$^`<>&\\~=+@{}()"


@hypothesis.settings(max_examples=400, deadline=None)
@hypothesis.given(hypothesis.strategies.text(alphabet=_ALPHABET, max_size=60))
def test_plain_inline_shortcut_gives_the_stock_tokens(text):
    ours = [t.as_dict() for t in markdown.obsidian_markdown().parse(text, {})]
    stock = [t.as_dict() for t in _stock_markdown().parse(text, {})]
    assert ours == stock


# Text from a random part of the alphabet: most draws then lack some rules' markers, so the
# parsers without those rules are exercised, against the parser with every rule.
_SOME_OF_THE_ALPHABET = hypothesis.strategies.sets(hypothesis.strategies.sampled_from(_ALPHABET + ":~`$"), min_size=1) \
    .flatmap(lambda chars: hypothesis.strategies.text(alphabet=sorted(chars), max_size=80))


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(_SOME_OF_THE_ALPHABET)
@pytest.mark.parametrize("each_marker", [  # every rule's tightest case, besides the random text
    "[a]:b", "[^1]:x", "x[^1]", "x^[y]", "```\ncode\n```", "~~~\nx\n~~~", ">q", "a &amp; b", "~~s~~",
    "<b>", "<http://x.y>", "$x$", "$$\nm\n$$", "%%c%%", "%%\nc\n%%", "|a|\n|-|", "a|b\n-|-", "#h", "a\\*b",
    "`c`", "*e*", "_e_", "![i](x)", "[[w]]", "![[e]]", "a\n===", "a\n---", "> a\n> ---", "- a\n  ===",
    "***", "- * * *", "> - ___", "1. ---", "  - a\n\n    - - -", "a\r---", "a\r\n===", "|a|\n|---|\n---"])
def test_a_parser_without_the_rules_whose_markers_are_absent_gives_the_same_tokens(each_marker, text):
    for case in (text, each_marker, f"{text}\n{each_marker}"):
        full = [t.as_dict() for t in markdown.obsidian_markdown().parse(case, {})]
        assert [t.as_dict() for t in markdown.parse_markdown(case)] == full, case


def test_rules_left_out_for_a_page_are_the_ones_its_markers_allow():
    plain = markdown._parser_without((False,) * len(markdown._MARKED_RULES))
    assert "table" not in plain.block.ruler.get_active_rules()
    assert "code" in plain.block.ruler.get_active_rules()  # other rules ask whether it is on
    assert markdown._parser_without((True,) * len(markdown._MARKED_RULES)) is markdown.obsidian_markdown()
    text = "| a | b |\n|---|---|\n| 1 | $2$ |\n\n> quote ~~gone~~ &amp; <b>x</b> [^1]\n\n[^1]: note\n"
    assert [t.as_dict() for t in markdown.parse_markdown(text)] == \
           [t.as_dict() for t in markdown.obsidian_markdown().parse(text, {})]


def test_plain_inline_shortcut_on_the_bundled_vault_and_a_synthetic_one(tmp_path):
    from synthetic import generate

    made = generate(tmp_path / "v", 120)
    stock = _stock_markdown()
    paths = [*sorted(Path("vault").rglob("*.md")), *sorted(made.root.rglob("*.md"))]
    assert len(paths) > 150
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert [t.as_dict() for t in markdown.obsidian_markdown().parse(text, {})] == \
               [t.as_dict() for t in stock.parse(text, {})], path
        assert [t.as_dict() for t in markdown.parse_markdown(text)] == \
               [t.as_dict() for t in stock.parse(text, {})], path


def test_markdown_it_rule_loggers_are_quiet_unless_debug_is_on():
    import logging

    markdown.obsidian_markdown()
    quiet = logging.getLogger("markdown_it.rules_block.paragraph")
    assert quiet.debug is markdown._no_record
    assert quiet.debug("entering paragraph: %s", object()) == ""
    watched = logging.getLogger("markdown_it.rules_block.heading")
    try:
        watched.setLevel(logging.DEBUG)
        watched.__dict__.pop("debug", None)
        markdown._quiet_rule_loggers()
        assert "debug" not in watched.__dict__  # someone asked for its records: they are kept
        assert logging.getLogger("markdown_it.rules_block.paragraph").debug is markdown._no_record
    finally:
        watched.setLevel(logging.NOTSET)
        markdown._quiet_rule_loggers()


@pytest.mark.parametrize("claims", [True, False])
def test_a_batch_parses_each_page_as_parse_page_does(claims):
    """parse_pages reads the claims after the whole batch is parsed: the pages are the same, in order."""
    vault = Path(__file__).resolve().parent.parent / "vault"
    texts = [(p.relative_to(vault).as_posix(), p.read_text(encoding="utf-8")) for p in sorted(vault.rglob("*.md"))]
    texts.append(("notes/dated.md", "---\nfiscal_year_end: January\n---\nRevenue guide for Q1 FY2027 is $44B.\n"))
    batch = parse_pages(texts, claims)
    assert batch == [parse_page(path, text, claims) for path, text in texts]
    assert [page.claims for page in batch] == [parse_page(path, text, claims).claims for path, text in texts]
    assert (sum(len(page.claims) for page in batch) > 100) == claims and batch[0].blocks
    assert batch[-1].claims[0].end.isoformat() == "2026-04-30" if claims else not batch[-1].claims

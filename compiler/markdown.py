"""The Markdown dialect of an Obsidian vault, as markdown-it-py plugins.

parse.py walks the token stream this parser produces. Wikilinks, embeds and `%%comments%%` are
inline/block rules in the parser's chain, so code spans, fences, indented code, HTML, math and
backslash escapes keep their meaning for free: a `[[` inside any of them never reaches our rule.
"""
from __future__ import annotations

import importlib
import logging
import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import normalize
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.image import image as _image_rule
from markdown_it.rules_inline.link import link as _link_rule
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

# the module, not the function of the same name that markdown_it.rules_block exports
_table_rule = importlib.import_module("markdown_it.rules_block.table")

MAX_NESTING = 200  # blocks inside blocks: a list item and its list are two


@lru_cache(maxsize=1)
def obsidian_markdown() -> MarkdownIt:
    """The parser of an Obsidian vault's Markdown, with every rule (one per process)."""
    return _new_parser()


# Obsidian's inline math needs no space inside the dollars and no digit after the closing one, so
# "$2B to $3B" stays prose (and its dates stay visible to the claim pass).
OBSIDIAN_MATH = {"allow_space": False, "allow_digits": False, "double_inline": True}


def _new_parser() -> MarkdownIt:
    _quiet_rule_loggers()
    # CommonMark's preset stops at 20 nested blocks and drops what lies deeper; Obsidian shows a
    # 60-level list whole, so the limit is raised to where Python's stack still has room.
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING}).enable(["table", "strikethrough"])
    md.use(dollarmath_plugin, **OBSIDIAN_MATH)
    md.use(footnote_plugin)
    md.use(wikilink_plugin)
    md.use(comment_plugin)
    md.block.ruler.at("table", _table)
    md.use(offset_plugin)
    md.core.ruler.at("normalize", _normalize_if_needed)
    md.core.ruler.at("inline", _inline_plain_first)
    md.inline.terminator_re = TERMINATORS
    return md


def parse_markdown(text: str, env: dict | None = None) -> list[Token]:
    """The tokens of `text` as obsidian_markdown() parses it, by a parser without the rules that
    cannot match it (see _MARKED_RULES). `env` receives what the footnotes need to render."""
    lines_as_read = "\r" not in text  # else markdown-it's normalize makes more lines than a pattern sees
    present = tuple([any(marker in text if type(marker) is str else
                         (not lines_as_read or marker.search(text) is not None) for marker in markers)
                     for markers, _, _ in _MARKED_RULES])
    return _parser_without(present).parse(text, {} if env is None else env)


# A line that may be a thematic break or a setext heading's underline, inside any blockquotes and
# list items: whatever prefixes the containers leave (spaces, tabs, `>`, list markers), then three
# or more of one of - * _ (spaces between allowed), or a run of = or -. These rules are tried at
# every line (and again at each line of a paragraph, to see whether it ends there), and most pages
# have no such line (a table's |---| row is none).
# The test is a superset (a line of container marks, digits and break characters ending in one of
# - * _), written so that it runs in linear time on any line: a tighter pattern with nested
# repeats took 12 s on 20,000 "- " in one line.
_BREAK_LINE = re.compile(r"^[ \t>0-9.)+*_-]*[-*_][ \t]*$", re.M)
_UNDERLINE = re.compile(r"^[ \t>]*(?:=+|-+)[ \t]*$", re.M)


# Rules that match only where one of their markers occurs in the text: a table needs a `|`, math a
# `$`, a %%comment%% `%%`, a footnote `[^` or `^[`, a reference definition `]:`, HTML and autolinks
# `<`, a fence three backticks or tildes, a blockquote `>`, an entity `&`, strikethrough `~~`, a
# heading `#`, an escape a backslash, a code span a backtick, emphasis `*` or `_`, an image `![`,
# a wikilink `[[`, a thematic break or a setext underline a line of their own (a pattern, above).
# A page holding none of a rule's markers is parsed without it, so it is not
# tried at every line (block rules are tried line by line, and again on each line of a paragraph
# to see whether it ends there): about a fifth of markdown-it's work on the synthetic vault. The
# tokens are the same (tests/test_parse.py). Indented code is never left out: other rules ask
# whether it is on.
_MARKED_RULES: tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    # (markers, block rules, inline rules)
    (("|",), ("table",), ()),
    (("$",), ("math_block",), ("math_inline",)),
    (("%%",), ("obsidian_comment_block",), ("obsidian_comment",)),
    (("[^",), ("footnote_def",), ("footnote_ref",)),
    (("^[",), (), ("footnote_inline",)),
    (("]:",), ("reference",), ()),
    (("<",), ("html_block",), ("autolink", "html_inline")),
    (("```", "~~~"), ("fence",), ()),
    ((">",), ("blockquote",), ()),
    (("&",), (), ("entity",)),
    (("~~",), (), ("strikethrough",)),
    (("#",), ("heading",), ()),
    (("\\",), (), ("escape",)),
    (("`",), (), ("backticks",)),
    (("*", "_"), (), ("emphasis",)),
    (("![",), (), ("image",)),
    (("[[",), (), ("wikilink",)),
    ((_BREAK_LINE,), ("hr",), ()),
    ((_UNDERLINE,), ("lheading",), ()),
)


@lru_cache(maxsize=128)  # a vault uses a handful of combinations
def _parser_without(present: tuple[bool, ...]) -> MarkdownIt:
    if all(present):
        return obsidian_markdown()
    md = _new_parser()
    for here, (_, block, inline) in zip(present, _MARKED_RULES):
        if not here:
            if block:
                md.block.ruler.disable(list(block))
            if inline:
                md.inline.ruler.disable(list(inline))
    return md


def _quiet_rule_loggers() -> None:
    """markdown-it-py's block rules log an "entering <rule>" debug record each time they are tried,
    once per rule per line, and asking the logging module whether DEBUG is on (two Python calls)
    is about 6% of its parsing. Where nobody has turned DEBUG on for a rule's logger, its `debug`
    becomes a no-op that costs no Python frame; a logger set to DEBUG keeps its records."""
    for name in list(logging.Logger.manager.loggerDict):
        if name.startswith("markdown_it.rules_block."):
            logger = logging.getLogger(name)
            if not logger.isEnabledFor(logging.DEBUG):
                logger.debug = _no_record  # type: ignore[method-assign]


_no_record = "".format  # takes any arguments, does nothing with them, in C


# Where the text rule stops to let the other inline rules try: the characters at which one of the
# rules enabled above can start (newline, escape, code span, strikethrough, emphasis, link, image,
# footnote, wikilink and embed, autolink and HTML, entity, math, %%comment%%), and `]`, where a
# link label ends. markdown-it's default set also stops at characters only rules we do not enable
# start at (`:` `-` `#` `=` `+` `@` `{` `}` `>`); there no rule matches, the character joins the
# text, and the text rule starts again. Without those stops the tokens are the same
# (tests/test_parse.py compares them with the default set) and "$44B (+30%) - Q3: 62%" is one
# step, not seven.
RULE_STARTS = "\n!$%&*<[\\]^_`~"
TERMINATORS = re.compile(f"[{re.escape(RULE_STARTS)}]")


def _normalize_if_needed(state) -> None:
    """markdown-it's core `normalize` rule (CR and CRLF to LF, NUL to U+FFFD) only when there is
    something to change: it rewrites every newline of the text, and read_page has already
    normalised the line ends of every page."""
    if "\r" in state.src or "\0" in state.src:
        normalize(state)


def _inline_plain_first(state) -> None:
    """markdown-it's core `inline` rule, with a shortcut: content holding no character any inline
    rule starts at (the text rule's terminators, which include the newline) can only become one
    text token, so it is made into one without running the inline parser. Most table cells,
    headings and sentences are such content. The tokens are the same (tests/test_parse.py)."""
    md = state.md
    terminators = md.inline.terminator_re
    for token in state.tokens:
        if token.type != "inline":
            continue
        if token.children is None:
            token.children = []
        content = token.content
        if terminators.search(content) is None:
            if content:
                token.children.append(Token("text", "", 0, content=content))
        else:
            md.inline.parse(content, md, state.env, token.children)


# --- [[wikilinks]] and ![[embeds]] -------------------------------------------------------------

def wikilink_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("link", "wikilink", _wikilink)


def _wikilink(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    embed = src.startswith("![[", pos)
    if not embed and not src.startswith("[[", pos):
        return False
    start = pos + (3 if embed else 2)
    known = getattr(state, "_wikilinks_none_before", None)  # (posMax, offset): see below
    if known is not None and known[0] == state.posMax and start <= known[1]:
        return False
    end = src.find("]]", start, state.posMax)
    if end < 0:
        state._wikilinks_none_before = (state.posMax, state.posMax)  # nor at any later `[[` of this text
        return False
    # A link never spans lines, and holds no other `[[`. Where the text up to this `]]` breaks either
    # rule, every `[[` before the break would reach the same `]]` and break it too: they are
    # passed over at once, so a run of a million `[[` costs one scan, not a million.
    doomed = max(src.rfind("\n", start, end), src.rfind("[[", start, end) + 1)
    if doomed >= start:
        state._wikilinks_none_before = (state.posMax, doomed)
        return False
    inner = src[start:end]
    # "[[]]" or "[[|x]]" name nothing.
    if not inner.strip() or inner.lstrip().startswith("|"):
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.content = inner
        token.markup = "![[" if embed else "[["
        token.meta = {"offset": pos, "embed": embed, **split_wikilink(inner)}
    state.pos = end + 2
    return True


def split_wikilink(inner: str) -> dict:
    """`T#H1#H2|shown` -> target, headings, block, display. `\\|` (in tables) separates too."""
    body, display = inner, None
    cut = inner.find("|")
    if cut >= 0:
        body, display = inner[:cut].rstrip("\\"), inner[cut + 1:]
    target, _, anchor = body.partition("#")
    headings: tuple[str, ...] = ()
    block = None
    if anchor:
        if anchor.startswith("^"):
            block = anchor[1:].strip()
        else:
            headings = tuple(h.strip() for h in anchor.split("#") if h.strip())
    return {"target": target.strip(), "headings": headings, "block": block,
            "display": display.strip() if display is not None else None}


# --- tables whose cells hold [[target|alias]] ------------------------------------------------------

def _table(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """markdown-it's GFM table rule, splitting rows into cells the way Obsidian does: a `|` inside
    `[[…]]` is the link's alias separator, not a cell border (`| [[NVDA|Nvidia]] |` is one cell).
    markdown-it offers no hook for the split, so its splitter is swapped in for the rule's call
    (parsing is single-threaded in each process)."""
    original = _table_rule.escapedSplit
    _table_rule.escapedSplit = _split_cells
    try:
        return _table_rule.table(state, start_line, end_line, silent)
    finally:
        _table_rule.escapedSplit = original


def _split_cells(row: str) -> list[str]:
    """A table row's cells: split at each `|` that is neither escaped nor inside a wikilink; `\\|`
    stands for a `|` in the cell, as in GFM."""
    cells, current, at, inside = [], [], 0, False
    length, close = len(row), row.find("]]")  # the next `]]`: only ever searched forward
    while at < length:
        char = row[at]
        if char == "\\" and row.startswith("|", at + 1):
            current.append("|")
            at += 2
            continue
        if row.startswith("[[", at) and not inside:
            if 0 <= close < at + 2:
                close = row.find("]]", at + 2)
            inside = close >= 0
        elif inside and row.startswith("]]", at):
            inside = False
        if char == "|" and not inside:
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
        at += 1
    cells.append("".join(current))
    return cells


# --- %%comments%% --------------------------------------------------------------------------------

def comment_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("text", "obsidian_comment", _inline_comment)
    md.block.ruler.before("fence", "obsidian_comment_block", _block_comment,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})


def _inline_comment(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if not src.startswith("%%", pos):
        return False
    end = src.find("%%", pos + 2, state.posMax)
    if end < 0:
        return False
    if not silent:
        token = state.push("obsidian_comment", "", 0)
        token.content = src[pos + 2:end]
    state.pos = end + 2
    return True


def _block_comment(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A `%%` opening a line and not closed on it hides every line up to the closing `%%`."""
    begin = state.bMarks[start_line] + state.tShift[start_line]
    # Tried on every line: no slice until one opens with %%.
    if not state.src.startswith("%%", begin, state.eMarks[start_line]) \
            or state.sCount[start_line] - state.blkIndent >= 4:
        return False
    first = state.src[begin:state.eMarks[start_line]]
    if "%%" in first[2:]:
        return False  # opened and closed on one line: the inline rule handles it
    line = start_line + 1
    while line < end_line:
        text = state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]]
        if "%%" in text:
            break
        line += 1
    if silent:
        return True
    token = state.push("obsidian_comment_block", "", 0)
    token.map = [start_line, min(line + 1, end_line)]
    state.line = min(line + 1, end_line)
    return True


# --- where Markdown links start -------------------------------------------------------------------

def offset_plugin(md: MarkdownIt) -> None:
    """Record each Markdown link's and image's offset in its inline source, so that parse.py can
    report a line and column for it without searching the text."""
    md.inline.ruler.at("link", _with_offset(_link_rule, "link_open"))
    md.inline.ruler.at("image", _with_offset(_image_rule, "image"))


def _with_offset(rule, token_type: str):
    def wrapped(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        matched = rule(state, silent)
        if matched and not silent:
            for token in state.tokens[count:]:
                if token.type == token_type:
                    token.meta = {**(token.meta or {}), "offset": start}
                    break
        return matched
    return wrapped

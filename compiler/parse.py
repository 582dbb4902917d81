"""Stage 2, parse: one page's text -> `Page`. A pure function of (path, text): no look-ups into other
pages, no global state, so it can run in parallel and be cached by content hash.

Frontmatter is split and loaded with python-frontmatter; the body is read through markdown-it-py's
token stream (see markdown.py), never with regular expressions over raw Markdown.
"""
from __future__ import annotations

import contextlib
import re
import signal
import threading
from bisect import bisect_right
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

from markdown_it.token import Token

from .claims import extract_claims
from .dates import parse_month
from .discover import line_ends_as_lf
from .frontmatter import frontmatter_links, key_lines, split_frontmatter, strings
from .markdown import RULE_STARTS, parse_markdown
from .model import Heading, InlineField, Link, Page, Problem, QueryBlock, TextBlock, new_link
from .names import BLOCK_ID, NAME_CLOSE, NAME_OPEN, TAG

# A key is words joined by spaces: written so that no two parts of a pattern can take the same
# spaces (a lazy key and the spaces after it could, and a key followed by 200,000 spaces took
# minutes); the value's trailing spaces are stripped in _fields, not by the pattern.
_KEY = r"([A-Za-z_][\w-]*(?:[ \t]+[\w-]+)*)"
_FIELD_LINE = re.compile(r"^[ \t]*" + _KEY + r"[ \t]*::[ \t]*(.*)$", re.MULTILINE)
_FIELD_INLINE = re.compile(r"[\[(]" + _KEY + r"[ \t]*::[ \t]*((?:[^\[\]()]|\[\[[^\]]*\]\])*)[\])]")
_SUPPRESS = re.compile(r"<!--\s*vaultc:\s*ignore\b([^>]*?)-->")
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def parse_page(path: str, text: str, claims: bool = True) -> Page:
    """`claims=False` skips the claim pass, for checks that run no claim rule."""
    return parse_pages([(path, text)], claims)[0]


def parse_pages(texts: Sequence[tuple[str, str]], claims: bool = True) -> list[Page]:
    """parse_page of each (path, text), the claim pass run once every page of the batch is parsed:
    right after markdown-it has parsed a page, the claim pass's code and the date grammar are out
    of the CPU's caches, and reading a page's claims costs about 180 µs instead of 125 (on the 10k
    synthetic vault, parsing in batches of 64 pages is 9% faster)."""
    batch = []
    for path, text in texts:
        try:
            with budget(PARSE_SECONDS):
                batch.append(_page_fields(path, text))
        except OverBudget:
            batch.append(_too_long(path))
    for fields in batch:
        try:
            with budget(PARSE_SECONDS):
                fields["claims"] = tuple(extract_claims(fields["blocks"], fields["fiscal_year_end"])) if claims else ()
        except OverBudget:
            fields.update(_too_long(fields["path"]), claims=())
    return [Page(**fields) for fields in batch]


# No page within the size limit takes this long unless its text was made to (a few stages of
# markdown-it-py are quadratic in runs of brackets); such a page becomes an unreadable file.
PARSE_SECONDS = 10.0


class OverBudget(Exception):
    pass


@contextlib.contextmanager
def budget(seconds: float):
    """Raise OverBudget in the block after `seconds` of wall time (a SIGALRM timer: on the main
    thread of a POSIX process, which is where pages are parsed; elsewhere no limit)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise OverBudget()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _too_long(path: str) -> dict[str, Any]:
    fields = _page_fields(path, "")
    fields["problems"] = (Problem("unreadable-file", f"took over {PARSE_SECONDS:g} s to parse: left out"),)
    return fields


def _page_fields(path: str, text: str) -> dict[str, Any]:
    """Every field of the page but its claims."""
    text = line_ends_as_lf(text)  # as read_page gives it: line numbers are counted as markdown-it counts them
    name = path.rpartition("/")[2]
    name = name[:-3] if name.lower().endswith(".md") else name
    front = split_frontmatter(text)
    walker = _BodyWalker(front.body, front.body_offset)
    walker.walk(parse_markdown(front.body))
    meta = front.meta
    keys = key_lines(front.lines)
    links = [*frontmatter_links(meta, front.lines, keys), *walker.links]
    fye = parse_month(meta.get("fiscal_year_end")) if meta.get("fiscal_year_end") is not None else None
    h1 = next((h.text for h in walker.headings if h.level == 1), None)
    title = meta.get("title") if isinstance(meta.get("title"), str) and meta.get("title").strip() else h1 or name
    page_type = meta.get("type") if isinstance(meta.get("type"), str) else "note"
    return {
        "path": path,
        "name": name,
        "title": title,
        "type": page_type,
        "meta": meta,
        "aliases": strings(meta.get("aliases", meta.get("alias"))),
        "tags": tuple(t.lstrip("#") for t in strings(meta.get("tags"))) + tuple(walker.tags),
        "links": tuple(links),
        "headings": tuple(walker.headings),
        "block_ids": frozenset(walker.block_ids),
        "fields": tuple(walker.fields),
        "blocks": tuple(walker.blocks),
        "problems": tuple(front.problems),
        "suppressions": tuple(walker.suppressions),
        "comments": tuple(walker.comments),
        "queries": tuple(walker.queries),
        "body_line": front.body_offset + 1,
        "line_count": text.count("\n") + (0 if text.endswith("\n") or not text else 1),
        "fiscal_year_end": fye or 12,
        "key_lines": keys,
        "text": text,
    }


# --- body ----------------------------------------------------------------------------------------

_CONTAINERS = {"list_item_open": "list_item", "blockquote_open": "blockquote"}
_CLOSERS = {"list_item_close", "blockquote_close"}
# Where an inline token stops being one line of plain text: where an inline rule may start
# (markdown.py), a `#tag`, a `key:: value` field or a `^block-id`.
_NEWLINE = re.compile("\n")
_NOT_PLAIN = re.compile(f"[{re.escape(RULE_STARTS + '#:')}]")
_CODE = frozenset({"fence", "code_block", "math_block", "obsidian_comment_block"})
# Every token type the walk acts on besides `inline`; the rest (paragraph and list brackets,
# cells, rules...) are passed over with one set test.
_STRUCTURE = frozenset({*_CONTAINERS, *_CLOSERS, *_CODE, "thead_open", "thead_close", "tr_open", "tr_close"})


class _BodyWalker:
    """One pass over the token stream, collecting links, headings, block ids, fields and prose."""

    def __init__(self, body: str, offset: int) -> None:
        self.lines = body.split("\n")
        self._may_suppress = "vaultc" in body
        self.offset = offset
        self.links: list[Link] = []
        self.headings: list[Heading] = []
        self.block_ids: set[str] = set()
        self.fields: list[InlineField] = []
        self.blocks: list[TextBlock] = []
        self.tags: list[str] = []
        self.suppressions: list[tuple[int, str]] = []
        self.comments: list[tuple[int, int]] = []
        self.queries: list[QueryBlock] = []
        self._code_lines: set[int] = set()

    def walk(self, tokens: list[Token]) -> None:
        containers: list[str] = []
        row: list[str] | None = None
        row_line = 0
        header = False
        row_fields: list[tuple[str, str]] = []
        for i, token in enumerate(tokens):
            kind = token.type
            if kind == "inline":
                if not token.map:
                    continue
                is_heading = i > 0 and tokens[i - 1].type == "heading_open"
                text, fields = self._inline(token, in_table=row is not None, keep_code=is_heading)
                if is_heading:
                    line = self._file_line(token.map[0])
                    self.headings.append(Heading(text.strip(), int(tokens[i - 1].tag[1]), line))
                    self.blocks.append(TextBlock(line, "heading", text.strip()))
                elif row is not None:
                    row.append(text.replace("\n", " "))
                    row_fields.extend(fields)
                else:
                    block_kind = containers[-1] if containers else "paragraph"
                    self.blocks.append(TextBlock(self._file_line(token.map[0]), block_kind, text, tuple(fields)))
            elif kind not in _STRUCTURE:
                continue
            elif kind in _CONTAINERS:
                containers.append(_CONTAINERS[kind])
            elif kind in _CLOSERS:
                containers.pop()
            elif kind in _CODE:
                if token.map:
                    self._code_lines.update(range(token.map[0], token.map[1]))
                    if kind == "obsidian_comment_block":
                        self.comments.append((self._file_line(token.map[0]), self._file_line(token.map[1])))
                    elif kind == "fence" and token.info.strip().split(maxsplit=1)[:1] == ["sparql"]:
                        self.queries.append(QueryBlock(self._file_line(token.map[0]), token.content))
            elif kind in ("thead_open", "thead_close"):
                header = kind == "thead_open"
            elif kind == "tr_open":
                row, row_line, row_fields = [], self._file_line(token.map[0]) if token.map else 0, []
            elif row is not None:  # tr_close
                if any(cell.strip() for cell in row):
                    self.blocks.append(TextBlock(row_line, "table_header" if header else "table_row",
                                                 " | ".join(c.strip() for c in row),
                                                 tuple(row_fields)))
                row = None
        self._find_suppressions()

    def _file_line(self, body_line: int) -> int:
        return self.offset + body_line + 1

    def _inline(self, token: Token, in_table: bool, keep_code: bool = False) -> tuple[str, list[tuple[str, str]]]:
        """Links, fields and block ids of one inline token, and its plain text: code spans are
        blanked for the claim pass but kept in heading text, which links match against."""
        src = token.content
        if _NOT_PLAIN.search(src) is None:  # one line of plain text: no link, field, id, tag or code
            return src, []
        first = token.map[0]
        starts: tuple[list[int], list[int]] | None = None  # computed for the first link
        spans = self._fields(src, first) if "::" in src else []
        if "^" in src:
            for match in BLOCK_ID.finditer(src):
                self.block_ids.add(match.group(1))
        out: list[str] = []
        for child in token.children or ():
            kind = child.type
            if kind == "text":
                out.append(child.content)
            elif kind in ("softbreak", "hardbreak"):
                out.append("\n")
            elif kind == "code_inline":
                out.append(child.content if keep_code else " ")
            elif kind == "wikilink":
                meta = child.meta
                starts = starts or self._line_starts(src, first, in_table)
                self.links.append(self._wikilink(child, src, first, starts, spans))
                if not meta["embed"]:
                    shown = meta["display"] or meta["target"] or " > ".join(meta["headings"])
                    # A page name shown as the link's text is a name, not prose: marked, so that the
                    # claim pass reads no date in it ([[Launch Week March 2026]]). Not in headings,
                    # whose text links match against.
                    out.append(shown if meta["display"] or keep_code else NAME_OPEN + shown + NAME_CLOSE)
            elif kind in ("link_open", "image"):
                starts = starts or self._line_starts(src, first, in_table)
                link = self._markdown_link(child, src, first, starts)
                if link is not None:
                    self.links.append(link)
        text = "".join(out)
        self.tags.extend(_inline_tags(text))
        return text, [(key, value) for key, value, _, _ in spans]

    def _line_starts(self, src: str, first: int, in_table: bool) -> tuple[list[int], list[int]]:
        """Where each line of an inline token's content starts in its source line (the content is
        the line with indentation, list markers or `>` removed, so it is the line's suffix), and
        where each of the content's own lines starts in it (for _position's look-ups)."""
        starts = []
        for j, part in enumerate(src.split("\n")):
            source = self.lines[first + j] if first + j < len(self.lines) else ""
            if not in_table and source.endswith(part):
                starts.append(len(source) - len(part))
            else:
                found = source.find(part.strip()[:20]) if part.strip() else -1
                starts.append(found if found >= 0 else len(source) - len(source.lstrip()))
        return starts, [0, *(m.end() for m in _NEWLINE.finditer(src))]

    def _position(self, src: str, offset: int, first: int, lines: tuple[list[int], list[int]],
                  needle: str) -> tuple[int, int]:
        """File line and column of the token at `offset` of `src`: looked up, not counted, so that
        300,000 links on one line cost no more than as many on their own lines."""
        starts, content_starts = lines
        j = bisect_right(content_starts, offset) - 1
        column = starts[j] + offset - content_starts[j]
        source = self.lines[first + j] if first + j < len(self.lines) else ""
        if not source.startswith(needle, column):
            hits = [m.start() for m in re.finditer(re.escape(needle), source)]
            if hits:
                column = min(hits, key=lambda h: abs(h - column))
        return self._file_line(first + j), column + 1

    def _wikilink(self, child: Token, src: str, first: int, starts: tuple[list[int], list[int]], spans) -> Link:
        meta = child.meta
        offset = meta["offset"]
        needle = child.markup + meta["target"]
        line, column = self._position(src, offset, first, starts, needle)
        key = next((k for k, _, lo, hi in spans if lo <= offset < hi), None)
        return new_link(child.content, meta["target"], meta["headings"], meta["block"], meta["display"], meta["embed"],
                        line, column, "field" if key else "body", key)

    def _markdown_link(self, child: Token, src: str, first: int, starts: tuple[list[int], list[int]]) -> Link | None:
        href = child.attrGet("href" if child.type == "link_open" else "src") or ""
        if not href or _URL_SCHEME.match(href) or href.startswith("//"):
            return None
        path, _, anchor = unquote(href).partition("#")
        offset = (child.meta or {}).get("offset", 0)
        line, column = self._position(src, offset, first, starts, "![" if child.type == "image" else "[")
        headings: tuple[str, ...] = ()
        block = None
        if anchor.startswith("^"):
            block = anchor[1:]
        elif anchor:
            headings = tuple(h for h in anchor.split("#") if h)
        return new_link(href, path, headings, block, None, child.type == "image", line, column, "markdown")

    def _fields(self, src: str, first: int) -> list[tuple[str, str, int, int]]:
        """Dataview fields of one block as (key, value, value start, value end) offsets in `src`."""
        spans, keys = [], []
        for match in _FIELD_LINE.finditer(src):
            value = match.group(2).rstrip(" \t")
            spans.append((match.group(1).strip(), value, match.start(2), match.start(2) + len(value) + 1))
            keys.append(match.start(1))
        for match in _FIELD_INLINE.finditer(src):
            spans.append((match.group(1).strip(), match.group(2).strip(), match.start(2), match.end(2) + 1))
            keys.append(match.start(1))
        if spans:
            # The field's line is its key's: an empty value starts where its line ends, at the `\n`.
            breaks = [m.start() for m in _NEWLINE.finditer(src)]
            for (key, value, _, _), at in zip(spans, keys):
                self.fields.append(InlineField(key, value, self._file_line(first + bisect_right(breaks, at))))
        return spans

    def _find_suppressions(self) -> None:
        if not self._may_suppress:
            return
        for index, text in enumerate(self.lines):
            if index in self._code_lines or "vaultc" not in text:
                continue
            for match in _SUPPRESS.finditer(text):
                rules = [r for r in re.split(r"[\s,]+", match.group(1).strip()) if r]
                for rule in rules or ["*"]:
                    self.suppressions.append((self._file_line(index), rule))




def _inline_tags(text: str) -> list[str]:
    """Obsidian `#tags` in prose (a tag needs a non-digit character: `#2026` is not a tag)."""
    return TAG.findall(text) if "#" in text else []

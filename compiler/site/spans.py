"""Where each recorded link sits in its page's text (emit stage): parse recorded a line and column
for every link; this finds the exact characters to replace there, without parsing the page again.
"""
from __future__ import annotations

from dataclasses import dataclass

from markdown_it.helpers import parseLinkDestination, parseLinkTitle

from ..model import Link


@dataclass(frozen=True)
class Edit:
    """Replace characters [start, end) of file line `line` (1-based) with `text`."""

    line: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class WikiSpan:
    line: int
    start: int  # the `[[` or `![[`
    end: int  # just past `]]`


@dataclass(frozen=True)
class MarkdownSpan:
    """`[label](dest "title")`: where the label opens, and where `](…)` and its destination sit."""

    open: tuple[int, int, int]  # line, start, end of `[` or `![`
    close: tuple[int, int, int] | None  # line, start, end of `](dest "title")`; None across lines
    dest: tuple[int, int, int]  # line, start, end of the destination itself


class PageText:
    """A page's lines, and offsets between (line, column) and positions in the whole text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.starts = [0]
        for line in self.lines[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column

    def position(self, offset: int) -> tuple[int, int]:
        """(1-based line, 0-based column) of a text offset."""
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.starts[lo]

    def line(self, number: int) -> str:
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""


def wiki_span(text: PageText, link: Link) -> WikiSpan | None:
    source = text.line(link.line)
    opener = "![[" if link.embed else "[["
    wanted = link.raw.replace("\\", "")  # in tables the pipe is written `\|`; parse drops the `\`

    def matches(start: int) -> int | None:
        if not source.startswith(opener, start):
            return None
        end = source.find("]]", start + len(opener))
        if end < 0 or source[start + len(opener):end].replace("\\", "") != wanted:
            return None
        return end + 2

    start = link.column - 1
    end = matches(start)
    if end is None:
        # The recorded column can be off where parse had to guess (odd indentation): take the
        # nearest occurrence of exactly this link on the same line.
        hits = [(abs(i - start), i, e) for i in range(len(source)) if (e := matches(i)) is not None]
        if not hits:
            return None
        _, start, end = min(hits)
    return WikiSpan(link.line, start, end)


def markdown_span(text: PageText, link: Link) -> MarkdownSpan | None:
    start = text.offset(link.line, link.column - 1)
    body = text.text
    opener = "![" if link.embed else "["
    if not body.startswith(opener, start):
        return None
    label_end = _label_end(body, start + len(opener))
    if label_end is None or not body.startswith("(", label_end + 1):
        return None  # a reference-style link: its destination lives elsewhere
    pos = _skip_spaces(body, label_end + 2)
    dest = parseLinkDestination(body, pos, len(body))
    if not dest.ok:
        return None
    end = _skip_spaces(body, dest.pos)
    if end < len(body) and body[end] in "\"'(":
        title = parseLinkTitle(body, end, len(body))
        if title.ok:
            end = _skip_spaces(body, title.pos)
    if end >= len(body) or body[end] != ")":
        return None
    open_line, open_col = text.position(start)
    close_line, close_col = text.position(label_end)
    dest_line, dest_col = text.position(pos)
    paren_line, paren_col = text.position(end)
    close = (close_line, close_col, paren_col + 1) if paren_line == close_line else None
    return MarkdownSpan((open_line, open_col, open_col + len(opener)), close,
                        (dest_line, dest_col, dest_col + dest.pos - pos))


def _label_end(body: str, pos: int) -> int | None:
    """The `]` closing a link label that starts at `pos` (nested brackets and escapes allowed)."""
    depth = 1
    while pos < len(body):
        char = body[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "\n" and body.startswith("\n", pos + 1):
            return None  # a blank line ends the paragraph, and the label with it
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return pos
        pos += 1
    return None


def _skip_spaces(body: str, pos: int) -> int:
    while pos < len(body) and body[pos] in " \t\n":
        pos += 1
    return pos


def apply_edits(line: str, edits: list[Edit]) -> str:
    """Apply one line's edits; later spans first so earlier columns stay valid. Overlaps lose."""
    out = line
    last_start = len(line) + 1
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        if edit.end > last_start:
            continue
        out = out[:edit.start] + edit.text + out[edit.end:]
        last_start = edit.start
    return out

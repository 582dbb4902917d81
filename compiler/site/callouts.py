"""Obsidian callouts as Material admonitions (emit stage).

`> [!warning]- Title` and its `>` lines become `??? warning "Title"` and an indented body. parse
already found every blockquote's first line (a `blockquote` TextBlock), so no Markdown is re-read:
only each line's `>` prefix is rewritten, innermost callouts first so nesting comes out right.
"""
from __future__ import annotations

import re

from ..model import Page

_CALLOUT = re.compile(r"^\[!([A-Za-z][\w-]*)\]([+-]?)[ \t]*(.*)$")
_PREFIX = re.compile(r"^(?:[ \t]*>)+")
# Material styles these (Obsidian's names and aliases are the same set); anything else is a note.
KNOWN = {"note", "abstract", "summary", "tldr", "info", "todo", "tip", "hint", "important", "success",
         "check", "done", "question", "help", "faq", "warning", "caution", "attention", "failure",
         "fail", "missing", "danger", "error", "bug", "example", "quote", "cite"}


def callout_starts(page: Page) -> list[int]:
    """File lines where a callout opens."""
    return [b.line for b in page.blocks if b.kind == "blockquote" and _CALLOUT.match(b.text.split("\n", 1)[0])]


def depth(line: str) -> int:
    match = _PREFIX.match(line)
    return match.group(0).count(">") if match else 0


def convert_callouts(page: Page, source: list[str], rows: dict[int, list[str]], first: int, last: int) -> None:
    """Rewrite the callouts starting in [first, last]. `source[n]` is file line n as written,
    `rows[n]` the output lines it became (several when an embed was expanded there)."""
    starts = [(depth(source[n]), n) for n in callout_starts(page) if first <= n <= last and n in rows]
    for level, start in sorted(starts, reverse=True):  # innermost first
        if level == 0 or not rows[start]:
            continue
        end = start
        while end + 1 <= last and end + 1 in rows and depth(source[end + 1]) >= level:
            end += 1
        head = _opening(rows[start][0], level)
        if head is None:
            continue
        rows[start] = [head] + [_indent(line, level) for line in rows[start][1:]]
        for n in range(start + 1, end + 1):
            rows[n] = [_indent(line, level) for line in rows[n]]


def _split(line: str, level: int) -> tuple[str, str] | None:
    """(text before the level-th `>`, text after it and one space)."""
    count = 0
    for i, char in enumerate(line):
        if char == ">":
            count += 1
            if count == level:
                rest = line[i + 1:]
                return line[:i], rest[1:] if rest.startswith(" ") else rest
        elif char not in " \t":
            return None
    return None


def _opening(line: str, level: int) -> str | None:
    parts = _split(line, level)
    if parts is None:
        return None
    before, rest = parts
    match = _CALLOUT.match(rest.strip())
    if match is None:
        return None
    kind, fold, title = match.group(1).lower(), match.group(2), match.group(3).strip()
    if kind not in KNOWN:
        title = title or kind.capitalize()
        kind = "note"
    marker = {"": "!!!", "-": "???", "+": "???+"}[fold]
    title_part = f' "{title.replace(chr(34), "&quot;")}"' if title else ""
    return f"{before}{marker} {kind}{title_part}"


def _indent(line: str, level: int) -> str:
    parts = _split(line, level)
    if parts is None:
        return line  # a lazy continuation line: leave it to the paragraph it continues
    before, rest = parts
    return f"{before}    {rest}" if rest.strip() else before.rstrip()

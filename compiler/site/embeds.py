"""Transclusion (emit stage): `![[Note]]`, `![[Note#Section]]` and `![[Note#^block]]` replaced by
the lines they name, rendered for the embedding page, with cycle protection.
"""
from __future__ import annotations

from ..model import Resolution
from .anchors import find_heading
from .links import anchor_of, attr, display, label

MAX_DEPTH = 6  # Obsidian stops nested embeds early too; a deep chain is almost always a mistake


def transclude(renderer, res: Resolution) -> list[str]:
    """The lines of an `embed` admonition (not yet indented for the host's container)."""
    site, link = renderer.site, res.link
    key = (res.target, f"^{link.block}" if link.block else "#".join(link.headings) or None)
    page = site.pages[res.target]
    anchor, found = anchor_of(site, res)
    href = site.href(renderer.host_doc, res.target, anchor)
    parts = [*link.headings] + ([f"^{link.block}"] if link.block else [])
    title = " › ".join([page.title, *parts])
    head = f'!!! embed "[{label(title).replace(chr(34), "&quot;")}]({href})"'
    if key in renderer.stack or len(renderer.stack) > MAX_DEPTH or key in renderer.shown:
        note = f"<span class='vaultc-cycle'>Not shown again: {attr(display(link))} is already embedded above.</span>"
        return [head, "", "    " + note]
    text = site.text(res.target)
    span = _range(site, res) if found and text is not None else None
    if span is None:
        why = "could not be read" if text is None else f"has no {'block' if link.block else 'heading'} {key[1]}"
        return [head, "", f"    <span class='vaultc-missing'>{attr(page.title)} {why}.</span>"]
    renderer.shown.add(key)
    inner = type(renderer)(site, res.target, renderer.host_doc, renderer.stack + (key,), own=False,
                           shown=renderer.shown)
    lines = _trim(inner.render(*span))
    return [head, ""] + ["    " + line if line.strip() else "" for line in lines]


def _range(site, res: Resolution) -> tuple[int, int] | None:
    """The file lines an embed shows: a block's lines, a section under its heading, or the body."""
    page, link = site.pages[res.target], res.link
    last = len(site.text(res.target).lines)
    if link.block:
        line = site.block_line(res.target, link.block)
        if line is None:
            return None
        start = max((b.line for b in page.blocks if b.line <= line and b.kind != "heading"), default=line)
        return start, line
    headings = page.headings
    if link.headings:
        index = find_heading(site.heading_keys(res.target), link.headings)
        if index is None:
            return None
        level = headings[index].level
        end = next((h.line - 1 for h in headings[index + 1:] if h.level <= level), last)
        start = headings[index].line + 1
        if not site.line(res.target, headings[index].line).lstrip(" >\t").startswith("#"):
            start += 1  # past a setext heading's underline
        return start, end
    start = page.body_line
    first = headings[0] if headings else None
    if first is not None and first.level == 1 and not any(
            site.line(res.target, n).strip() for n in range(page.body_line, first.line)):
        start = first.line + 1  # the title is already in the admonition's title
    return start, last


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines

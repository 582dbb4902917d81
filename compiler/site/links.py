"""Link text for the generated pages' Markdown (emit stage): labels safe inside `[…]`, and what a
wikilink shows."""
from __future__ import annotations

import html

from ..model import Link


def display(link: Link) -> str:
    """What Obsidian shows for a wikilink: its alias, else the target and anchors as written."""
    if link.display:
        return link.display
    parts = [link.target, *link.headings] + (["^" + link.block] if link.block else [])
    return " > ".join(p for p in parts if p)


def label(text: str) -> str:
    """Text safe inside `[…]`, in a table cell too."""
    text = text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace("|", "\\|")
    return text.replace("<", "&lt;")


def attr(text: str) -> str:
    """A value for an HTML attribute, single- or double-quoted."""
    return html.escape(text, quote=True)


def missing(text: str, why: str) -> str:
    """Visibly missing text, never a dead link."""
    return f'<span class="vaultc-missing" title="{attr(why)}">{html.escape(text, quote=False)}</span>'

"""Heading anchors as MkDocs' `toc` extension makes them (emit stage).

toc slugifies each heading's rendered text and appends `_1`, `_2`, … to repeats; using its own
`slugify` and `unique` on the text our rewritten heading renders to gives the same ids, so every
`[[Page#Heading]]` becomes a link MkDocs' strict anchor validation accepts.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache

from markdown.extensions.toc import slugify, strip_tags, unique
from markdown_it import MarkdownIt


_MARKUP = re.compile(r"[\[\]`*_<>&\\!~]")


def toc_slugs(texts: list[str]) -> list[str]:
    """The ids toc gives headings with these texts, in this order."""
    used: set[str] = set()
    counters: dict[str, int] = {}  # without them, n equal headings cost n^2/2 look-ups (100,000: minutes)
    return [unique(slugify(text, "-"), used, counters) for text in texts]


def plain_text(inline: str) -> str:
    """What toc reads from a heading: its rendered text, tags stripped, entities decoded."""
    if not _MARKUP.search(inline):
        return " ".join(inline.split())
    return html.unescape(strip_tags(_inline_parser().renderInline(inline)))


@lru_cache(maxsize=1)
def _inline_parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("strikethrough")


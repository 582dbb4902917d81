"""A heading line as the text its toc id is made from (emit stage): each link replaced by what it
will show, comments and block ids dropped. Kept apart from body.py, which renders whole pages,
because the site context needs it to compute anchors before any page is rendered."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..model import Page
from ..names import BLOCK_ID
from .links import display, label, missing
from .spans import Edit, PageText, apply_edits, wiki_span

if TYPE_CHECKING:
    from .context import Site

COMMENT = re.compile(r"%%.*?%%")


def heading_text(site: Site, page: Page, text: PageText, line: int) -> str:
    """A heading line with each link replaced by the text it will show: enough for its toc id, and
    free of any other page's anchors (so computing slugs never recurses)."""
    source = text.line(line)
    edits = []
    for res in site.by_line.get((page.path, line), ()):
        if res.link.origin != "markdown":
            span = wiki_span(text, res.link)
            if span is not None:
                shown = display(res.link)
                edits.append(Edit(line, span.start, span.end, label(shown) if res.target else missing(shown, "")))
    if "%%" in source:
        edits += [Edit(line, m.start(), m.end(), "") for m in COMMENT.finditer(source)]
    block = BLOCK_ID.search(source)
    if block:
        edits.append(Edit(line, block.start(), block.end(), ""))
    return apply_edits(source, edits)


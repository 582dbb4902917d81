"""Tags (emit stage): frontmatter `tags` and inline `#tags` go into each page's metadata, where
Material shows them and search weighs them; the generated tags page lists every tag with its pages,
and each inline `#tag` links to its entry there.
"""
from __future__ import annotations

from collections.abc import Mapping

from ..model import Page
from .anchors import plain_text, toc_slugs
from .layout import generated, relative

TAGS_PAGE = generated("tags")
TITLE = "Tags"


class TagIndex:
    """Tags compare case-insensitively, as in Obsidian; each shows as first spelled."""

    def __init__(self, pages: Mapping[str, Page]) -> None:
        self.spelling: dict[str, str] = {}
        self.pages: dict[str, list[str]] = {}
        for path in sorted(pages):
            for tag in dict.fromkeys(pages[path].tags):
                key = tag.casefold()
                self.spelling.setdefault(key, tag)
                self.pages.setdefault(key, []).append(path)
        self.order = sorted(self.spelling)
        # Ids as toc gives the tags page's headings: "# Tags", then "## #tag" per tag.
        slugs = toc_slugs([TITLE] + [plain_text(self.heading(key)) for key in self.order])
        self.anchor = dict(zip(self.order, slugs[1:], strict=True))

    def heading(self, key: str) -> str:
        return "#" + self.spelling[key]

    def href(self, host_doc: str, tag: str) -> str:
        return f"{relative(host_doc, TAGS_PAGE)}#{self.anchor[tag.casefold()]}"

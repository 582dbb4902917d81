"""Tags (emit stage): frontmatter `tags` and inline `#tags` of a page are shown once, as links
under its title; each tag has a page of its own listing its pages (`vaultc/tags/<tag>.md`), and the
tags page lists every tag with its count. Each inline `#tag` links to its tag's page.
"""
from __future__ import annotations

from collections.abc import Mapping

from ..model import Page
from .anchors import plain_text, toc_slugs
from .layout import generated, relative

TAGS_PAGE = generated("tags")
TAGS_DIR = TAGS_PAGE[:-3]  # one page per tag in here
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
        # File names as toc would give the tags' headings ids: unique, and readable in a URL.
        slugs = toc_slugs([TITLE] + [plain_text(self.heading(key)) for key in self.order])
        self.stem = {key: slug or f"tag-{i}" for i, (key, slug) in enumerate(zip(self.order, slugs[1:], strict=True))}

    def heading(self, key: str) -> str:
        return "#" + self.spelling[key]

    def doc(self, key: str) -> str:
        """The docs path of the tag's own page."""
        return f"{TAGS_DIR}/{self.stem[key]}.md"

    def href(self, host_doc: str, tag: str) -> str:
        return relative(host_doc, self.doc(tag.casefold()))

"""Stage 3, resolve: one index of the whole vault, built once; then every link is a few dict look-ups.

Order of preference (VAULT-SPEC §1), all case-insensitive and Unicode-normalised:
exact vault path -> path suffix -> page name -> attachment file name -> alias.
Several candidates in the winning step: same folder as the linking page, then shortest path, then
alphabetical — and the resolution is marked ambiguous so the `ambiguous-link` rule reports it.
"""
from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

from .model import Link, Page, Resolution
from .parse import normalise

_HEADING_NOISE = re.compile(r"[#|^:%\[\]\\`*]+")
_SPACES = re.compile(r"\s+")


class Index:
    def __init__(self, pages: Mapping[str, Page], attachments: Iterable[str]) -> None:
        self.pages = pages
        self.by_path: dict[str, str] = {}
        self.by_suffix: dict[str, list[str]] = defaultdict(list)
        self.by_name: dict[str, list[str]] = defaultdict(list)
        self.by_attachment: dict[str, list[str]] = defaultdict(list)
        self.by_alias: dict[str, list[str]] = defaultdict(list)
        self.headings: dict[str, list[tuple[int, str]]] = {}
        for path, page in pages.items():
            stem = path[:-3] if path.lower().endswith(".md") else path
            self._add_path(stem, path)
            self.by_name[normalise(page.name)].append(path)
            for alias in dict.fromkeys(normalise(a) for a in page.aliases if a.strip()):
                self.by_alias[alias].append(path)
            self.headings[path] = [(h.level, heading_key(h.text)) for h in page.headings]
        for path in attachments:
            self._add_path(path, path)
            self.by_attachment[normalise(path.rpartition("/")[2])].append(path)

    def _add_path(self, stem: str, path: str) -> None:
        key = normalise(stem)
        self.by_path[key] = path
        parts = key.split("/")
        for i in range(1, len(parts) - 1):
            self.by_suffix["/".join(parts[i:])].append(path)

    # --- resolution ------------------------------------------------------------------------------

    def resolve(self, source: Page, link: Link) -> Resolution:
        target = link.target.strip()
        if not target:
            return self._anchor(source, link, source.path, (), "self")
        path, candidates, step = self._find(source, target, relative_first=link.origin == "markdown")
        if path is None:
            return Resolution(source.path, link, None)
        return self._anchor(source, link, path, candidates, step)

    def _find(self, source: Page, target: str, relative_first: bool) -> tuple[str | None, tuple[str, ...], str | None]:
        key = normalise(target.replace("\\", "/"))
        stem = key[:-3] if key.endswith(".md") else key
        if stem.startswith(("./", "../")) or relative_first:
            joined = posixpath.normpath(posixpath.join(normalise(source.folder), stem))
            if joined == ".." or joined.startswith("../"):
                return None, (), None  # a link never leaves the vault
            for candidate in (joined, joined + ".md") if not key.endswith(".md") else (joined,):
                if candidate in self.by_path:
                    return self.by_path[candidate], (), "path"
                if candidate[:-3] in self.by_path and candidate.endswith(".md"):
                    return self.by_path[candidate[:-3]], (), "path"
        stem = stem.lstrip("/")
        for key_variant in (stem, key.lstrip("/")):
            if key_variant in self.by_path:
                return self.by_path[key_variant], (), "path"
        if "/" in stem:
            steps = [("suffix", self.by_suffix.get(stem, []) or self.by_suffix.get(key, []))]
        else:
            steps = [("name", self.by_name.get(stem, [])), ("attachment", self.by_attachment.get(key, []))]
        # An alias may hold a slash ("Georgia Tech/Intel paper"), so aliases are tried either way.
        steps.append(("alias", self.by_alias.get(key, [])))
        for step, found in steps:
            if found:
                ranked = sorted(set(found), key=lambda p: (p.rpartition("/")[0] != source.folder, len(p), p))
                return ranked[0], tuple(ranked) if len(ranked) > 1 else (), step
        return None, (), None

    def _anchor(self, source: Page, link: Link, path: str, candidates: tuple[str, ...], step: str | None) -> Resolution:
        missing = None
        page = self.pages.get(path)
        if page is not None:
            if link.block is not None and link.block not in page.block_ids:
                missing = "^" + link.block
            elif link.headings and not has_heading_path(self.headings[path], link.headings):
                missing = "#".join(link.headings)
        return Resolution(source.path, link, path, candidates, step, missing)


def heading_key(text: str) -> str:
    """Headings match on their text, case-insensitively, ignoring the characters Obsidian drops
    from heading links (`# | ^ : % [ ] \\`), Markdown's code and emphasis marks, and runs of spaces."""
    return _SPACES.sub(" ", _HEADING_NOISE.sub(" ", normalise(text))).strip()


def has_heading_path(headings: list[tuple[int, str]], wanted: tuple[str, ...]) -> bool:
    """`[[T#H1#H2]]`: H2 must be a heading inside H1's section (any depth below it)."""
    keys = [heading_key(w) for w in wanted]
    scopes = [(i, len(headings)) for i, (_, text) in enumerate(headings) if text == keys[0]]
    for key in keys[1:]:
        next_scopes = []
        for start, stop in scopes:
            level = headings[start][0]
            end = next((j for j in range(start + 1, stop) if headings[j][0] <= level), stop)
            next_scopes += [(j, end) for j in range(start + 1, end) if headings[j][1] == key]
        scopes = next_scopes
    return bool(scopes)


def resolve_all(index: Index, pages: Iterable[Page]) -> list[Resolution]:
    return [index.resolve(page, link) for page in pages for link in page.links]

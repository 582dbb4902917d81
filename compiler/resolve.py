"""Stage 3, resolve: one index of the whole vault, built once; then every link is a few dict look-ups.

Order of preference (VAULT-SPEC §1), all case-insensitive and Unicode-normalised:
exact vault path -> path suffix -> page name -> attachment file name -> alias.
Several candidates in the winning step: same folder as the linking page, then shortest path, then
alphabetical — and the resolution is marked ambiguous so the `ambiguous-link` rule reports it.
"""
from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from .model import Link, Page, Resolution, made
from .names import heading_key, normalise



class Index:
    """Every name a link can use, mapped to the vault paths it may mean. Built once per compile from
    the pages' names, aliases, headings and block ids (never their bodies), and patched page by page
    when an incremental check re-reads one (`remove` then `add`)."""

    by_path: dict[str, str]
    by_suffix: dict[str, list[str]]
    by_name: dict[str, list[str]]
    by_attachment: dict[str, list[str]]
    by_alias: dict[str, list[str]]
    headings: dict[str, list[tuple[int, str]]]
    blocks: dict[str, frozenset[str]]
    _owners: dict[str, list[str]]  # path key -> every file with it (case twins)
    _keys: dict[str, tuple[str, tuple[str, ...]]]  # page -> (name key, alias keys)
    # The tables above, each with the factory of a missing key's value (defaultdict's) or None.
    TABLES = {"by_path": None, "by_suffix": list, "by_name": list, "by_attachment": list, "by_alias": list,
              "headings": None, "blocks": None, "_owners": list, "_keys": None}

    @classmethod
    def over(cls, tables: Mapping[str, Any]) -> "Index":
        """An index over tables kept elsewhere (the incremental check's: cache.KeyTable, read
        from the store a key at a time)."""
        index = cls.__new__(cls)
        index.__dict__.update((name, tables[name]) for name in cls.TABLES)
        return index

    def __init__(self, pages: Mapping[str, Page], attachments: Iterable[str]) -> None:
        self.__dict__.update((name, defaultdict(factory) if factory else {}) for name, factory in self.TABLES.items())
        for page in pages.values():
            self.add(page)
        for path in attachments:
            self.add_attachment(path)

    @property
    def _memo(self) -> dict:
        """Targets already found, when where the link sits made no difference (one candidate or
        none, not relative): most links name a popular page by the same words."""
        memo = self.__dict__.get("_found")
        if memo is None:
            memo = self.__dict__["_found"] = {}
        return memo

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_found"}

    def add(self, page: Page) -> None:
        self.add_entry(page.path, page.name, page.aliases, [(h.level, h.text) for h in page.headings], page.block_ids)

    def add_entry(self, path: str, name: str, aliases: Iterable[str], headings: Iterable[tuple[int, str]],
                  block_ids: frozenset[str]) -> None:
        """A page by what links can name in it (`headings` as (level, text)): all the index
        keeps of a page, and all a worker process that holds the page sends for it."""
        self.__dict__.pop("_found", None)  # a new page may change what a target names
        stem = path[:-3] if path.lower().endswith(".md") else path
        self._add_path(stem, path)
        name = normalise(name)
        aliases = tuple(dict.fromkeys(normalise(a) for a in aliases if a.strip()))
        self.by_name[name].append(path)
        for alias in aliases:
            self.by_alias[alias].append(path)
        self._keys[path] = (name, aliases)
        self.headings[path] = [(level, heading_key(text)) for level, text in headings]
        self.blocks[path] = block_ids

    def add_attachment(self, path: str) -> None:
        self.__dict__.pop("_found", None)
        self._add_path(path, path)
        self.by_attachment[normalise(path.rpartition("/")[2])].append(path)

    def remove(self, path: str) -> None:
        """Forget a page, as if it had never been added."""
        self.__dict__.pop("_found", None)
        name, aliases = self._keys.pop(path)
        _drop(self.by_name, name, path)
        for alias in aliases:
            _drop(self.by_alias, alias, path)
        stem = path[:-3] if path.lower().endswith(".md") else path
        key = normalise(stem)
        _drop(self._owners, key, path)
        if self._owners.get(key):
            self.by_path[key] = min(self._owners[key])
        else:
            self.by_path.pop(key, None)
        for suffix in _suffixes(key):
            _drop(self.by_suffix, suffix, path)
        del self.headings[path], self.blocks[path]

    def anchors(self, path: str) -> tuple:
        """What links into this page can point at inside it: its headings and block ids."""
        return self.headings[path], self.blocks[path]

    def provides(self, path: str) -> set[str]:
        """The last path segments and aliases that can name this page: a link whose `wanted` keys
        miss all of them cannot lead here."""
        name, aliases = self._keys[path]
        return {name, *aliases}

    def _add_path(self, stem: str, path: str) -> None:
        key = normalise(stem)
        self._owners[key].append(path)
        self.by_path[key] = min(self._owners[key])  # case twins: the first in path order wins
        for suffix in _suffixes(key):
            self.by_suffix[suffix].append(path)

    # --- resolution ------------------------------------------------------------------------------

    def resolve(self, source: Page, link: Link) -> Resolution:
        target = link.target.strip()
        if not target:
            return self._anchor(source, link, source.path, (), "self")
        relative_first = link.origin == "markdown"
        found = self._memo.get((target, relative_first))
        if found is None:
            found = self._find(source, target, relative_first)
            if not found[1] and not relative_first and not target.startswith(("./", "../")):
                self._memo[(target, relative_first)] = found  # the linking page's folder played no part
        path, candidates, step = found
        if path is None:
            return _resolution(source.path, link, None, (), None, None)
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
                    return self._exact(candidate, source)
                if candidate[:-3] in self.by_path and candidate.endswith(".md"):
                    return self._exact(candidate[:-3], source)
        stem = stem.lstrip("/")
        for key_variant in (stem, key.lstrip("/")):
            if key_variant in self.by_path:
                return self._exact(key_variant, source)
        if "/" in stem:
            steps = [("suffix", self.by_suffix.get(stem, []) or self.by_suffix.get(key, []))]
        else:
            steps = [("name", self.by_name.get(stem, [])), ("attachment", self.by_attachment.get(key, []))]
        # An alias may hold a slash ("Georgia Tech/Intel paper"), so aliases are tried either way.
        steps.append(("alias", self.by_alias.get(key, [])))
        for step, found in steps:
            if len(found) == 1:
                return found[0], (), step
            if found:
                ranked = sorted(set(found), key=lambda p: (p.rpartition("/")[0] != source.folder, len(p), p))
                return ranked[0], tuple(ranked) if len(ranked) > 1 else (), step
        return None, (), None

    def _exact(self, key: str, source: Page) -> tuple[str, tuple[str, ...], str]:
        """The file at a vault path; case twins (`A.md` and `a.md`, which a case-insensitive match
        cannot tell apart) are candidates like any others: ranked, and ambiguous."""
        owners = self._owners.get(key) or [self.by_path[key]]
        if len(owners) == 1:
            return owners[0], (), "path"
        ranked = tuple(sorted(set(owners), key=lambda p: (p.rpartition("/")[0] != source.folder, len(p), p)))
        return ranked[0], ranked, "path"

    def _anchor(self, source: Page, link: Link, path: str, candidates: tuple[str, ...], step: str | None) -> Resolution:
        missing = None
        if path in self.blocks:  # a page (attachments have no headings)
            if link.block is not None and link.block not in self.blocks[path]:
                missing = "^" + link.block
            elif link.headings and find_heading(self.headings[path], link.headings) is None:
                missing = "#".join(link.headings)
        return _resolution(source.path, link, path, candidates, step, missing)


def _resolution(source: str, link: Link, target: str | None, candidates: tuple[str, ...], step: str | None,
                missing: str | None) -> Resolution:
    """Resolution(...), made fast (see model.made): one per link of the vault, in the serial part
    of a compile."""
    return made(Resolution, {"source": source, "link": link, "target": target, "candidates": candidates,
                             "step": step, "missing_heading": missing})


def find_heading(headings: list[tuple[int, str]], wanted: tuple[str, ...]) -> int | None:
    """The index of the heading `[[T#H1#H2]]` names, or None: H2 must be a heading inside H1's
    section (any depth below it). `headings` holds (level, heading_key(text)) in page order."""
    keys = [heading_key(w) for w in wanted]
    scopes = [(i, len(headings)) for i, (_, text) in enumerate(headings) if text == keys[0]]
    for key in keys[1:]:
        found = []
        for start, stop in scopes:
            level = headings[start][0]
            end = next((j for j in range(start + 1, stop) if headings[j][0] <= level), stop)
            found += [(j, end) for j in range(start + 1, end) if headings[j][1] == key]
        scopes = found
    return scopes[0][0] if scopes else None


def wanted(link: Link) -> set[str]:
    """The keys a link's target can match pages by (see `Index.provides`): its last segment, with and
    without `.md`, and the whole target (an alias may hold a slash)."""
    key = normalise(link.target.strip().replace("\\", "/"))
    last = key.rpartition("/")[2]
    return {key, last, last[:-3] if last.endswith(".md") else last}


def _suffixes(key: str) -> list[str]:
    parts = key.split("/")
    return ["/".join(parts[i:]) for i in range(1, len(parts) - 1)]


def _drop(table: dict[str, list[str]], key: str, path: str) -> None:
    found = table.get(key)
    if found is not None:
        found.remove(path)
        if not found:
            del table[key]


def resolve_all(index: Index, pages: Iterable[Page]) -> list[Resolution]:
    return [index.resolve(page, link) for page in pages for link in page.links]

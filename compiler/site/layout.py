"""Where each vault file lands in the docs tree, and the relative links between them (emit stage).

Vault paths are kept as they are, so a reader recognises them in URLs; only the few that MkDocs would
skip or that collide with the generated pages (home `index.md`, the `vaultc/` folder) are moved.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import quote

GENERATED = "vaultc"  # the folder of generated pages and site assets
HOME = "index.md"
ASSETS = f"{GENERATED}/assets"


def generated(name: str) -> str:
    """The docs path of a generated page: `generated("tickers")` -> `vaultc/tickers.md`."""
    return f"{GENERATED}/{name}.md"


class Layout:
    """Vault path -> docs path, for pages and attachments alike."""

    def __init__(self, pages: Iterable[str], attachments: Iterable[str]) -> None:
        self.docs: dict[str, str] = {}
        taken = {HOME.casefold()}
        # A folder's index.md keeps its name; a README.md beside it is the one that moves.
        for path in sorted(pages, key=lambda p: (p.rpartition("/")[2] == "README.md", p)) + sorted(attachments):
            self.docs[path] = self._claim(_mkdocs_safe(path), taken)

    def _claim(self, wanted: str, taken: set[str]) -> str:
        candidate, n = wanted, 1
        # MkDocs serves README.md as its folder's index.html; keep both when a folder has both.
        while candidate.casefold() in taken or _index_twin(candidate).casefold() in taken:
            stem, dot, ext = wanted.rpartition(".") if "." in wanted.rpartition("/")[2] else (wanted, "", "")
            n += 1
            candidate = f"{stem}-{n}{dot}{ext}"
        taken.add(candidate.casefold())
        taken.add(_index_twin(candidate).casefold())
        return candidate

    def doc(self, path: str) -> str:
        return self.docs[path]


def _mkdocs_safe(path: str) -> str:
    """MkDocs never copies a top-level `templates/` folder, and `vaultc/` and the home page are
    ours: rename just the segments that would clash. (Dot-files are no pages or attachments.)"""
    parts = path.split("/")
    if len(parts) > 1 and parts[0] in ("templates", GENERATED):
        parts[0] += "-vault"
    return "/".join(parts)


def _index_twin(path: str) -> str:
    """The other name MkDocs gives the same URL: `a/README.md` <-> `a/index.md`."""
    folder, _, name = path.rpartition("/")
    twin = {"README.md": "index.md", "index.md": "README.md"}.get(name)  # MkDocs matches these exactly
    if twin is None:
        return path
    return f"{folder}/{twin}" if folder else twin


def relative(from_doc: str, to_doc: str) -> str:
    """A relative, percent-encoded link from one docs file to another (`../tickers/Some%20Page.md`)."""
    return _relative(from_doc.rpartition("/")[0], to_doc)


@lru_cache(maxsize=65536)
def _relative(from_folder: str, to_doc: str) -> str:
    # Keyed by the linking file's folder: every page of a folder shares its entries. Both are
    # clean relative POSIX paths, so plain segment arithmetic does (posixpath.relpath would consult
    # the working directory on every call).
    start = from_folder.split("/") if from_folder else []
    parts = to_doc.split("/")
    common = 0
    while common < len(start) and common < len(parts) - 1 and start[common] == parts[common]:
        common += 1
    return quote("/".join([".."] * (len(start) - common) + parts[common:]), safe="/")


def root_of(doc: str) -> str:
    """The relative prefix from a docs file back to the docs root ("" or "../../")."""
    return "../" * doc.count("/")


def html_url(doc: str) -> str:
    """The URL of a docs page in the built site, relative to the site root (use_directory_urls is
    off, so `tickers/NVDA.md` -> `tickers/NVDA.html` and `README.md` -> `index.html`)."""
    if not doc.endswith(".md"):
        return quote(doc, safe="/")
    folder, _, name = doc[:-3].rpartition("/")
    if name == "README":
        name = "index"
    return quote(f"{folder}/{name}.html" if folder else f"{name}.html", safe="/")

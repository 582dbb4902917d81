"""`vaultc diff`: what changed in the knowledge graph between two compiled vaults (VAULT-SPEC §2),
as text, as Markdown for a pull-request comment, or as JSON.

Both vaults are judged on the same day, so a claim that is newly stale was made stale by an edit
(its date, or its page's max age), not by the calendar. What is compared:

- pages added, removed or renamed (a removed and an added page with the same text, or failing
  that the same file name, are one page that moved);
- the typed edges of companies (ticker pages): `layers`, `constraints`, `sector` and every other
  link-valued frontmatter key or inline field (`competes_with:: [[AMD]]`), by the pages they name;
- dangling links, by page and link text (a line shift is no change);
- claims, by page and text: added, removed, and newly stale or overdue (a claim whose text changed
  where it stands is the new one only).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from ..model import Page

FLAGGED = ("stale", "overdue")


@dataclass
class GraphDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (before, after)
    edges_added: list[tuple[str, str, str]] = field(default_factory=list)  # (company, key, target)
    edges_removed: list[tuple[str, str, str]] = field(default_factory=list)
    dangling_new: list[tuple[str, int, str]] = field(default_factory=list)  # (page, line, link text)
    dangling_fixed: list[tuple[str, str]] = field(default_factory=list)  # (page, link text)
    claims_flagged: list[tuple[str, int, str, str]] = field(default_factory=list)  # (page, line, status, text)
    claims_added: list[tuple[str, int, str]] = field(default_factory=list)
    claims_removed: list[tuple[str, str]] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict, repr=False)  # path -> title, either side

    @property
    def empty(self) -> bool:
        return not any(value for name, value in vars(self).items() if name != "titles")


def diff(before, after) -> GraphDiff:
    """What changed from the compiled vault `before` to `after` (both `compile.Vault`s)."""
    out = GraphDiff()
    out.titles = {**{p: page.title for p, page in before.pages.items()},
                  **{p: page.title for p, page in after.pages.items()}}
    gone = sorted(set(before.pages) - set(after.pages))
    new = sorted(set(after.pages) - set(before.pages))
    moved = _renames([before.pages[p] for p in gone], [after.pages[p] for p in new])
    out.renamed = sorted(moved.items())
    out.removed = [p for p in gone if p not in moved]
    out.added = [p for p in new if p not in moved.values()]
    old_edges, new_edges = _edges(before, moved), _edges(after, {})
    out.edges_added = sorted(new_edges - old_edges)
    out.edges_removed = sorted(old_edges - new_edges)

    def dangling(vault, where: dict[str, str]) -> dict[tuple[str, str], int]:
        return {(where.get(f.path, f.path), f.target or ""): f.line for f in vault.findings
                if f.rule == "dangling-link"}

    old_dangling, new_dangling = dangling(before, moved), dangling(after, {})
    out.dangling_new = sorted((p, line, t) for (p, t), line in new_dangling.items() if (p, t) not in old_dangling)
    out.dangling_fixed = sorted(key for key in old_dangling if key not in new_dangling)

    def claims(vault, where: dict[str, str]) -> dict[tuple[str, str], tuple[int, str]]:
        return {(where.get(v.path, v.path), v.claim.text): (v.claim.line, v.status) for v in vault.verdicts}

    old_claims, new_claims = claims(before, moved), claims(after, {})
    rewritten = set()  # (page, line) of the claims that are new: an old claim there was edited into them
    for (path, text), (line, status) in sorted(new_claims.items()):
        was = old_claims.get((path, text))
        if status in FLAGGED and (was is None or was[1] != status):
            out.claims_flagged.append((path, line, status, text))
        elif was is None:
            out.claims_added.append((path, line, text))
        if was is None:
            rewritten.add((path, line))
    out.claims_removed = sorted((path, text) for (path, text), (line, _) in old_claims.items()
                                if (path, text) not in new_claims and (path, line) not in rewritten)
    return out


def _renames(gone: list[Page], new: list[Page]) -> dict[str, str]:
    """Old path -> new path of the pages that moved: the same text, else the one page of a file
    name on each side."""
    moved: dict[str, str] = {}
    by_text: dict[str, list[str]] = {}
    for page in new:
        by_text.setdefault(page.text, []).append(page.path)
    for page in gone:
        found = by_text.get(page.text)
        if found:
            moved[page.path] = found.pop(0)
    left_new = [p for p in new if p.path not in moved.values()]
    old_names = Counter(p.name for p in gone if p.path not in moved)
    new_names = Counter(p.name for p in left_new)
    for page in gone:
        if page.path not in moved and old_names[page.name] == 1 and new_names[page.name] == 1:
            moved[page.path] = next(p.path for p in left_new if p.name == page.name)
    return moved


def _edges(vault, where: dict[str, str]) -> set[tuple[str, str, str]]:
    """(company, key, target page) of every link-valued frontmatter key or inline field of the
    ticker pages; paths as of `after` (`where` renames the old ones)."""
    edges = set()
    for res in vault.resolutions:
        link = res.link
        if link.key is None or res.target is None or link.origin not in ("frontmatter", "field"):
            continue
        page = vault.pages.get(res.source)
        if page is not None and page.type == "ticker":
            edges.add((where.get(res.source, res.source), link.key, where.get(res.target, res.target)))
    return edges


# --- renderers ---------------------------------------------------------------------------------

def render(found: GraphDiff, fmt: str, before: str, after: str) -> str:
    if fmt == "json":
        data: dict[str, Any] = {"before": before, "after": after, "changed": not found.empty}
        data.update({k: v for k, v in asdict(found).items() if k != "titles"})
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return _markdown(found, before, after) if fmt == "markdown" else _text(found, before, after)


def _sections(found: GraphDiff, name, shown=str) -> list[tuple[str, list[str]]]:
    """(heading, lines) of each non-empty part; `name(path)` shows a page, `shown(text)` a text."""
    def edge(company: str, key: str, target: str) -> str:
        return f"{name(company)} — {shown(key)}: {name(target)}"

    return [(title, rows) for title, rows in (
        ("Pages added", [name(p) for p in found.added]),
        ("Pages removed", [name(p) for p in found.removed]),
        ("Pages renamed", [f"{shown(old)} → {name(new)}" for old, new in found.renamed]),
        ("Company edges added", [edge(*e) for e in found.edges_added]),
        ("Company edges removed", [edge(*e) for e in found.edges_removed]),
        ("New dangling links", [f"{name(p)} line {line}: {shown(f'[[{t}]]')}" for p, line, t in found.dangling_new]),
        ("Dangling links fixed", [f"{name(p)}: {shown(f'[[{t}]]')}" for p, t in found.dangling_fixed]),
        ("Claims newly stale or overdue", [f"{name(p)} line {line} ({status}): {shown(text)}"
                                           for p, line, status, text in found.claims_flagged]),
        ("Claims added", [f"{name(p)} line {line}: {shown(text)}" for p, line, text in found.claims_added]),
        ("Claims removed", [f"{name(p)}: {shown(text)}" for p, text in found.claims_removed]),
    ) if rows]


def _text(found: GraphDiff, before: str, after: str) -> str:
    if found.empty:
        return f"No change in the knowledge graph from {before} to {after}.\n"
    out = [f"Knowledge graph changes from {before} to {after}:"]
    for title, rows in _sections(found, lambda path: path):
        out += ["", f"{title} ({len(rows)}):", *(f"  {row}" for row in rows)]
    return "\n".join(out) + "\n"


def _markdown(found: GraphDiff, before: str, after: str) -> str:
    if found.empty:
        return f"### vaultc diff\n\nNo change in the knowledge graph from `{before}` to `{after}`.\n"

    def name(path: str) -> str:
        title = found.titles.get(path)
        plain = f"`{path.replace('`', '')}`"
        return f"**{_md(title)}** ({plain})" if title and title != path.rsplit("/", 1)[-1][:-3] else plain

    sections = _sections(found, name, _md)
    counts = " · ".join(f"{title.lower()}: {len(rows)}" for title, rows in sections)
    out = ["### vaultc diff", "", f"Knowledge graph changes from `{before}` to `{after}` — {counts}."]
    for title, rows in sections:
        out += ["", f"#### {title}", "", *(f"- {row}" for row in rows)]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    """Text safe inside Markdown emphasis: the characters that would start markup, escaped."""
    return "".join("\\" + c if c in "\\`*_[]<>|#" else c for c in text)

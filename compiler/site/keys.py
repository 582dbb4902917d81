"""What a vault page's docs file is made from, as one digest per page (emit stage): when a page's
digest is the one its file was last written with, the emitter keeps the file and skips rendering
it, so an edit re-renders the edited page, not the vault.

A page's HTML shows its own text, findings and query answers; the text of the sections it embeds
(and of theirs); and of the rest of the vault only what the structure digest covers: every page's
path, title, type, frontmatter, tags, headings and block ids (link text and anchors), every link's
target (backlinks, companies, the panel), the stale-claim counts of the ticker tables, the
attachments and unreadable files. An edit to a page's prose changes its own digest only; an edit
that renames a heading or adds a link changes the structure digest, and every page is rendered again.
"""
from __future__ import annotations

import hashlib

from .context import Site


def render_keys(site: Site) -> dict[str, str]:
    """page path -> the digest of what its docs file shows."""
    vault = site.vault
    structure = hashlib.blake2b(digest_size=16)
    for path in sorted(site.pages):
        page = site.pages[path]
        structure.update(repr((
            path, site.doc(path), page.name, page.title, page.type, sorted(page.meta.items(), key=_first),
            page.aliases, page.tags, [(h.level, h.text) for h in page.headings], sorted(page.block_ids),
            site.claim_counts.get(path, 0))).encode())
    for res in vault.resolutions:  # without line numbers: an edit above a link moves it, nothing else
        link = res.link
        structure.update(repr((res.source, link.raw, link.origin, link.key, link.embed, res.target,
                               res.missing_heading)).encode())
    structure.update(repr((sorted(vault.attachments), sorted(site.unreadable))).encode())
    shared = structure.digest()
    own_findings: dict[str, list] = {}
    for finding in site.findings:
        own_findings.setdefault(finding.path, []).append(tuple(finding))
    embeds: dict[str, set[str]] = {}
    for res in vault.resolutions:
        if res.link.embed and res.target in site.pages:
            embeds.setdefault(res.source, set()).add(res.target)
    keys = {}
    for path, page in site.pages.items():
        digest = hashlib.blake2b(shared, digest_size=16)
        digest.update(page.text.encode("utf-8", "surrogatepass"))
        digest.update(repr(own_findings.get(path, ())).encode())
        digest.update(repr([site.answer(path, query.line) for query in page.queries]).encode())
        for shown in sorted(_embedded(path, embeds)):
            digest.update(b"\0" + shown.encode() + b"\0" + site.pages[shown].text.encode("utf-8", "surrogatepass"))
        keys[path] = digest.hexdigest()
    return keys


def _first(item: tuple) -> str:
    return str(item[0])


def _embedded(path: str, embeds: dict[str, set[str]]) -> set[str]:
    """Every page whose text shows inside `path`: its embeds, theirs, and so on."""
    seen: set[str] = set()
    todo = list(embeds.get(path, ()))
    while todo:
        target = todo.pop()
        if target not in seen:
            seen.add(target)
            todo.extend(embeds.get(target, ()))
    return seen

"""What a vault page's docs file is made from, as one digest per page (emit stage): when a page's
digest is the one its file was last written with, the emitter keeps the file and skips rendering
it, so an edit re-renders the pages it shows on, not the vault.

A page's HTML shows its own text, resolutions, findings and query answers, and of other pages
only their face (path, docs path, title, type, frontmatter, aliases, headings, block ids, stale
claims, whether readable): of the pages it links to, of those linking to it (its backlinks, and on
a layer or constraint the companies naming it, with the faces of what their frontmatter links
to), and of the pages it embeds, whose text, links and findings it shows too (and theirs, and so
on); and the pages and spelling of its tags. A page with a query block shows pages its answer
names, so its digest covers every page's face. The generated pages (home, indexes, health,
tags) and the graph data share one digest of what they show of the whole vault.
tests/test_site_emit.py checks, edit by edit, that a tree emitted this way is the tree a first
emit writes.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict

from .. import __version__
from ..model import sorted_items, stable_bytes
from .context import CLAIM_RULES, Site


def render_keys(site: Site) -> tuple[dict[str, str], str]:
    """(page path -> the digest of what its docs file shows, the digest of what the generated pages
    and the graph data show)."""
    vault, pages = site.vault, site.pages
    faces = _faces(site)
    own = site.by_source  # each page's own resolutions, as the renderer reads them
    linking: dict[str, set[str]] = defaultdict(set)  # target -> pages linking to it
    links: dict[str, set[str]] = defaultdict(set)  # source -> pages it links to
    front: dict[str, set[str]] = defaultdict(set)  # source -> pages its frontmatter links to
    embeds: dict[str, set[str]] = defaultdict(set)
    for res in vault.resolutions:
        if res.target in pages:
            linking[res.target].add(res.source)
            links[res.source].add(res.target)
            if res.link.origin == "frontmatter":
                front[res.source].add(res.target)
            if res.link.embed:
                embeds[res.source].add(res.target)
    findings: dict[str, list] = defaultdict(list)
    for finding in site.findings:
        # a claim's finding as its marker shows it: the message counting its days changes daily
        findings[finding.path].append((finding.rule, finding.line, site.mark_title(finding))
                                      if finding.rule in CLAIM_RULES else _plain(finding))
    # What a page shows of itself, also where another page embeds it. Its links are read from its
    # text with the configuration (both in the digest), so of each resolution only its outcome.
    contents = {path: _digest((path, _text(page.text), [_outcome(res) for res in own.get(path, ())],
                               findings.get(path, ()), _tags(site, page)))
                for path, page in pages.items()}
    settings = _digest((__version__, vault.config))
    everyone = None
    keys = {}
    for path, page in pages.items():
        shown = {path} | _embedded(path, embeds)
        seen: set[str] = set()  # pages whose face shows
        key = hashlib.blake2b(settings, digest_size=16)
        key.update(faces[path])
        for part in sorted(shown):
            key.update(contents[part])
            seen.update(links.get(part, ()))
        for source in linking.get(path, ()):
            seen.add(source)
            seen.update(front.get(source, ()))
        key.update(b"".join(faces[p] for p in sorted(seen)))
        if page.queries:
            if everyone is None:
                everyone = _digest(sorted(faces.items()))
            key.update(everyone + _digest([site.answer(path, query.line) for query in page.queries]))
        keys[path] = key.hexdigest()
    return keys, _generated_key(site, settings, faces)


def _generated_key(site: Site, settings: bytes, faces: dict[str, bytes]) -> str:
    """What the home, index, health and tag pages and the graph data show: every page's face and
    the lines of its headings, where every link led (and as which relation), every finding and the
    words of every flagged claim, the sectors' opening prose, the attachments, the day and git's
    recent changes. A prose edit that moves no finding leaves it as it was."""
    vault, pages = site.vault, site.pages
    key = hashlib.blake2b(settings, digest_size=16)
    key.update(b"".join(faces[path] for path in sorted(pages)))
    shapes = vault.page_digests(_shape)
    key.update(b"".join(shapes[path] for path in pages))  # in the resolutions' order, page by page
    key.update(_digest((
        vault.today.isoformat(), vault.root.resolve().name, site.recent, vault.attachments,
        # where each link led, or the name it asked for: with the shapes, every link's relation
        [res.target if res.target is not None else (res.link.target,) for res in vault.resolutions],
        [_plain(finding) for finding in site.findings],
        sorted((v.path, v.claim.line, v.claim.expression, v.status, v.claim.text) for v in site.flagged_claims.values()),
        [[b.text for b in page.blocks if b.kind == "paragraph"] for page in pages.values() if page.type == "sector"])))
    return key.hexdigest()


def _shape(page) -> bytes:
    """Of one page, what the generated pages show besides its face: the lines of its body and
    headings, and its links (one resolution each, in order) as relations: where written, under
    which key, whether embedded."""
    return _digest((page.path, page.body_line, [h.line for h in page.headings],
                    [(link.origin, link.key, link.embed) for link in page.links]))


def _digest(value) -> bytes:
    return hashlib.blake2b(stable_bytes(value), digest_size=16).digest()


def _text(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _plain(finding) -> tuple:
    """A finding as builtin values (the severity's repr as an enum is Python code: 26,000 of them
    were a tenth of the render keys on 10,000 pages)."""
    return (finding.rule, int(finding.severity), *finding[2:])


def _outcome(res) -> tuple:
    """Where a link led (the link itself is in its page's text)."""
    return (res.target, res.candidates, res.step, res.missing_heading)


def _faces(site: Site) -> dict[str, bytes]:
    """What another page can show of each page: its name and title, type and frontmatter, where its
    headings and blocks are (_page_face), its docs path, its count of stale claims, and whether it
    could be read."""
    own, doc, counts, unreadable = site.vault.page_digests(_page_face), site.doc, site.claim_counts, site.unreadable
    return {path: _digest((own[path], doc(path), counts.get(path, 0), path in unreadable)) for path in site.pages}


def _page_face(page) -> bytes:
    return _digest((page.path, page.name, page.title, page.type, sorted_items(page.meta), page.aliases, page.tags,
                    [(h.level, h.text) for h in page.headings], sorted(page.block_ids)))


def _tags(site: Site, page) -> list:
    """Each tag of the page with the spelling and page the site gives it."""
    return [(tag, site.tags.heading(tag.casefold()), site.tags.doc(tag.casefold())) for tag in page.tags if tag]


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

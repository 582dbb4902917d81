"""Digests of what the RDF stage makes its outputs from (RDF stage), computed without building
them, nor importing rdflib: the site keeps last run's graph file while its digest is the same.
"""
from __future__ import annotations

import hashlib

from ..model import sorted_items, stable_bytes, values


def graphs_key(vault) -> str:
    """A digest of everything page_graphs reads (emit.py): each page's properties, fields and
    claims, where each of its links led (with the target's type, and the link's place where a
    graph reads it), the claims' statuses, the day, max age and base IRI, and vaultc's version,
    which fixes the vocabulary: equal digests, equal graphs. An edit to a page's prose that moves no
    claim, nor a link to a source, leaves it as it was."""
    from .. import __version__

    digest = hashlib.blake2b(digest_size=16)
    max_age = getattr(vault, "max_age", None) or vault.config.max_age_days
    digest.update(repr((__version__, vault.config.base_iri, vault.today, max_age)).encode())
    pages = vault.pages
    facts = vault.page_digests(_facts)
    digest.update(b"".join(facts[path] for path in sorted(pages)))
    # each judged claim's status, the claim named by its place among its page's claims (in the facts)
    place = {id(claim): n for page in pages.values() for n, claim in enumerate(page.claims)}
    digest.update(stable_bytes([(v.path, place.get(id(v.claim)), v.status) for v in vault.verdicts]))
    types = {path: page.type for path, page in pages.items()}
    digest.update(stable_bytes([_edge(res, types) for res in vault.resolutions]))
    return digest.hexdigest()


def _facts(page) -> bytes:
    """What a page's graph reads of the page alone."""
    return hashlib.blake2b(repr((page.path, page.title, page.type, sorted_items(page.meta), page.aliases, page.tags,
                                 [(f.key, f.value) for f in page.fields], page.fiscal_year_end,
                                 [values(claim) for claim in page.claims])).encode(), digest_size=16).digest()


def _edge(res, types: dict[str, str]) -> tuple:
    """What a page's graph takes from one of its resolutions (emit.py's _link): the target and its
    type, the step (a link to the page itself is no edge), where the link sits (frontmatter or field,
    and its key), its text when it dangles, and its line when it cites a source (claims on that line
    are derived from the source)."""
    link, kind = res.link, types.get(res.target)
    return (res.source, res.target, res.step, kind, link.origin, link.key,
            link.text if res.target is None else None, link.line if kind == "source" else None)

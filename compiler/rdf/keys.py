"""Digests of what the RDF stage makes its outputs from (RDF stage), computed without building
them, nor importing rdflib: the site keeps last run's graph file while its digest is the same.
"""
from __future__ import annotations

import hashlib

from ..model import sorted_items, values


def graphs_key(vault) -> str:
    """A digest of everything page_graphs reads (each page's properties, fields and claims, its
    links with their lines and targets' types, its backlinks, the claims' statuses, the day, max
    age and base IRI), and of vaultc's version, which fixes the vocabulary: equal digests, equal
    graphs. An edit to a page's prose that moves no claim or link leaves it as it was."""
    from .. import __version__

    status = {id(v.claim): v.status for v in vault.verdicts}
    digest = hashlib.blake2b(digest_size=16)
    max_age = getattr(vault, "max_age", None) or vault.config.max_age_days
    digest.update(repr((__version__, vault.config.base_iri, vault.today, max_age)).encode())
    pages = vault.pages
    for path in sorted(pages):
        page = pages[path]
        digest.update(repr((path, page.name, page.title, page.type, sorted_items(page.meta),
                            page.aliases, page.tags, [values(f) for f in page.fields], page.fiscal_year_end,
                            [(values(claim), status.get(id(claim))) for claim in page.claims])).encode())
    for res in vault.resolutions:
        target = pages.get(res.target) if res.target is not None else None
        digest.update(repr((res.source, values(res.link), res.target, res.step,
                            target.type if target else None)).encode())
    return digest.hexdigest()

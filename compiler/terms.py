"""The names of VAULT-SPEC §3's vocabulary that more than the RDF emitter needs: which `vc:` terms
exist, which frontmatter keys have terms of their own, and how any other key or inline field is
named. The `reserved-field` rule (rules/) and the emitter (rdf/) both read them here."""
from __future__ import annotations

from urllib.parse import quote

VC_CLASSES = ("Page", "Sector", "Ticker", "Source", "Layer", "Constraint", "Comparison", "Claim", "Compilation")
VC_PROPERTIES = (
    "path", "linksTo", "danglingLink", "inSector", "inLayer", "exposedTo", "compares", "cites",
    "hasClaim", "text", "line", "kind", "start", "end", "status",
    "backlinkCount", "staleClaimCount", "overdueClaimCount",
    "tag", "exchange", "fiscalYearEndMonth", "today", "maxAgeDays", "pageCount",
)
# Frontmatter keys with terms of their own (§3); every other key is `vc:<key>`.
LINK_EDGE_KEYS = ("sector", "layers", "constraints", "companies")
MAPPED_KEYS = frozenset({"type", "title", "aliases", "alias", "tags", "updated", "ticker", "name", "exchange",
                         "fiscal_year_end", "author", "publisher", "published", "url", "code", *LINK_EDGE_KEYS})


def key_term(key: str) -> str:
    """The local name `vc:` gives a frontmatter key or inline field: as written, spaces as `_`, and
    what an IRI cannot hold percent-encoded."""
    return quote(key.strip().replace(" ", "_"), safe="_-.~!$&'()*+,;=:@")


def reserved(key: str, origin: str) -> bool:
    """Whether a frontmatter key (`origin` "frontmatter") or inline field would overwrite a term of
    the vocabulary: `path::` would say what the compiler says of the page, wrongly."""
    if origin == "frontmatter" and key in MAPPED_KEYS:
        return False
    return key_term(key) in _TERMS


_TERMS = frozenset(VC_CLASSES + VC_PROPERTIES)

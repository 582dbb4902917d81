"""HTTP content negotiation for the endpoint: which of the formats we offer a client's `Accept`
header prefers (RFC 9110 §12.5.1: quality values, `type/*` and `*/*` ranges).
"""
from __future__ import annotations

from collections.abc import Sequence

# (media type, format key), in our order of preference: the first is what `*/*` gets.
RESULT_TYPES = (
    ("application/sparql-results+json", "json"), ("application/json", "json"),
    ("application/sparql-results+xml", "xml"), ("application/xml", "xml"),
    ("text/csv", "csv"), ("text/tab-separated-values", "tsv"),
    ("text/xml", "xml"),  # last: a client asking `text/*` wants CSV, not this old alias
)
GRAPH_TYPES = (
    ("text/turtle", "turtle"), ("application/ld+json", "jsonld"), ("application/n-triples", "ntriples"),
    ("application/rdf+xml", "rdfxml"), ("application/x-turtle", "turtle"), ("application/json", "jsonld"),
)
GRAPH_MEDIA = {"turtle": "text/turtle; charset=utf-8", "jsonld": "application/ld+json",
               "ntriples": "application/n-triples", "rdfxml": "application/rdf+xml"}


def choose(accept: str | None, offers: Sequence[tuple[str, str]]) -> str | None:
    """The format key of the offer the client likes best, None when it accepts none of them."""
    ranges = _parse(accept) if accept and accept.strip() else [("*/*", 1.0)]
    best, best_q = None, 0.0
    for media, key in offers:
        q = _quality(media, ranges)
        if q > best_q:  # strictly better: among equals our own order wins
            best, best_q = key, q
    return best


def _parse(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        if media:
            ranges.append((media.lower(), q))
    return ranges


def _quality(media: str, ranges: list[tuple[str, float]]) -> float:
    """The q of the most specific range matching `media` (an exact type beats `type/*` beats `*/*`)."""
    kind = media.split("/")[0]
    found, specificity = 0.0, -1
    for pattern, q in ranges:
        if pattern == media:
            level = 2
        elif pattern == f"{kind}/*":
            level = 1
        elif pattern == "*/*":
            level = 0
        else:
            continue
        if level > specificity:
            found, specificity = q, level
    return found

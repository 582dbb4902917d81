"""The site's Query page: SPARQL answered in the reader's browser, offline, over the vault's graph
shipped with the site.

Oxigraph's WebAssembly build is the engine, YASQE the editor (syntax highlighting, prefixes) and
YASR the result tables; all three come from npm (package.json) and are copied into the site. The
page itself is a box the site script (vaultc.js) finds and fills by loading query.js; the graph is
`vault.trig`, the configuration (prefixes, base IRI, canned queries, each page IRI's URL) is
`query-config.json`. Browsers load WebAssembly modules only over HTTP, so opened from `file://`
the page says so instead.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from .layout import ASSETS

QUERY = "vaultc/query.md"
DATASET = f"{ASSETS}/vault.trig"
CONFIG = f"{ASSETS}/query-config.json"


@dataclass(frozen=True)
class QueryData:
    """What the Query page serves, from the RDF stage (commands/site.py puts it together). Each
    file is made only when asked: the emitter keeps last run's while its key, a digest of what it
    is made from, is the same (an edit that changes no claim, link or page keeps both, and the
    RDF stage is not even imported)."""

    # the vault's graph as TriG: one named graph per page, and the vocabulary's
    dataset: Callable[[], bytes]
    dataset_key: str
    config: Callable[[], QueryConfig]
    config_key: str


@dataclass(frozen=True)
class QueryConfig:
    base: str
    prefixes: dict[str, str]
    canned: dict[str, tuple[str, str]]  # name -> (summary, query)
    pages: dict[str, str] = field(default_factory=dict)  # page IRI -> vault path


def query_page(root: str) -> list[str]:
    """The page's Markdown lines; `root` leads from the page to the site's root."""
    return [
        "---", "title: Query", "hide:", "  - toc", "---", "",
        "# Query", "",
        "Ask the vault's knowledge graph in SPARQL, here in your browser: nothing is sent anywhere. "
        "The graph is the one `vaultc export` writes, one named graph per page (the default graph is "
        "their union); the prefixes `vc:`, `schema:`, `skos:`, `prov:`, `dcterms:`, `xsd:`, `rdf:` and "
        "`rdfs:` are declared, and `<tickers/NVDA>` names a page. Pick an example or write your own; "
        "Ctrl+Enter runs it.", "",
        f"<div class='vaultc-query' data-root='{root}'><p class='vaultc-query-status'>"
        "The query editor needs JavaScript.</p></div>", "",
    ]


def config_json(data: QueryConfig, url_of) -> bytes:
    """The page's configuration file; `url_of(path)` is a page's URL from the site's root."""
    config = {
        "base": data.base,
        "prefixes": data.prefixes,
        "canned": [{"name": name, "summary": summary, "query": text}
                   for name, (summary, text) in data.canned.items()],
        "pages": {iri: url_of(path) for iri, path in data.pages.items()},
    }
    return json.dumps(config, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

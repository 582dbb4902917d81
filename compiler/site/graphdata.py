"""The graph view's data (emit stage): the vault graph as one compact script for the site — every
node with its type and URL (none for missing targets), every linked pair once. The global graph
draws all of it; each page's local graph picks its own neighbourhood from it in the browser, so
pages carry only their own URL and stay small for MkDocs to render.
"""
from __future__ import annotations

import json

from .context import Site
from .layout import html_url

TYPES = ["sector", "ticker", "source", "layer", "constraint", "compare", "note", "attachment", "missing"]
LOCAL_LIMIT = 24  # neighbours a local graph shows (the best linked): a hub would draw the whole vault


def global_graph(site: Site) -> dict:
    """{"types": [...], "local": N, "nodes": [[label, type index, url or null], ...],
    "edges": [[i, j], ...]}."""
    graph = site.vault.graph
    nodes = sorted(graph.nodes)
    number = {node: i for i, node in enumerate(nodes)}
    encoded = []
    for node in nodes:
        data = graph.nodes[node]
        kind = data["type"] if data["type"] in TYPES else "note"
        url = None if data["missing"] else html_url(site.doc(node))
        encoded.append([data["title"], TYPES.index(kind), url])
    pairs = {(number[s], number[t]) for s, t in graph.edges() if s != t}
    return {"types": TYPES, "local": LOCAL_LIMIT, "nodes": encoded, "edges": sorted(pairs)}


def graph_script(site: Site) -> str:
    """A script, not JSON to fetch: browsers refuse fetch() on file:// pages, and the site has to
    work opened straight from disk."""
    data = json.dumps(global_graph(site), separators=(",", ":"), ensure_ascii=False)
    return f"window.VAULTC_GRAPH = {data};\n"

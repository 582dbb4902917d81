"""The graph view's data (emit stage): the vault graph as one compact script for the site — every
node with its type, URL (none for missing targets) and place, every linked pair once. The global
graph draws all of it; each page's local graph picks its own neighbourhood from it in the browser,
so pages carry only their own URL and stay small for MkDocs to render.

Places are computed here, once per build and the same every build (networkx's spring layout with a
fixed seed), so nodes stay where readers learned them; past PLACED_MAX nodes the browser arranges
them in rings by degree instead, which is as stable and costs nothing to compute.
"""
from __future__ import annotations

import json

from .context import Site
from .layout import html_url

TYPES = ["sector", "ticker", "source", "layer", "constraint", "compare", "note", "attachment", "missing"]
LOCAL_LIMIT = 24  # neighbours a local graph shows (the best linked): a hub would draw the whole vault
# Nodes laid out here: networkx's dense spring layout (numpy), which it uses below 500 nodes (past
# that it wants scipy's sparse matrices, a large dependency for a picture).
PLACED_MAX = 499


def global_graph(site: Site) -> dict:
    """{"types": [...], "local": N, "nodes": [[label, type index, url or null, x, y], ...],
    "edges": [[i, j], ...]} (x and y in 0..1000, or absent past PLACED_MAX nodes)."""
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
    if 1 < len(nodes) <= PLACED_MAX:
        for node, (x, y) in _places(nodes, sorted(pairs)).items():
            encoded[node] += [x, y]
    return {"types": TYPES, "local": LOCAL_LIMIT, "nodes": encoded, "edges": sorted(pairs)}


def _places(nodes: list, pairs: list[tuple[int, int]]) -> dict[int, tuple[int, int]]:
    """Node number -> (x, y) on a 1000-unit square: the spring layout of the undirected graph,
    from a fixed seed (the same vault draws the same picture)."""
    import networkx as nx  # here: an edit's emit that keeps the graph data never needs networkx

    undirected = nx.Graph()
    undirected.add_nodes_from(range(len(nodes)))
    undirected.add_edges_from(pairs)
    # k a little over networkx's default spreads the hubs' many leaves apart
    places = nx.spring_layout(undirected, seed=7, k=1.6 / len(nodes) ** 0.5, iterations=80)
    return {node: (round(500 + 480 * x), round(500 + 480 * y)) for node, (x, y) in places.items()}


def graph_script(site: Site) -> str:
    """A script, not JSON to fetch: browsers refuse fetch() on file:// pages, and the site has to
    work opened straight from disk."""
    data = json.dumps(global_graph(site), separators=(",", ":"), ensure_ascii=False)
    return f"window.VAULTC_GRAPH = {data};\n"

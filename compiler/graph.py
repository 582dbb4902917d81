"""The knowledge graph: one networkx MultiDiGraph built once per compile, and small functions over it.

Nodes are vault paths (pages and attachments) plus `missing:<target>` nodes for unresolved targets
(Obsidian's graph shows them too). Every edge carries `relation`: `links_to`, `embeds`, a frontmatter
key (`sector`, `layers`, `constraints`, `companies`, …) or an inline-field key.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from .model import Page, Resolution
from .names import normalise

if TYPE_CHECKING:  # imported where a graph is built: a warm `vaultc check` never builds one
    import networkx as nx

MISSING = "missing:"


def build_graph(pages: Mapping[str, Page], attachments: Iterable[str], resolutions: Iterable[Resolution]) -> nx.MultiDiGraph:
    import networkx as nx

    graph = nx.MultiDiGraph()
    for path, page in pages.items():
        graph.add_node(path, kind="page", type=page.type, title=page.title, missing=False)
    for path in attachments:
        graph.add_node(path, kind="attachment", type="attachment", title=path.rpartition("/")[2], missing=False)
    for res in resolutions:
        link = res.link
        if res.target is None:
            target = MISSING + normalise(link.target)
            if target not in graph:
                graph.add_node(target, kind="missing", type="missing", title=link.target, missing=True)
        else:
            target = res.target
        graph.add_edge(res.source, target, relation=relation_of(res), origin=link.origin, line=link.line)
    return graph


def relation_of(res: Resolution) -> str:
    link = res.link
    if link.key:
        return link.key
    return "embeds" if link.embed else "links_to"


def orphans(pages: Iterable[str], resolutions: Iterable[Resolution]) -> list[str]:
    """Pages no other page links to (read from the resolutions: no graph needs building)."""
    linked = {res.target for res in resolutions if res.target is not None and res.target != res.source}
    return sorted(path for path in pages if path not in linked)

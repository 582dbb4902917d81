"""The emitted quads in an Oxigraph store: in memory for `query` and `export`, as an N-Quads file
for the endpoint's worker processes. rdflib sees the same store through oxrdflib.
"""
from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from .emit import Quad, gc_paused
from .vocab import PREFIXES


def oxigraph_store(quads: Iterable[Quad]) -> ox.Store:
    """An in-memory Oxigraph store holding `quads`. Loading through pyoxigraph directly is many
    times faster than rdflib's `Dataset.addN`, which also dispatches an event per quad."""
    store = ox.Store()
    with gc_paused():
        store.extend(to_oxigraph(quads))
    return store


def to_oxigraph(quads: Iterable[Quad]) -> list[ox.Quad]:
    named: dict[str, ox.NamedNode] = {}  # IRIs repeat a lot (predicates, classes, graph names)

    def term(node: Node):
        if isinstance(node, URIRef):
            found = named.get(node)
            if found is None:
                found = named[node] = ox.NamedNode(node)
            return found
        if isinstance(node, Literal):
            if node.language:
                return ox.Literal(str(node), language=node.language)
            datatype = term(node.datatype) if node.datatype else None
            return ox.Literal(str(node), datatype=datatype)
        if isinstance(node, BNode):
            return ox.BlankNode(str(node))
        raise TypeError(f"not an RDF term: {node!r}")

    return [ox.Quad(term(s), term(p), term(o), term(g)) for s, p, o, g in quads]


def rdflib_dataset(store: ox.Store) -> Dataset:
    """rdflib's view of the Oxigraph store. The default graph is the union of the page graphs, as
    users expect when they write a query without GRAPH."""
    dataset = Dataset(store=OxigraphStore(store=store), default_union=True)
    # Only the prefixes VAULT-SPEC declares, not rdflib's thirty defaults: a query that runs here
    # must run the same on the endpoint.
    dataset.namespace_manager = NamespaceManager(dataset, bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace, override=True, replace=True)
    return dataset

"""The emitted quads in an Oxigraph store: in memory for `query` and `export`, as an N-Quads file
for the endpoint's worker processes.
"""
from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from . import results
from .emit import Quad, gc_paused
from .guard import names_dataset
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


def vault_options(text: str, base: str) -> dict:
    """How `vaultc query` and the query blocks ask the store: VAULT-SPEC's prefixes, the base IRI
    (`<tickers/NVDA>` names a page), and the union of the page graphs unless the query names its
    own dataset (FROM)."""
    options = {"base_iri": base, "prefixes": PREFIXES}
    if not names_dataset(text):
        options["use_default_graph_as_union"] = True
    return options


def oxigraph_term(node) -> results.Term | None:
    """A term of an answer, as results.py writes it out."""
    if node is None:
        return None
    if isinstance(node, ox.NamedNode):
        return results.uri(node.value)
    if isinstance(node, ox.BlankNode):
        return results.bnode(node.value)
    if isinstance(node, ox.Literal):
        return results.literal(node.value, node.datatype.value, node.language)
    return results.literal(str(node))  # an RDF-star triple term: shown as text

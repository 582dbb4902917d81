"""`vaultc export`: the emitted graph as Turtle, N-Triples, TriG or JSON-LD.

Turtle and N-Triples hold triples only, so they carry the union of the page graphs; TriG and
JSON-LD keep one named graph per page. Oxigraph's serialisers write the first three (rdflib's
take minutes on a large vault); JSON-LD is written here, compacted with the vocabulary's prefixes,
which Oxigraph does not do.
"""
from __future__ import annotations

import json
from collections.abc import Sequence

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from .emit import PageGraph, gc_paused, quads
from .store import to_oxigraph
from .vocab import PREFIXES, RDF, XSD

FORMATS = ("turtle", "jsonld", "ntriples", "trig")


def export(graphs: Sequence[PageGraph], fmt: str) -> bytes:
    with gc_paused():
        if fmt == "jsonld":
            return json_ld(graphs)
        converted = to_oxigraph(quads(graphs))
        if fmt == "trig":
            return ox.serialize(converted, format=ox.RdfFormat.TRIG, prefixes=PREFIXES) or b""
        triples = [q.triple for q in converted]
        rdf_format = ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.N_TRIPLES
        return ox.serialize(triples, format=rdf_format, prefixes=PREFIXES) or b""


def json_ld(graphs: Sequence[PageGraph]) -> bytes:
    """JSON-LD 1.1: one `@graph` object per page graph, properties and types as compact IRIs."""
    compact = _Compactor()
    document = {
        "@context": dict(PREFIXES),
        "@graph": [{"@id": str(graph.name), "@graph": _nodes(graph, compact)} for graph in graphs],
    }
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _nodes(graph: PageGraph, compact: "_Compactor") -> list[dict]:
    nodes: dict[str, dict] = {}
    for s, p, o in graph.triples:
        node = nodes.setdefault(_id(s), {"@id": _id(s)})
        if p == RDF.type and isinstance(o, URIRef):
            node.setdefault("@type", []).append(compact(o))
        else:
            node.setdefault(compact(p), []).append(_value(o, compact))
    # A property with one value is written as that value, as people write JSON-LD by hand.
    return [{key: value[0] if isinstance(value, list) and len(value) == 1 else value
             for key, value in node.items()} for node in nodes.values()]


def _id(node) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def _value(node, compact: "_Compactor"):
    if isinstance(node, Literal):
        if node.language:
            return {"@value": str(node), "@language": node.language}
        if node.datatype is None or node.datatype == XSD.string:
            return str(node)
        if node.datatype == XSD.integer:
            return int(node)  # a JSON number is an xsd:integer in JSON-LD
        return {"@value": str(node), "@type": compact(node.datatype)}
    return {"@id": _id(node)}


class _Compactor:
    """`https://w3id.org/vaultc#path` -> `vc:path`, for the declared prefixes."""

    def __init__(self) -> None:
        self._known: dict[str, str] = {}
        self._namespaces = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))

    def __call__(self, iri: URIRef) -> str:
        found = self._known.get(iri)
        if found is None:
            found = str(iri)
            for prefix, namespace in self._namespaces:
                local = found[len(namespace):]
                if found.startswith(namespace) and local and ":" not in local and "/" not in local:
                    found = f"{prefix}:{local}"
                    break
            self._known[iri] = found
        return found

"""SHACL validation of the emitted graph against the shipped shapes (pyshacl), used by
`vaultc export --validate` and the tests. The union of the page graphs is validated, because
some shapes follow edges across pages (a claim's prov:wasDerivedFrom names a source page).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph

from .emit import PageGraph
from .vocab import resource_text


@dataclass(frozen=True)
class Validation:
    conforms: bool
    report: str  # pyshacl's text report


def validate(graphs: Iterable[PageGraph]) -> Validation:
    from pyshacl import validate as shacl  # imported late: it is slow to import and rarely needed

    data = Graph()
    for graph in graphs:
        for triple in graph.triples:
            data.add(triple)
    shapes = Graph().parse(data=resource_text("shapes.ttl"), format="turtle")
    # Warnings (a ticker page without `ticker`) are reported but do not fail the validation.
    conforms, _, text = shacl(data, shacl_graph=shapes, inference="none",
                              allow_warnings=True, advanced=True)
    return Validation(bool(conforms), text)

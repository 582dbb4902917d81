"""The RDF vocabulary of VAULT-SPEC §3: namespaces and terms, instance IRIs, and the files shipped
beside this module (the vocabulary itself, its SHACL shapes and the canned queries).
"""
from __future__ import annotations

from importlib import resources
from urllib.parse import quote

from rdflib import URIRef

from ..terms import VC_CLASSES, VC_PROPERTIES


class Namespace:
    """The terms of one namespace as plain attributes. rdflib's own Namespace builds and validates
    a new URIRef on every attribute access, which is most of the emitter's time on a large vault."""

    def __init__(self, iri: str, *names: str) -> None:
        self.iri = iri
        self.names = names
        for name in names:
            setattr(self, name, URIRef(iri + name))

    def __getitem__(self, name: str) -> URIRef:  # terms made from the vault, e.g. inline-field keys
        return URIRef(self.iri + name)


VC = Namespace("https://w3id.org/vaultc#", *VC_CLASSES, *VC_PROPERTIES)
SCHEMA = Namespace("http://schema.org/", "Corporation", "tickerSymbol", "name", "alternateName", "url")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#", "Concept", "prefLabel", "altLabel", "notation")
PROV = Namespace("http://www.w3.org/ns/prov#", "Entity", "wasDerivedFrom")
DCTERMS = Namespace("http://purl.org/dc/terms/", "title", "modified", "creator", "publisher", "issued")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#", "string", "date", "integer", "decimal", "boolean")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "type")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#", "label", "comment")

# Pre-declared in every query (VAULT-SPEC §2) and used when serialising.
PREFIXES: dict[str, str] = {
    "vc": VC.iri, "schema": SCHEMA.iri, "skos": SKOS.iri, "prov": PROV.iri, "dcterms": DCTERMS.iri,
    "xsd": XSD.iri, "rdf": RDF.iri, "rdfs": RDFS.iri,
}


def instance_iri(base: str, path: str) -> str:
    """`<base>` + the vault path without `.md`, percent-encoded (slashes kept, so the IRI reads
    like the path). Attachments keep their extension: they are files, not pages."""
    stem = path[:-3] if path.lower().endswith(".md") else path
    return base + quote(stem, safe="/")


def resource_text(name: str) -> str:
    """A file shipped in this package (`vaultc.ttl`, `shapes.ttl`)."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def canned_queries() -> dict[str, str]:
    """Name -> text of each shipped `queries/*.rq` file, sorted by name."""
    folder = resources.files(__package__).joinpath("queries")
    found = {entry.name[:-3]: entry.read_text(encoding="utf-8")
             for entry in folder.iterdir() if entry.name.endswith(".rq")}
    return dict(sorted(found.items()))

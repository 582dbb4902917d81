"""`vaultc sparql` driven by third-party clients, side by side with a real Oxigraph server holding
the same quads: SPARQLWrapper (every query form, with its defaults and with each return format,
by GET, form POST and direct POST) and rdflib's SPARQLStore. Every combination that works against
`oxigraph serve` must work against vaultc's endpoint with the same answer."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
import urllib.error
import urllib.request
import warnings
import xml.dom.minidom
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (CSV, GET, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDF, RDFXML, TSV, TURTLE, URLENCODED,
                           XML, SPARQLWrapper)
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from compiler.compile import compile as compile_vault
from compiler.config import load_config
from compiler.rdf.emit import quads, vocabulary_graph
from compiler.rdf.endpoint import Limits, SparqlEndpoint
from compiler.rdf.store import to_oxigraph
from conftest import OxigraphServer

# SPARQLWrapper and rdflib's JSON-LD parser still build ConjunctiveGraphs, which rdflib deprecates.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

VAULT = Path(__file__).parent.parent / "vault"
TODAY = dt.date(2026, 12, 7)
ID = "https://w3id.org/vaultc/id/"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
NVDA = ID + "tickers/NVDA"
PREFIXES = """PREFIX vc: <https://w3id.org/vaultc#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
"""
QUERIES = {
    "select": PREFIXES + 'SELECT ?c ?t WHERE { ?c vc:inLayer ?l ; schema:tickerSymbol ?t . ?l skos:notation "L1" }',
    "ask": PREFIXES + 'ASK { ?c schema:tickerSymbol "NVDA" }',
    "construct": PREFIXES + "CONSTRUCT { ?c vc:inLayer ?l } WHERE { ?c vc:inLayer ?l }",
    "describe": f"DESCRIBE <{NVDA}>",
}
FORMATS = [None, JSON, XML, CSV, TSV, TURTLE, N3, RDF, RDFXML, JSONLD]  # None: SPARQLWrapper's default
METHODS = {"GET": (GET, None), "POST form": (POST, URLENCODED), "POST direct": (POST, POSTDIRECTLY)}


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """(vaultc's endpoint URL, Oxigraph's query URL, the vault), both holding the vault's quads."""
    vault = compile_vault(VAULT, load_config(VAULT), TODAY)
    graphs = vault.graphs
    oxigraph = OxigraphServer(tmp_path_factory.mktemp("oxigraph"), "--union-default-graph").start()
    try:
        _load(oxigraph.url, [*graphs, vocabulary_graph()])  # what the endpoint holds
        limits = Limits(time_limit=4.0, max_rows=100_000, workers=2)
        with SparqlEndpoint(graphs, vault.config.base_iri, limits=limits) as ours:
            yield ours.url, f"{oxigraph.url}/query", vault
    finally:
        oxigraph.stop()


def _load(base: str, graphs) -> None:
    body = ox.serialize(to_oxigraph(quads(graphs)), format=ox.RdfFormat.N_QUADS)
    request = urllib.request.Request(f"{base}/store", data=body, method="POST",
                                     headers={"Content-Type": "application/n-quads"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status in (200, 201, 204)


# --- answers, whatever shape the client gave them -------------------------------------------------

def _term(kind: str, value: str, datatype: str | None = None, lang: str | None = None) -> tuple:
    if kind == "literal" and datatype is None and lang is None:
        datatype = "http://www.w3.org/2001/XMLSchema#string"
    return kind, value, datatype, lang


def _from_json(data: dict):
    if "boolean" in data:
        return bool(data["boolean"])
    return sorted(tuple(sorted((name, _term(t["type"] if t["type"] != "typed-literal" else "literal", t["value"],
                                            t.get("datatype"), t.get("xml:lang")))
                               for name, t in row.items()))
                  for row in data["results"]["bindings"])


def _from_xml(document: xml.dom.minidom.Document):
    booleans = document.getElementsByTagName("boolean")
    if booleans:
        return booleans[0].firstChild.data.strip() == "true"
    rows = []
    for result in document.getElementsByTagName("result"):
        row = []
        for binding in result.getElementsByTagName("binding"):
            node = next(n for n in binding.childNodes if n.nodeType == n.ELEMENT_NODE)
            text = node.firstChild.data if node.firstChild is not None else ""
            row.append((binding.getAttribute("name"),
                        _term(node.tagName, text, node.getAttribute("datatype") or None,
                              node.getAttribute("xml:lang") or None)))
        rows.append(tuple(sorted(row)))
    return sorted(rows)


def _from_table(text: str, delimiter: str):
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if delimiter == "\t":  # TSV terms are written in Turtle syntax: compare them as terms
        rows = [rows[0], *([_tsv_term(cell) for cell in row] for row in rows[1:])]
    head, body = rows[0], rows[1:]
    return [tuple(head)] + sorted(tuple(row) for row in body)


def _tsv_term(cell: str) -> str:
    if not cell:
        return ""
    parsed = rdflib.util.from_n3(cell)
    return parsed.n3() if isinstance(parsed, rdflib.Literal) else str(parsed)


def _graph_triples(graph: rdflib.Graph) -> set:
    return {(s.n3(), p.n3(), o.n3()) for s, p, o in graph}


def normalise(result):
    """The answer as comparable data: a bool, sorted rows of terms, or a set of triples."""
    converted = result.convert()
    kind = (result.info().get("content-type") or "").split(";")[0].strip()
    if isinstance(converted, dict):
        return _from_json(converted)
    if isinstance(converted, xml.dom.minidom.Document):
        return _from_xml(converted)
    if isinstance(converted, rdflib.Graph):
        return _graph_triples(converted)
    text = converted.decode("utf-8") if isinstance(converted, bytes) else converted
    if kind in ("text/csv", "text/tab-separated-values"):
        return _from_table(text, "," if kind == "text/csv" else "\t")
    graph = rdflib.Graph().parse(data=text, format={"application/n-triples": "nt"}.get(kind, "turtle"))
    return _graph_triples(graph)


def ask(url: str, sparql: str, fmt: str | None, method: str):
    client = SPARQLWrapper(url)
    client.setQuery(sparql)
    if fmt is not None:
        client.setReturnFormat(fmt)
    http_method, request_method = METHODS[method]
    client.setMethod(http_method)
    if request_method is not None:
        client.setRequestMethod(request_method)
    with warnings.catch_warnings():  # "format requested was N3, but XML was returned": fine for a SELECT
        warnings.simplefilter("ignore", RuntimeWarning)
        return normalise(client.query())


# --- the tests ------------------------------------------------------------------------------------

def test_every_sparqlwrapper_combination_that_works_on_oxigraph_works_here(servers):
    ours, theirs, _ = servers
    worked, differ, failed = 0, [], []
    for form, sparql in QUERIES.items():
        for fmt in FORMATS:
            for method in METHODS:
                try:
                    expected = ask(theirs, sparql, fmt, method)
                except Exception:  # noqa: BLE001 — a combination Oxigraph refuses is not asked of us
                    continue
                combination = f"{form} / {fmt or 'default'} / {method}"
                try:
                    got = ask(ours, sparql, fmt, method)
                except Exception as exc:  # noqa: BLE001
                    failed.append(f"{combination}: {type(exc).__name__}: {str(exc)[:200]}")
                    continue
                worked += 1
                if got != expected:
                    differ.append(combination)
    assert failed == [] and differ == []
    assert worked >= 90, worked  # of 4 forms x 10 formats x 3 methods (all 120 with Oxigraph 0.5.13)


def test_from_names_the_dataset_as_oxigraph_reads_it(servers, tmp_path):
    """`--union-default-graph` makes Oxigraph ignore FROM; without it, it reads FROM as the
    dataset, and so does vaultc (whose default graph is still the union when no FROM is given)."""
    ours, _, vault = servers
    plain = OxigraphServer(tmp_path / "plain").start()
    try:
        _load(plain.url, vault.graphs)
        count = f"SELECT (COUNT(*) AS ?n) FROM <{NVDA}> WHERE {{ ?s ?p ?o }}"
        nvda = next(graph for graph in vault.graphs if str(graph.name) == NVDA)
        expected = [(("n", _term("literal", str(len(set(nvda.triples))), XSD_INTEGER)),)]
        assert ask(ours, count, JSON, "GET") == ask(f"{plain.url}/query", count, JSON, "GET") == expected
        nothing = "ASK FROM <http://nonexistent.invalid/> { ?s ?p ?o }"
        assert ask(ours, nothing, JSON, "GET") is ask(f"{plain.url}/query", nothing, JSON, "GET") is False
    finally:
        plain.stop()


@pytest.mark.parametrize("return_format", ["xml", "json", "csv"])
def test_rdflib_sparqlstore_reads_the_same_graph(servers, return_format):
    """Each way the store is read that works against Oxigraph (with JSON results rdflib asks for a
    CONSTRUCT in a results type, which Oxigraph refuses too) gives the same answer here."""
    ours, theirs, _ = servers
    nvda = rdflib.URIRef(NVDA)
    reads = {
        "select": lambda g: sorted(tuple(row) for row in g.query(QUERIES["select"])),
        "ask": lambda g: g.query(QUERIES["ask"]).askAnswer,
        "construct": lambda g: set(g.query(QUERIES["construct"])),
        "triples": lambda g: set(g.triples((nvda, None, None))),
        "len": len,
    }
    stores = [SPARQLStore(query_endpoint=url, returnFormat=return_format) for url in (theirs, ours)]
    graphs = [rdflib.Graph(store) for store in stores]
    compared = []
    try:
        for name, read in reads.items():
            try:
                expected = read(graphs[0])
            except Exception:  # noqa: BLE001 — not asked of us where Oxigraph fails too
                continue
            if expected is None:  # rdflib reads no ASK answer from CSV, from either server
                continue
            assert read(graphs[1]) == expected, name
            assert expected, name  # a real answer, not an empty one on both sides
            compared.append(name)
    finally:
        for store in stores:
            store.close()
    assert {"select", "len", *(("ask",) if return_format != "csv" else ())} <= set(compared), compared


def test_a_deeply_nested_query_is_a_400_the_client_reports(servers):
    ours, _, _ = servers
    nested = "SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000
    client = SPARQLWrapper(ours)
    client.setQuery(nested)
    client.setMethod(POST)
    with pytest.raises(QueryBadFormed):
        client.query()
    client = SPARQLWrapper(ours)  # and the endpoint is still there
    client.setQuery(QUERIES["ask"])
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True


def test_a_fast_client_is_answered_while_two_slow_ones_run(servers):
    ours, _, _ = servers
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # far past the 4 s limit here
    with ThreadPoolExecutor(max_workers=2) as pool:
        running = [pool.submit(_status, ours, slow) for _ in range(2)]
        time.sleep(0.3)
        started = time.monotonic()
        assert ask(ours, QUERIES["ask"], JSON, "GET") is True
        assert time.monotonic() - started < 1.0
        assert [future.result() for future in running] == [503, 503]


def _status(url: str, sparql: str) -> int:
    request = urllib.request.Request(url + "?" + urlencode({"query": sparql}),
                                     headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            json.loads(response.read())
            return response.status
    except urllib.error.HTTPError as error:
        return error.code

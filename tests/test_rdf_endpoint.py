"""`vaultc sparql`: the read-only SPARQL 1.1 Protocol endpoint on 127.0.0.1 — results formats and
content negotiation, refusals (update, LOAD, SERVICE, oversized requests), the per-query time
limit and row cap, and a bounded burst of concurrent loopback clients."""
from __future__ import annotations

import csv
import datetime as dt
import http.client
import io
import json
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
import pytest

from compiler.analyse import compile_vault
from compiler.config import load_config
from compiler.rdf.emit import page_graphs
from compiler.rdf.endpoint import Limits, SparqlEndpoint
from conftest import FIXTURES

VAULT = FIXTURES / "rdf" / "vault"
ID = "https://w3id.org/vaultc/id/"
L1 = 'SELECT ?c WHERE { ?c vc:inLayer ?l . ?l skos:notation "L1" } ORDER BY ?c'
TIME_LIMIT = 1.0
# Four unrelated patterns over ~200 triples: 10^9 combinations, far beyond the time limit.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
# Two unrelated patterns and every typed node: ~2*10^7 rows, over a second here and well within six.
MEDIUM = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g a ?h }"


@pytest.fixture(scope="module")
def endpoint():
    vault = compile_vault(VAULT, load_config(VAULT), dt.date(2026, 11, 22))
    limits = Limits(time_limit=TIME_LIMIT, max_rows=5, max_request_bytes=16 * 1024, workers=2)
    with SparqlEndpoint(page_graphs(vault), vault.config.base_iri, "127.0.0.1", 0, limits) as served:
        yield served


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def call(endpoint, method="GET", path="/sparql", params=None, body=None, headers=None) -> Response:
    url = urlsplit(endpoint.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=15)
    try:
        target = path + ("?" + urlencode(params) if params else "")
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read())
    finally:
        connection.close()


def query(endpoint, sparql, accept=None, partial=None, **kwargs) -> Response:
    params = {"query": sparql, **({"partial": partial} if partial else {})}
    return call(endpoint, params=params, headers={"Accept": accept} if accept else {}, **kwargs)


def test_binds_loopback_only(endpoint):
    assert endpoint.server.server_address[0] == "127.0.0.1"
    assert endpoint.url.startswith("http://127.0.0.1:")


def test_json_is_the_default(endpoint):
    response = query(endpoint, L1)
    assert response.status == 200 and response.type == "application/sparql-results+json"
    bindings = json.loads(response.body)["results"]["bindings"]
    assert [b["c"]["value"] for b in bindings] == [ID + "tickers/AMD", ID + "tickers/NVDA"]


def test_xml_results(endpoint):
    response = query(endpoint, L1, "application/sparql-results+xml")
    assert response.status == 200 and response.type == "application/sparql-results+xml"
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(response.body)
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["c"]
    assert [u.text for u in root.findall(".//r:uri", ns)] == [ID + "tickers/AMD", ID + "tickers/NVDA"]


def test_csv_results(endpoint):
    response = query(endpoint, L1, "text/csv")
    assert response.status == 200 and response.type == "text/csv"
    assert list(csv.reader(io.StringIO(response.text))) == [["c"], [ID + "tickers/AMD"], [ID + "tickers/NVDA"]]


def test_tsv_results_keep_types(endpoint):
    sparql = "SELECT ?line WHERE { <tickers/NVDA> vc:hasClaim ?c . ?c vc:line ?line } ORDER BY ?line"
    response = query(endpoint, sparql, "text/tab-separated-values")
    assert response.status == 200 and response.type == "text/tab-separated-values"
    integer = "^^<http://www.w3.org/2001/XMLSchema#integer>"
    assert response.text.splitlines() == ["?line", f'"16"{integer}', f'"17"{integer}']


def test_quality_values_choose_the_format(endpoint):
    response = query(endpoint, L1, "application/sparql-results+json;q=0.5, text/csv")
    assert response.type == "text/csv"
    assert query(endpoint, L1, "image/png").status == 406


def test_ask(endpoint):
    response = query(endpoint, "ASK { <tickers/AMD> vc:danglingLink \"Financing\" }")
    assert json.loads(response.body) == {"head": {}, "boolean": True}


@pytest.mark.parametrize("accept, fmt", [("text/turtle", ox.RdfFormat.TURTLE),
                                         ("application/ld+json", ox.RdfFormat.JSON_LD)])
def test_graph_results(endpoint, accept, fmt):
    response = query(endpoint, "CONSTRUCT { ?c vc:inLayer ?l } WHERE { ?c vc:inLayer ?l }", accept)
    assert response.status == 200 and response.type == accept
    assert len(list(ox.parse(response.body, format=fmt))) == 4


def test_post_query_and_post_form(endpoint):
    direct = call(endpoint, "POST", body=L1.encode(), headers={"Content-Type": "application/sparql-query"})
    form = call(endpoint, "POST", body=urlencode({"query": L1}).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert direct.status == form.status == 200
    assert json.loads(direct.body) == json.loads(form.body)


def test_named_graphs_and_protocol_dataset(endpoint):
    sparql = "SELECT ?g WHERE { GRAPH ?g { ?g a vc:Ticker } } ORDER BY ?g"
    graphs = [b["g"]["value"] for b in json.loads(query(endpoint, sparql).body)["results"]["bindings"]]
    assert graphs == [ID + f"tickers/{t}" for t in ("AMD", "MU", "NVDA", "TSM")]
    # default-graph-uri narrows the default graph to one page
    response = call(endpoint, params={"query": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a vc:Page }",
                                      "default-graph-uri": ID + "tickers/MU"})
    assert json.loads(response.body)["results"]["bindings"][0]["n"]["value"] == "1"


@pytest.mark.parametrize("request_kwargs", [
    {"method": "POST", "body": b"INSERT DATA { <a:b> <a:c> <a:d> }",
     "headers": {"Content-Type": "application/sparql-update"}},
    {"method": "POST", "body": urlencode({"update": "CLEAR ALL"}).encode(),
     "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
    {"params": {"update": "DROP ALL"}},
    {"params": {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}},
    {"params": {"query": "LOAD <http://127.0.0.1:9/data.ttl>"}},
    {"params": {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}},
    {"params": {"query": "select * where { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}},
])
def test_updates_load_and_service_are_refused(endpoint, request_kwargs):
    response = call(endpoint, **request_kwargs)
    assert 400 <= response.status < 500, response.text
    assert response.status == 403
    # and nothing changed
    count = json.loads(query(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").body)
    assert count["results"]["bindings"][0]["n"]["value"] == str(endpoint.triples)


def test_keywords_inside_strings_and_variables_are_fine(endpoint):
    sparql = 'SELECT ?service WHERE { BIND ("DELETE via SERVICE" AS ?service) } # LOAD'
    response = query(endpoint, sparql)
    assert response.status == 200
    assert json.loads(response.body)["results"]["bindings"][0]["service"]["value"] == "DELETE via SERVICE"


def test_bad_requests_are_4xx(endpoint):
    assert query(endpoint, "SELEC ?x").status == 400
    assert call(endpoint, params={"query": ""}).status == 400
    assert call(endpoint, "PUT", body=b"x").status == 405
    assert call(endpoint, "POST", body=b"x", headers={"Content-Type": "text/plain"}).status == 415
    assert call(endpoint, path="/nowhere").status == 404


def test_oversized_requests_are_refused_unread(endpoint):
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 20_000
    assert query(endpoint, big).status == 414
    response = call(endpoint, "POST", body=big.encode(), headers={"Content-Type": "application/sparql-query"})
    assert response.status == 413


def test_an_answer_over_the_row_cap_is_refused_unless_a_partial_one_is_asked_for(endpoint):
    """A cut answer must not pass for a whole one with a client that reads no headers."""
    for sparql in ("SELECT * WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"):
        refused = query(endpoint, sparql)
        assert refused.status == 422 and "more than 5" in refused.text and "partial=true" in refused.text
    response = query(endpoint, "SELECT * WHERE { ?s ?p ?o }", partial="true")
    assert response.status == 200
    assert len(json.loads(response.body)["results"]["bindings"]) == 5
    assert response.headers["Vaultc-Truncated"].startswith("true")
    assert "Vaultc-Truncated" not in query(endpoint, L1).headers


def test_a_slow_query_is_cut_off_and_the_endpoint_goes_on(endpoint):
    started = time.monotonic()
    response = query(endpoint, SLOW)
    took = time.monotonic() - started
    assert response.status == 503 and "time limit" in response.text
    assert TIME_LIMIT <= took < TIME_LIMIT + 2
    assert query(endpoint, L1).status == 200  # the other worker answers, and the stopped one is replaced


def test_a_fast_query_answers_while_two_slow_ones_run(tmp_path):
    """Admission by time (pool.py): with both regular workers held by slow queries, a fast one
    goes to the express worker and answers at once; the slow ones still run to their limit."""
    limits = Limits(time_limit=6.0, workers=2)
    vault = compile_vault(VAULT, load_config(VAULT), dt.date(2026, 11, 22))
    with SparqlEndpoint(page_graphs(vault), vault.config.base_iri, limits=limits) as served:
        with ThreadPoolExecutor(max_workers=2) as pool:
            slow = [pool.submit(query, served, SLOW) for _ in range(2)]
            time.sleep(0.3)
            started = time.monotonic()
            fast = query(served, L1)
            took = time.monotonic() - started
            assert fast.status == 200 and took < 1.0, took
            assert [f.result().status for f in slow] == [503, 503]
        # A slow query that finds only the express worker free moves to a regular one when its
        # slice is over, and is still answered within its own time limit.
        with ThreadPoolExecutor(max_workers=3) as pool:
            held = [pool.submit(query, served, SLOW) for _ in range(2)]
            time.sleep(0.3)
            moved = pool.submit(query, served, MEDIUM)
            assert moved.result().status == 200
            assert [f.result().status for f in held] == [503, 503]


def test_a_burst_of_concurrent_clients_is_all_answered(endpoint):
    clients = 20

    def one(i: int) -> tuple[int, int]:
        sparql = f"SELECT ?t WHERE {{ ?c schema:tickerSymbol ?t }} ORDER BY ?t OFFSET {i % 4} LIMIT 1"
        response = query(endpoint, sparql)
        return response.status, i, json.loads(response.body)["results"]["bindings"][0]["t"]["value"]

    with ThreadPoolExecutor(max_workers=clients) as pool:
        answers = list(pool.map(one, range(clients)))
    tickers = ["2330", "AMD", "MU", "NVDA"]
    assert [(status, ticker) for status, _, ticker in answers] == [(200, tickers[i % 4]) for i in range(clients)]


def test_service_description_and_query_page(endpoint):
    description = call(endpoint, headers={"Accept": "text/turtle"})
    assert description.status == 200 and description.type == "text/turtle"
    triples = list(ox.parse(description.body, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert any(t.predicate.value == sd + "endpoint" and t.object.value == endpoint.url for t in triples)
    assert any(t.object.value == sd + "SPARQL11Query" for t in triples)
    names = {t.object.value for t in triples if t.predicate.value == sd + "name"}
    assert endpoint.graph_count > 3 and len(names) == endpoint.graph_count + 1  # every page's named graph
    assert {"https://w3id.org/vaultc/id/vaultc", "https://w3id.org/vaultc"} <= names  # the compilation's, the vocabulary's
    as_json_ld = call(endpoint, headers={"Accept": "application/ld+json"})
    assert as_json_ld.type == "application/ld+json" and json.loads(as_json_ld.body)
    page = call(endpoint, path="/", headers={"Accept": "text/html"})
    assert page.status == 200 and page.type == "text/html"
    assert "<textarea" in page.text and "companies-by-layer" in page.text
    browser = call(endpoint, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.type == "text/html"


def test_a_foreign_host_name_is_refused(endpoint):
    """DNS rebinding: a page on evil.example whose name now points at 127.0.0.1."""
    response = call(endpoint, params={"query": L1}, headers={"Host": "evil.example"})
    assert response.status == 403


# --- the pieces: what is refused, and which format a client gets ---------------------------------

@pytest.mark.parametrize("sparql, refused", [
    ("SELECT * WHERE { ?s ?p ?o }", None),
    ("PREFIX service: <http://x/> SELECT * WHERE { service:a ?p ?o }", None),  # a prefix, not the keyword
    ("SELECT * WHERE { <http://x/#SERVICE> ?p 'LOAD' }", None),
    ('SELECT * WHERE { ?s ?p """\nDELETE\n""" }', None),
    ("SELECT * WHERE { ?s ?p 'x'@add }", None),  # `add` is a language tag here
    ("SELECT * WHERE { ?s ?p ?o } # SERVICE in a comment", None),
    ("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { sErViCe ?endpoint { ?s ?p ?o } }", "SERVICE"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE"),
    ("PREFIX x: <http://x/> CLEAR GRAPH x:g", "CLEAR"),
    ("LOAD <http://x/data.ttl> INTO GRAPH <http://x/g>", "LOAD"),
])
def test_guard(sparql, refused):
    from compiler.rdf.guard import refusal

    reason = refusal(sparql)
    assert (reason is None) if refused is None else (reason.status == 403 and refused in reason.reason)


@pytest.mark.parametrize("accept, expected", [
    (None, "json"),
    ("*/*", "json"),
    ("text/*", "csv"),
    ("application/sparql-results+xml", "xml"),
    ("text/csv;q=0.4, text/tab-separated-values;q=0.6", "tsv"),
    ("application/json;q=0, text/csv;q=0.1", "csv"),
    ("application/sparql-results+json;q=0, application/json;q=0, application/xml;q=0, text/xml;q=0, "
     "application/sparql-results+xml;q=0, text/*;q=0", None),
    ("image/png", None),
])
def test_negotiation(accept, expected):
    from compiler.rdf.negotiate import RESULT_TYPES, choose

    assert choose(accept, RESULT_TYPES) == expected


def test_the_sparql_command_serves_until_terminated():
    """`vaultc sparql --port 0` prints where it listens, answers, and on SIGTERM stops its workers,
    removes its temporary files and exits 0."""
    import re
    import signal
    import subprocess
    import sys

    command = [sys.executable, "-m", "compiler", "sparql", str(VAULT), "--port", "0", "--quiet", "--workers", "1"]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=FIXTURES.parent.parent)
    try:
        line = server.stderr.readline()
        while line and "http://" not in line:  # a line about the store (another vaultc's) may come first
            line = server.stderr.readline()
        url = urlsplit(re.search(r"http://\S+", line)[0])
        assert url.hostname == "127.0.0.1"
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        connection.request("GET", "/sparql?" + urlencode({"query": L1}), headers={"Accept": "text/csv"})
        assert connection.getresponse().read().decode().split() == ["c", ID + "tickers/AMD", ID + "tickers/NVDA"]
        connection.close()
        server.send_signal(signal.SIGTERM)
        try:
            assert server.wait(timeout=10) == 0
        except subprocess.TimeoutExpired:
            server.kill()
            raise AssertionError(f"still running 10 s after SIGTERM; stderr: {server.stderr.read()[-2000:]}")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        server.stderr.close()


# --- what third-party clients expect of the protocol -----------------------------------------------

def test_from_names_the_dataset(endpoint):
    count = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"
    whole = json.loads(query(endpoint, count.format("")).body)["results"]["bindings"][0]["n"]["value"]
    nvda = json.loads(query(endpoint, count.format(f"FROM <{ID}tickers/NVDA>")).body)
    nvda = nvda["results"]["bindings"][0]["n"]["value"]
    assert 0 < int(nvda) < int(whole)
    assert json.loads(query(endpoint, "ASK FROM <http://nonexistent.invalid/> { ?s ?p ?o }").body)["boolean"] is False
    # the protocol's graph parameters still win over FROM
    given = call(endpoint, params={"query": count.format(f"FROM <{ID}tickers/NVDA>"), "default-graph-uri": f"{ID}tickers/AMD"})
    assert json.loads(given.body)["results"]["bindings"][0]["n"]["value"] != nvda


def test_format_counts_only_where_it_fits_the_query_form(endpoint):
    """SPARQLWrapper sends format=xml with every query: a CONSTRUCT then goes by Accept, not 406."""
    response = call(endpoint, params={"query": "CONSTRUCT WHERE { ?s vc:inLayer ?o }", "format": "xml"},
                    headers={"Accept": "text/turtle"})
    assert response.status == 200 and response.type == "text/turtle"
    response = call(endpoint, params={"query": L1, "format": "xml"})
    assert response.status == 200 and response.type == "application/sparql-results+xml"


def test_a_timed_out_query_is_not_told_to_retry(endpoint):
    response = query(endpoint, SLOW)
    assert response.status == 503 and "Retry-After" not in response.headers


def test_cors_only_when_asked(endpoint):
    origin = {"Origin": "http://yasgui.example"}
    assert "Access-Control-Allow-Origin" not in call(endpoint, params={"query": L1}, headers=origin).headers
    vault = compile_vault(VAULT, load_config(VAULT), dt.date(2026, 11, 22))
    limits = Limits(time_limit=TIME_LIMIT, max_rows=5, max_request_bytes=16 * 1024, workers=1, cors=True)
    with SparqlEndpoint(page_graphs(vault), vault.config.base_iri, "127.0.0.1", 0, limits) as open_to_pages:
        preflight = call(open_to_pages, "OPTIONS", headers={"Origin": "http://yasgui.example",
                                                          "Access-Control-Request-Method": "POST"})
        assert preflight.status == 204 and preflight.headers["Access-Control-Allow-Origin"] == "*"
        answer = call(open_to_pages, params={"query": L1}, headers=origin)
        assert answer.status == 200 and answer.headers["Access-Control-Allow-Origin"] == "*"


def test_the_endpoint_answers_from_the_vault_as_it_is_now(tmp_path):
    """Rename a page and delete another while `vaultc sparql` runs: a later query sees the new
    state (the change is compiled, incrementally, and the workers swapped between two queries)."""
    import re
    import shutil
    import signal
    import subprocess
    import sys

    vault = tmp_path / "vault"
    shutil.copytree(VAULT, vault)
    command = [sys.executable, "-m", "compiler", "sparql", str(vault), "--port", "0", "--quiet", "--workers", "1",
               "--poll", "0.1", "--cache-dir", str(tmp_path / "cache")]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=FIXTURES.parent.parent)
    paths = "SELECT ?p WHERE { ?page vc:path ?p }"

    def ask() -> set[str]:
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        connection.request("GET", "/sparql?" + urlencode({"query": paths}), headers={"Accept": "text/csv"})
        rows = list(csv.reader(io.StringIO(connection.getresponse().read().decode())))
        connection.close()
        return {row[0] for row in rows[1:] if row}

    try:
        url = urlsplit(re.search(r"http://\S+", server.stderr.readline())[0])
        before = ask()
        assert "tickers/AMD.md" in before and "notes/Reading list.md" in before
        (vault / "tickers" / "AMD.md").rename(vault / "tickers" / "Advanced Micro Devices.md")
        (vault / "notes" / "Reading list.md").unlink()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and ask() == before:
            time.sleep(0.2)
        after = ask()
        assert "tickers/Advanced Micro Devices.md" in after
        assert "tickers/AMD.md" not in after and "notes/Reading list.md" not in after
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stderr.close()


def test_the_vocabulary_is_queryable_in_a_graph_of_its_own(endpoint):
    sparql = "SELECT ?g ?k WHERE { GRAPH ?g { ?k rdfs:subClassOf schema:Corporation } }"
    rows = json.loads(query(endpoint, sparql).body)["results"]["bindings"]
    assert [(r["g"]["value"], r["k"]["value"]) for r in rows] == [("https://w3id.org/vaultc", "https://w3id.org/vaultc#Ticker")]
    sparql = "SELECT ?t WHERE { ?c a ?k ; schema:tickerSymbol ?t . ?k rdfs:subClassOf schema:Corporation } ORDER BY ?t"
    assert len(json.loads(query(endpoint, sparql).body)["results"]["bindings"]) == 4  # by the axiom, not a type
    assert endpoint.graph_count == 16  # the vault's graphs; the vocabulary's is not counted


def test_select_star_columns_come_in_the_order_the_query_names_them(endpoint):
    """As SPARQL clients show them (Oxigraph itself sorts them by name)."""
    response = query(endpoint, "SELECT * WHERE { ?zebra vc:inLayer ?apple . ?apple skos:notation ?mango } LIMIT 1")
    assert json.loads(response.body)["head"]["vars"] == ["zebra", "apple", "mango"]
    response = query(endpoint, "SELECT DISTINCT * { ?b ?a ?c } LIMIT 1")
    assert json.loads(response.body)["head"]["vars"] == ["b", "a", "c"]
    response = query(endpoint, "SELECT ?c ?a WHERE { ?a ?b ?c } LIMIT 1")  # as projected
    assert json.loads(response.body)["head"]["vars"] == ["c", "a"]

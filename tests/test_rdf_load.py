"""`vaultc sparql` under a bounded loopback load (issue 8): 50 concurrent clients for 5 seconds of
mixed canned and ad-hoc queries over the bundled vault get a correct 2xx answer to every request,
and the server then stops with its workers and its port. The harness is bench/endpoint_load.py,
which `make bench` runs for 20 seconds on the largest generated vault."""
from __future__ import annotations

import datetime as dt
import http.client
import math
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from compiler.analyse import compile_vault
from compiler.config import load_config
from compiler.rdf.emit import page_graphs, quads
from compiler.rdf.endpoint import Limits, SparqlEndpoint
from compiler.rdf.store import oxigraph_store
from compiler.rdf.vocab import PREFIXES, canned_queries

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from endpoint_load import Call, Server, judge, mix, request_parts, run_load  # noqa: E402

RDF_VAULT = ROOT / "tests" / "fixtures" / "rdf" / "vault"
CLIENTS, SECONDS = 50, 5.0


def test_fifty_clients_get_every_answer_and_the_server_stops():
    calls = mix(canned_queries())
    server = Server(ROOT / "vault", workers=2)
    try:
        assert server.url.startswith("http://127.0.0.1:")
        result = run_load(server.url, calls, clients=CLIENTS, duration=SECONDS, timeout=30)
    finally:
        stopped = server.stop()
    assert result.errors == {}, f"{sum(result.errors.values())} of {result.requests} failed: {result.errors}"
    assert result.requests >= 2 * CLIENTS  # every client got answers, not one request each
    assert {s.name for s in result.samples} == {c.name for c in calls}  # every query of the mix ran
    assert stopped.returncode == 0, server.log[-5:]
    assert len(server.workers) == 3 and stopped.workers_left == []  # two, and the express worker
    assert not stopped.port_open


def test_a_queue_longer_than_the_time_limit_is_served_not_refused():
    """Waiting for a busy worker does not count against a query's time limit: a burst of queries of
    about 0.1 s each on one worker with a 1 s limit all succeed, the last after queueing over 1 s."""
    vault = compile_vault(RDF_VAULT, load_config(RDF_VAULT), dt.date(2026, 11, 22))
    # ~200 triples squared times ~15 paths: about 0.1 s, well inside the 1 s limit; enough
    # clients that the queue is over 2 s long however fast this machine runs it.
    sparql = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g vc:path ?h }"
    store = oxigraph_store(quads(page_graphs(vault)))
    began = time.perf_counter()
    list(store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True))
    once = time.perf_counter() - began
    assert once < 0.4, "the test query is too slow here to stay inside the time limit"
    clients = min(60, max(10, math.ceil(2.5 / once)))
    calls = [Call("count", method, sparql, None, "rows") for method in ("GET", "POST", "POST-form")]
    with SparqlEndpoint(page_graphs(vault), vault.config.base_iri, "127.0.0.1", 0,
                        Limits(time_limit=1.0, workers=1)) as endpoint:
        port = urlsplit(endpoint.url).port

        def one(call: Call) -> tuple[str | None, float]:
            method, target, body, headers = request_parts(call)
            began = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request(method, target, body=body, headers=headers)
                response = connection.getresponse()
                error = judge(call, response.status, response.getheader("Content-Type") or "", response.read())
            finally:
                connection.close()
            return error, time.perf_counter() - began

        with ThreadPoolExecutor(max_workers=clients) as pool:
            answers = list(pool.map(one, [calls[i % 3] for i in range(clients)]))
    assert [error for error, _ in answers] == [None] * clients
    assert max(seconds for _, seconds in answers) > 1.0  # some did wait past the time limit


def test_only_loopback_is_loaded():
    with pytest.raises(ValueError):
        run_load("http://example.org:80/sparql", [], clients=1, duration=0.1)


SELECT = Call("s", "GET", "SELECT ...", "application/sparql-results+json", "rows")
ASK = Call("a", "GET", "ASK ...", None, "true")
CONSTRUCT = Call("c", "GET", "CONSTRUCT ...", "text/turtle", "triples")
ANY = Call("q", "POST", "...", "text/csv, application/n-triples;q=0.9")


@pytest.mark.parametrize("call, status, media, body, wrong", [
    (SELECT, 200, "application/sparql-results+json", b'{"head": {"vars": ["x"]}, "results": {"bindings": [{}]}}',
     None),
    (SELECT, 503, "text/plain", b"busy", "HTTP 503"),
    (SELECT, 200, "application/sparql-results+json", b'{"head": {}, "results": {"bindings": [', "unparsable"),
    (SELECT, 200, "application/sparql-results+json", b'{"head": {"vars": []}, "results": {"bindings": []}}', "no rows"),
    (SELECT, 200, "text/csv", b"x\n1\n", "unasked type"),
    (ASK, 200, "application/sparql-results+json", b'{"head": {}, "boolean": false}', "false"),
    (ASK, 200, "application/sparql-results+xml",
     b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/><boolean>true</boolean></sparql>', None),
    (CONSTRUCT, 200, "text/turtle; charset=utf-8", b"<http://x/a> <http://x/b> <http://x/c> .\n", None),
    (CONSTRUCT, 200, "text/turtle", b"<http://x/a> <http://x/b> .\n", "unparsable"),
    (CONSTRUCT, 200, "text/turtle", b"", "no triples"),
    (ANY, 200, "text/csv", b"path,target\n", None),  # a canned query may answer no rows
    (ANY, 200, "application/n-triples", b"", None),
    (ANY, 200, "text/csv", b"", "no header"),
])
def test_the_harness_tells_a_wrong_answer(call, status, media, body, wrong):
    found = judge(call, status, media, body)
    assert found is None if wrong is None else wrong in found

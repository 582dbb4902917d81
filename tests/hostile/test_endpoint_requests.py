"""Requests a web page or a stranger could make of `vaultc sparql`: no query makes the endpoint
send a request anywhere (SERVICE, however it is spelt or hidden), and only a Host header that is
exactly a loopback address or `localhost` is served (DNS rebinding)."""
from __future__ import annotations

import datetime as dt
import http.client
import http.server
import threading
import time
from urllib.parse import urlencode, urlsplit

import pytest

from compiler.analyse import compile_vault
from compiler.config import load_config
from compiler.rdf.emit import page_graphs
from compiler.rdf.endpoint import Limits, SparqlEndpoint
from conftest import FIXTURES

VAULT = FIXTURES / "rdf" / "vault"


@pytest.fixture(scope="module")
def endpoint():
    vault = compile_vault(VAULT, load_config(VAULT), dt.date(2026, 11, 22))
    limits = Limits(time_limit=5.0, max_rows=50, max_request_bytes=64 * 1024, workers=1)
    with SparqlEndpoint(page_graphs(vault), vault.config.base_iri, "127.0.0.1", 0, limits) as served:
        yield served


@pytest.fixture(scope="module")
def target():
    """A loopback server that records every request made to it: what SERVICE would reach."""
    hits: list[str] = []

    class Record(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"literal","value":"LEAK"}}]}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.do_GET()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Record)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", hits
    server.shutdown()
    server.server_close()


def call(endpoint, method="GET", params=None, body=None, headers=None) -> tuple[int, bytes]:
    url = urlsplit(endpoint.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=15)
    try:
        connection.request(method, "/sparql" + ("?" + urlencode(params) if params else ""), body=body,
                           headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


HIDDEN = [
    "SELECT * WHERE {{ # x\rSERVICE <{url}> {{ ?s ?p ?o }} }}",  # Oxigraph ends a comment at \r
    "SELECT * WHERE {{ # x\r\nSERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ SeRvIcE SILENT <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    "SELECT * WHERE {{ ?x ?y ?z . # \"\r SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE " + "{{" * 60 + " SERVICE <{url}> {{ ?s ?p ?o }} " + "}}" * 60,  # past rdflib's depth
]


@pytest.mark.parametrize("template", HIDDEN)
@pytest.mark.parametrize("how", ["get", "form", "body"])
def test_no_query_makes_the_endpoint_send_a_request(endpoint, target, template, how):
    url, hits = target
    before = len(hits)
    sparql = template.format(url=url)
    if how == "get":
        status, body = call(endpoint, params={"query": sparql})
    elif how == "form":  # a cross-site "simple" request
        status, body = call(endpoint, "POST", body=urlencode({"query": sparql}).encode(),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    else:
        status, body = call(endpoint, "POST", body=sparql.encode(), headers={"Content-Type": "application/sparql-query"})
    assert len(hits) == before, "the endpoint sent a request"
    assert b"LEAK" not in body
    assert status in (400, 403)


@pytest.mark.parametrize("host, allowed", [
    ("127.0.0.1", True), ("localhost", True), ("LOCALHOST", True), ("127.0.0.1:{port}", True),
    ("localhost:{port}", True), ("127.0.0.1.evil.example", False), ("127.0.0.1.evil.example:{port}", False),
    ("127.evil.example", False), ("localhost.evil.example", False), ("evil.example", False), ("", False),
    ("127.0.0.1:{port}@evil.example", False), ("[::1]", True), ("[::1]:{port}", True), ("127.0.0.2", True), ("127.1", False), ("0x7f.1", False),
])
def test_only_an_exact_loopback_host_is_served(endpoint, host, allowed):
    port = urlsplit(endpoint.url).port
    status, _ = call(endpoint, params={"query": "ASK { ?s ?p ?o }"}, headers={"Host": host.format(port=port)})
    assert (status == 200) is allowed, (host, status)


@pytest.mark.parametrize("method, path, host", [
    ("PUT", "/sparql", "127.0.0.1"),  # refused method
    ("POST", "/elsewhere", "127.0.0.1"),  # not found
    ("POST", "/sparql", "evil.example"),  # foreign Host: the smuggled request must not pass that check
])
def test_a_refused_request_body_is_never_run_as_the_next_request(endpoint, method, path, host):
    import socket

    url = urlsplit(endpoint.url)
    inner = (f"GET /sparql?{urlencode({'query': 'ASK { ?s ?p ?o }'})} HTTP/1.1\r\n"
             f"Host: 127.0.0.1:{url.port}\r\n\r\n").encode()
    outer = (f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/sparql-query\r\n"
             f"Content-Length: {len(inner)}\r\n\r\n").encode() + inner
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(outer)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert received.count(b"HTTP/1.1 ") == 1, received
    assert not received.startswith(b"HTTP/1.1 200")


def test_a_huge_value_is_refused_and_the_endpoint_stays_up(endpoint):
    """Nested CONCAT doubling a string 28 times builds 256 MiB in the engine: the worker's memory
    cap or the answer cap stops it, and the next query is answered."""
    binds = " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(28))
    sparql = f'SELECT (STRLEN(?v28) AS ?n) ?v28 WHERE {{ BIND("x" AS ?v0) {binds} }}'
    started = time.monotonic()
    status, body = call(endpoint, params={"query": sparql})
    assert status >= 400 and time.monotonic() - started < 30
    status, _ = call(endpoint, params={"query": "ASK { ?s ?p ?o }"})
    assert status == 200

"""`vaultc sparql`: a read-only SPARQL 1.1 Protocol endpoint over the emitted graph.

The HTTP side is the standard library's ThreadingHTTPServer; queries run in a small pool of
worker processes (pool.py, worker.py), each holding the graph in its own Oxigraph store; while all
are busy, requests queue for the next free one (first come, first served) rather than fail. A query
over the time limit is stopped by killing its worker, which the pool replaces; an answer over
`max_rows` is refused unless the client asks for a partial one. Updates, LOAD and SERVICE are
refused by the worker before the store sees them (guard.py).
"""
from __future__ import annotations

import ipaddress
import json
import re
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from . import page
from .emit import VOCABULARY, PageGraph, quads, vocabulary_graph
from .negotiate import GRAPH_MEDIA, choose
from .pool import QueryTimeout, WorkerGone, WorkerPool, WorkersBusy
from .store import oxigraph_store
from .vocab import PREFIXES, canned_queries



@dataclass(frozen=True)
class Limits:
    time_limit: float = 10.0  # seconds a query may run
    # Rows (or triples) in one answer: more is a 422, unless the client asks with `partial=true` for
    # the first max_rows, which then come with a `Vaultc-Truncated` header.
    max_rows: int = 10_000
    max_request_bytes: int = 64 * 1024  # a longer URL (414) or body (413) is refused unread
    workers: int = 2
    queue_timeout: float = 60.0  # seconds a request may wait, first come first served, for a free worker
    max_pending: int = 128  # requests running or waiting at once; more are answered 503 at once
    cors: bool = False  # answer browsers' cross-origin requests (YASGUI and the like): --cors


class SparqlEndpoint:
    """The endpoint for a set of page graphs. `start()` serves on a thread (tests); the CLI calls
    `serve_forever()`. Bind to port 0 to get a free port; `url` says which."""

    def __init__(self, graphs: Iterable[PageGraph], base: str, host: str = "127.0.0.1", port: int = 0,
                 limits: Limits = Limits(), log: bool = False) -> None:
        self.limits = limits
        self.base = base
        self._folder = Path(tempfile.mkdtemp(prefix="vaultc-sparql-"))
        self._generation = 0
        self._swap = threading.Lock()
        try:
            self.pool, self.triples, self.named = self._load(graphs)
            self.server = _Server((host, port), _Handler, self, log)
        except BaseException:
            shutil.rmtree(self._folder, ignore_errors=True)
            raise
        self._thread: threading.Thread | None = None

    def _load(self, graphs: Iterable[PageGraph]) -> tuple[WorkerPool, int, list[tuple[str, int]]]:
        """Workers holding these graphs, each loading its own copy: the server itself keeps none of
        them, only each named graph's name and size, for the service description."""
        self._generation += 1
        graphs = [*graphs, vocabulary_graph()]
        store = oxigraph_store(quads(graphs))
        triples = len(store)
        named = sorted((str(graph.name), len(set(graph.triples))) for graph in graphs)
        dump = self._folder / f"graph-{self._generation}.nq"
        store.dump(str(dump), format=ox.RdfFormat.N_QUADS)
        del store
        config = self._folder / f"worker-{self._generation}.json"
        config.write_text(json.dumps({"dump": str(dump), "base": self.base, "prefixes": PREFIXES}))
        return WorkerPool(config, self.limits.workers), triples, named

    def reload(self, graphs: Iterable[PageGraph]) -> None:
        """Answer from these graphs from now on: new workers are started beside the old ones, and
        swapped in between two queries (a query sees one state of the vault, never a mix); the old
        workers finish what they are running, then stop."""
        with self._swap:
            pool, triples, named = self._load(graphs)
            old, self.pool, self.triples, self.named = self.pool, pool, triples, named
        old.close()

    @property
    def graph_count(self) -> int:
        """The vault's graphs (the vocabulary's is not counted)."""
        return sum(1 for name, _ in self.named if name != str(VOCABULARY))

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}/sparql"

    def start(self) -> "SparqlEndpoint":
        self._thread = threading.Thread(target=self.server.serve_forever, name="vaultc-sparql", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def close(self) -> None:
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join()
        self.server.server_close()
        self.pool.close()
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> "SparqlEndpoint":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # socketserver's 5 makes a burst of clients wait a second for a SYN retry

    def __init__(self, address, handler, endpoint: SparqlEndpoint, log: bool) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6  # --host ::1
        self.endpoint = endpoint
        self.log = log
        self.pending = threading.BoundedSemaphore(endpoint.limits.max_pending)
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "vaultc-sparql"
    timeout = 30  # a client that stops sending mid-request does not hold a thread for ever

    # --- routing ---------------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._guarded(self._get)

    def do_POST(self) -> None:
        self._guarded(self._post)

    do_HEAD = do_GET

    def do_OPTIONS(self) -> None:
        """A browser's preflight before a cross-origin POST: allowed with --cors only."""
        if not self.server.endpoint.limits.cors or not self._host_allowed():
            self._refuse_method()
            return
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Accept, Content-Type")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self._cors_headers()
        self.end_headers()

    def _cors_headers(self) -> None:
        if self.server.endpoint.limits.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Expose-Headers", "Vaultc-Truncated")

    def do_PUT(self) -> None:
        self._refuse_method()

    do_DELETE = do_PATCH = do_PUT

    def _refuse_method(self) -> None:
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, "this endpoint is read-only: use GET or POST with a query",
                   headers={"Allow": "GET, POST, OPTIONS" if self.server.endpoint.limits.cors else "GET, POST"})

    def _guarded(self, handle) -> None:
        if not self.server.pending.acquire(blocking=False):
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, "too many requests in progress; retry shortly",
                       headers={"Retry-After": "1"})
            return
        try:
            if len(self.path) > self.server.endpoint.limits.max_request_bytes:
                self._send(HTTPStatus.REQUEST_URI_TOO_LONG, "request URL too long; POST the query instead")
            elif not self._host_allowed():
                self._send(HTTPStatus.FORBIDDEN, "unexpected Host header")
            else:
                handle()
        finally:
            self.server.pending.release()

    def _host_allowed(self) -> bool:
        """On loopback, only a Host that is exactly a loopback address or `localhost`, with our
        port if it names one: a web page the user visits cannot reach the endpoint through a DNS
        name rebound to 127.0.0.1 (and `127.0.0.1.evil.example` is such a name)."""
        bound, port = self.server.server_address[:2]
        if not ipaddress.ip_address(bound).is_loopback:
            return True
        match = _HOST_HEADER.fullmatch(self.headers.get("Host") or "")
        if match is None or (match["port"] is not None and int(match["port"]) != port):
            return False
        name = match["name"].lower()
        if name == "localhost":
            return True
        try:  # a literal address only, in its one canonical spelling (not 127.1 or 0x7f.1)
            address = ipaddress.ip_address(name.strip("[]"))
        except ValueError:
            return False
        literal = f"[{address}]" if address.version == 6 else str(address)
        return address.is_loopback and literal == name

    def _get(self) -> None:
        split = urlsplit(self.path)
        if split.path not in ("/", "/sparql"):
            self._send(HTTPStatus.NOT_FOUND, "not found: the endpoint is /sparql")
            return
        params = parse_qs(split.query, keep_blank_values=True)
        if "update" in params:
            self._send(HTTPStatus.FORBIDDEN, "SPARQL Update is refused: this endpoint is read-only")
        elif "query" in params:
            self._query(params)
        else:
            self._describe(front_page=split.path == "/")

    def _post(self) -> None:
        split = urlsplit(self.path)
        if split.path not in ("/", "/sparql"):
            self._send(HTTPStatus.NOT_FOUND, "not found: the endpoint is /sparql")
            return
        body = self._body()
        if body is None:
            return
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(split.query, keep_blank_values=True)
        if kind == "application/sparql-update":
            self._send(HTTPStatus.FORBIDDEN, "SPARQL Update is refused: this endpoint is read-only")
            return
        if kind == "application/x-www-form-urlencoded":
            try:
                params.update(parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
            except UnicodeDecodeError:
                self._send(HTTPStatus.BAD_REQUEST, "the form is not UTF-8")
                return
            if "update" in params:
                self._send(HTTPStatus.FORBIDDEN, "SPARQL Update is refused: this endpoint is read-only")
                return
        elif kind == "application/sparql-query":
            try:
                params["query"] = [body.decode("utf-8")]
            except UnicodeDecodeError:
                self._send(HTTPStatus.BAD_REQUEST, "the query is not UTF-8")
                return
        else:
            self._send(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                       "POST application/sparql-query or application/x-www-form-urlencoded")
            return
        self._query(params)

    def _body(self) -> bytes | None:
        """The request body, or None after refusing it (too large, or of unknown length)."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self._send(HTTPStatus.LENGTH_REQUIRED, "send a Content-Length", close=True)
            return None
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._send(HTTPStatus.LENGTH_REQUIRED, "send a Content-Length", close=True)
            return None
        limit = self.server.endpoint.limits.max_request_bytes
        if length < 0 or length > limit:
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"request body over {limit} bytes", close=True)
            return None
        return self.rfile.read(length)

    # --- answers ---------------------------------------------------------------------------------

    def _query(self, params: dict[str, list[str]]) -> None:
        endpoint = self.server.endpoint
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            self._send(HTTPStatus.BAD_REQUEST, "give exactly one non-empty `query`")
            return
        request = {
            "query": queries[0],
            "accept": self.headers.get("Accept"),
            "format": _FORMAT_PARAM.get((params.get("format") or [""])[0].lower()),
            "max_rows": endpoint.limits.max_rows,
            "partial": (params.get("partial") or [""])[0].lower() in ("true", "1", "yes"),
            "default_graphs": params.get("default-graph-uri", []),
            "named_graphs": params.get("named-graph-uri", []),
        }
        limit = endpoint.limits.time_limit
        try:
            header, body = endpoint.pool.run(request, limit, wait=endpoint.limits.queue_timeout)
        except WorkersBusy:
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, "every query worker stayed busy; retry shortly",
                       headers={"Retry-After": "5"})
            return
        except QueryTimeout:  # no Retry-After: the same query would run over again
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, f"the query ran over the time limit of {limit:g} s")
            return
        except WorkerGone as exc:
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, str(exc))
            return
        headers = {"Vary": "Accept"}
        if header.get("truncated"):
            headers["Vaultc-Truncated"] = f"true; max-rows={endpoint.limits.max_rows}"
        self._send(header["status"], body, header["type"], headers)

    def _describe(self, front_page: bool) -> None:
        """Without a query: the HTML query page for browsers, else the service description."""
        # Among equals the first offer wins: `*/*` gets the page at /, the description at /sparql.
        html = [("text/html", "html")]
        offers = html + list(_DESCRIPTION_TYPES) if front_page else list(_DESCRIPTION_TYPES) + html
        fmt = choose(self.headers.get("Accept"), offers)
        if fmt == "html":
            self._send(HTTPStatus.OK, page.html(canned_queries()), "text/html; charset=utf-8", {"Vary": "Accept"})
        elif fmt is None:
            self._send(HTTPStatus.NOT_ACCEPTABLE, "the description is available as HTML, Turtle, JSON-LD or N-Triples")
        else:
            endpoint = self.server.endpoint
            body = page.service_description(self._endpoint_iri(), endpoint.triples, fmt, endpoint.named)
            self._send(HTTPStatus.OK, body, GRAPH_MEDIA[fmt], {"Vary": "Accept"})

    def _endpoint_iri(self) -> str:
        """The endpoint as the client addressed it (a plain host[:port] only, else our own)."""
        host = (self.headers.get("Host") or "").strip()
        return f"http://{host}/sparql" if _HOST.fullmatch(host) else self.server.endpoint.url

    def _send(self, status, body: str | bytes, content_type: str = "text/plain; charset=utf-8",
              headers: dict[str, str] | None = None, close: bool = False) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        if content_type.startswith("text/plain") and not data.endswith(b"\n"):
            data += b"\n"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self._cors_headers()
        if close or status >= 400:  # an unread body would otherwise be taken for the next request
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:
        if self.server.log:
            super().log_message(format, *args)


_HOST_HEADER = re.compile(r"(?P<name>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(?P<port>[0-9]{1,5}))?")
_HOST = re.compile(r"[A-Za-z0-9.-]+(:[0-9]+)?|\[[0-9A-Fa-f:.]+\](:[0-9]+)?")
_FORMAT_PARAM = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "turtle": "turtle", "ttl": "turtle",
                 "jsonld": "jsonld", "json-ld": "jsonld", "ntriples": "ntriples", "nt": "ntriples"}
_DESCRIPTION_TYPES = (("text/turtle", "turtle"), ("application/ld+json", "jsonld"),
                      ("application/n-triples", "ntriples"))

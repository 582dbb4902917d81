"""`vaultc publish --store URL`: the page graphs pushed to a SPARQL 1.1 Graph Store HTTP Protocol
store (Oxigraph server, Fuseki, Virtuoso, GraphDB) — how a team shares one graph.

Each page graph is PUT whole (`?graph=<page IRI>`), replacing what the store held for that page;
the graphs of pages removed since the last publish are DELETEd. What was published, and a hash of
each graph, is remembered in a state file beside the vault (never inside it), so an unchanged page
is not sent again and a removed page is known to be removed.
"""
from __future__ import annotations

import base64
import hashlib
import html
import http.client
import json
import re
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import pyoxigraph as ox

from ..files import write_atomic
from .emit import PageGraph, gc_paused, quads
from .store import to_oxigraph

STATE_VERSION = 1


class PublishError(Exception):
    """The store could not be reached or refused a request: one line for the user."""


@dataclass(frozen=True)
class Credentials:
    user: str | None = None
    password: str | None = None
    token: str | None = None

    def header(self) -> str | None:
        if self.token:
            return f"Bearer {self.token}"
        if self.user is not None:
            pair = f"{self.user}:{self.password or ''}".encode("utf-8")
            return "Basic " + base64.b64encode(pair).decode("ascii")
        return None


@dataclass
class Outcome:
    put: list[str] = field(default_factory=list)
    unchanged: int = 0
    deleted: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def summary(self, store: str) -> str:
        return (f"published to {store}: {len(self.put)} graph{'s' if len(self.put) != 1 else ''} put, "
                f"{self.unchanged} unchanged, {len(self.deleted)} deleted")


def state_file(vault: Path, store_url: str) -> Path:
    """`.vaultc-cache/` beside the vault folder: one file per store, since a vault may be
    published to several."""
    digest = hashlib.sha256(clean_url(store_url).encode("utf-8")).hexdigest()[:16]
    return vault.resolve().parent / ".vaultc-cache" / f"publish-{digest}.json"


def clean_url(url: str) -> str:
    """The URL without credentials, for messages and the state file."""
    split = urlsplit(url)
    netloc = split.netloc.rpartition("@")[2]
    return urlunsplit((split.scheme, netloc, split.path, split.query, ""))


def publish(graphs: Sequence[PageGraph], store_url: str, state: Path, credentials: Credentials = Credentials(),
            force: bool = False, threads: int = 4, timeout: float = 60.0, verify: bool = False) -> Outcome:
    """`threads`: requests at once (1 for stores that lock, as Virtuoso does under parallel PUTs).
    `verify`: read every graph back from the store and send again each one that differs or is
    missing (deleted behind vaultc's back), whatever the state file says."""
    client = GraphStoreClient(store_url, credentials, timeout)
    bodies = serialise(graphs)
    digests = {iri: hashlib.sha256(body).hexdigest() for iri, body in bodies.items()}
    previous = _read_state(state)
    if verify:
        previous = {**previous, **_verified(client, bodies, digests, threads)}
    to_put = [iri for iri in bodies if force or previous.get(iri) != digests[iri]]
    to_delete = [iri for iri in previous if iri not in bodies]
    outcome = Outcome(unchanged=len(bodies) - len(to_put))
    # The new state starts as what the store is known to hold and follows each answer; a graph
    # whose PUT failed stays listed without a hash, so it is sent again and still deleted later.
    known = {iri: digest for iri, digest in previous.items()}
    lock = threading.Lock()

    def put(iri: str) -> None:
        status, text = client.request("PUT", iri, bodies[iri])
        _stop_if_unauthorised(status, text)
        with lock:
            if 200 <= status < 300:
                known[iri] = digests[iri]
                outcome.put.append(iri)
            else:
                known[iri] = None
                outcome.failures.append(f"PUT <{iri}>: {status} {text}")

    def delete(iri: str) -> None:
        status, text = client.request("DELETE", iri)
        _stop_if_unauthorised(status, text)
        with lock:
            if 200 <= status < 300 or status == 404:  # 404: already gone, which is what we want
                known.pop(iri, None)
                outcome.deleted.append(iri)
            else:
                outcome.failures.append(f"DELETE <{iri}>: {status} {text}")

    pool = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="vaultc-publish")
    try:
        futures = [*(pool.submit(put, iri) for iri in to_put), *(pool.submit(delete, iri) for iri in to_delete)]
        for future in futures:
            future.result()  # a store that cannot be reached stops the run: nothing else would land
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _write_state(state, store_url, known)
        client.close()
    if outcome.failures:
        more = f" (and {len(outcome.failures) - 1} more)" if len(outcome.failures) > 1 else ""
        raise PublishError(f"the store refused {outcome.failures[0]}{more}")
    return outcome


def _verified(client: "GraphStoreClient", bodies: dict[str, bytes], digests: dict[str, str],
              threads: int) -> dict[str, str | None]:
    """Graph -> its digest where the store holds exactly the vault's triples, else None."""
    def check(iri: str) -> tuple[str, str | None]:
        status, body = client.fetch(iri)
        _stop_if_unauthorised(status, body.decode("utf-8", "replace"))
        if status != 200:
            return iri, None
        try:
            held = set(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        except (SyntaxError, ValueError):
            return iri, None
        same = held == set(ox.parse(bodies[iri], format=ox.RdfFormat.N_TRIPLES))
        return iri, digests[iri] if same else None

    with ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="vaultc-verify") as pool:
        return dict(pool.map(check, bodies))


def _stop_if_unauthorised(status: int, text: str) -> None:
    """Refused credentials fail every request alike: stop at the first instead of sending all."""
    if status in (401, 403):
        raise PublishError(f"the store answered {status} ({text}): check --user/--password or --token")


def serialise(graphs: Sequence[PageGraph]) -> dict[str, bytes]:
    """Graph IRI -> its triples as N-Triples, which every store reads (N-Triples is also Turtle)."""
    by_graph: dict[str, list[ox.Triple]] = defaultdict(list)
    with gc_paused():
        for quad in to_oxigraph(quads(graphs)):
            by_graph[quad.graph_name.value].append(quad.triple)
    return {iri: ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"" for iri, triples in by_graph.items()}


class GraphStoreClient:
    """PUT and DELETE of one graph at a time (indirect identification, `?graph=`), over one
    keep-alive connection per thread."""

    def __init__(self, url: str, credentials: Credentials, timeout: float) -> None:
        split = urlsplit(url)
        if split.scheme not in ("http", "https") or not split.hostname:
            raise PublishError(f"not an http(s) URL: {clean_url(url)!r}")
        if split.username is not None and credentials.header() is None:
            credentials = Credentials(unquote(split.username), unquote(split.password or ""))
        self.url = clean_url(url)
        self._split = split
        self._path = (split.path or "/") + (f"?{split.query}&" if split.query else "?")
        self._headers = {"User-Agent": "vaultc-publish"}
        if credentials.header():
            self._headers["Authorization"] = credentials.header()
        self._timeout = timeout
        self._local = threading.local()
        self._connections: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    RETRIES = (0.2, 0.5, 1.0, 2.0, 4.0)  # seconds before each further try: about 8 s in all

    def request(self, method: str, graph: str, body: bytes | None = None) -> tuple[int, str]:
        """(status, one readable line): a 5xx answer or a lost connection is tried again, with
        growing pauses (a store restarting, or one that deadlocked parallel writes)."""
        headers = dict(self._headers)
        if body is not None:
            headers["Content-Type"] = "text/turtle; charset=utf-8"
        status, data, kind = self._send(method, graph, body, headers)
        text = data.decode("utf-8", "replace")
        if "html" in kind or text.lstrip().startswith("<"):  # an error page: its title, or the reason
            title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
            text = html.unescape(title.group(1)) if title else ""
        line = " ".join(text.split())[:200]
        return status, line or (http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else "")

    def fetch(self, graph: str) -> tuple[int, bytes]:
        """GET one graph as N-Triples (for --verify)."""
        status, data, _ = self._send("GET", graph, None, {**self._headers, "Accept": "application/n-triples"})
        return status, data

    def _send(self, method: str, graph: str, body: bytes | None, headers: dict) -> tuple[int, bytes, str]:
        target = self._path + "graph=" + quote(graph, safe="")
        for attempt, pause in enumerate((*self.RETRIES, None)):
            connection = self._connection(fresh=attempt > 0)
            try:
                connection.request(method, target, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                if response.status < 500 or pause is None:
                    return response.status, data, (response.getheader("Content-Type") or "").lower()
            except (http.client.HTTPException, OSError) as exc:
                connection.close()
                if pause is None:
                    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
                    raise PublishError(f"cannot reach the store at {self.url}: {reason}") from None
            time.sleep(pause)
        raise AssertionError("unreachable")

    def _connection(self, fresh: bool) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None or fresh:
            kind = http.client.HTTPSConnection if self._split.scheme == "https" else http.client.HTTPConnection
            connection = kind(self._split.hostname, self._split.port, timeout=self._timeout)
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def close(self) -> None:
        with self._lock:
            for connection in self._connections:
                connection.close()


def _read_state(path: Path) -> dict[str, str | None]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise PublishError(f"cannot read the publish state {path}: {exc}") from None
    graphs = data.get("graphs") if isinstance(data, dict) else None
    if not isinstance(graphs, dict):
        raise PublishError(f"the publish state {path} is not one vaultc wrote; move it away to start afresh")
    return graphs


def _write_state(path: Path, store_url: str, graphs: dict[str, str | None]) -> None:
    document = {"version": STATE_VERSION, "store": clean_url(store_url), "graphs": dict(sorted(graphs.items()))}
    write_atomic(path, json.dumps(document, indent=1) + "\n")

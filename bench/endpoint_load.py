"""Load on `vaultc sparql`: start the endpoint over a vault on a free loopback port, let N concurrent
clients send a mix of the canned queries and small ad-hoc SELECT/ASK/CONSTRUCT queries for D seconds,
and report requests, errors, throughput and latency percentiles as a Markdown section.

`python bench/endpoint_load.py VAULT [--clients 50] [--duration 20]`. Only 127.0.0.1 is ever
targeted. A request counts as an error when its answer is not 2xx, does not parse as the type it
claims, is not one the client accepted, or when it times out or its connection fails. Half the
clients keep one connection alive; the other half connect afresh for every request, so the listen
backlog is exercised as well as the query workers.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import select
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from compiler.rdf.vocab import canned_queries  # noqa: E402

HOST = "127.0.0.1"
_RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"
_GRAPH_FORMATS = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
                  "application/ld+json": ox.RdfFormat.JSON_LD, "application/rdf+xml": ox.RdfFormat.RDF_XML}
# A canned query may be any query form, so its Accept offers a results type and a graph type;
# the answer is judged by the type it comes back as.
_EITHER = [None, "application/sparql-results+json, text/turtle;q=0.9",
           "application/sparql-results+xml, application/ld+json;q=0.9",
           "text/csv, application/n-triples;q=0.9", "text/tab-separated-values, text/turtle;q=0.8"]
_METHODS = ["GET", "POST", "POST-form"]


@dataclass(frozen=True)
class Call:
    name: str
    method: str  # GET (query in the URL), POST (application/sparql-query) or POST-form
    query: str
    accept: str | None
    expect: str = "any"  # "rows" (≥ 1 solution), "true" (an ASK that holds), "triples" (≥ 1), or any answer


def mix(canned: dict[str, str]) -> list[Call]:
    """Every canned query three times (GET, POST, POST form, each with another Accept), and a few
    small ad-hoc queries of each form."""
    calls = [Call(f"canned {name}", _METHODS[i % 3], text, _EITHER[(i + k) % len(_EITHER)])
             for k, (name, text) in enumerate(canned.items()) for i in range(3)]
    select_ = "SELECT ?page ?path WHERE { ?page vc:path ?path } LIMIT 20"
    count = "SELECT (COUNT(*) AS ?pages) WHERE { ?page a vc:Page }"
    ask = "ASK { ?page a vc:Page ; vc:path ?path }"
    construct = "CONSTRUCT { ?page vc:path ?path } WHERE { ?page vc:path ?path } LIMIT 30"
    return calls + [
        Call("ad-hoc SELECT", "GET", select_, "application/sparql-results+json", "rows"),
        Call("ad-hoc SELECT", "POST", select_, "text/csv", "rows"),
        Call("ad-hoc SELECT", "POST-form", count, "application/sparql-results+xml", "rows"),
        Call("ad-hoc ASK", "GET", ask, None, "true"),
        Call("ad-hoc ASK", "POST-form", ask, "application/sparql-results+xml", "true"),
        Call("ad-hoc CONSTRUCT", "GET", construct, "text/turtle", "triples"),
        Call("ad-hoc CONSTRUCT", "POST", construct, "application/n-triples", "triples"),
        Call("ad-hoc CONSTRUCT", "POST-form", construct, "application/ld+json", "triples"),
    ]


def request_parts(call: Call) -> tuple[str, str, bytes | None, dict[str, str]]:
    """(HTTP method, target, body, headers) of one call."""
    headers = {"Accept": call.accept} if call.accept else {}
    if call.method == "GET":
        return "GET", "/sparql?" + urlencode({"query": call.query}), None, headers
    if call.method == "POST":
        return "POST", "/sparql", call.query.encode(), {**headers, "Content-Type": "application/sparql-query"}
    form = urlencode({"query": call.query}).encode()
    return "POST", "/sparql", form, {**headers, "Content-Type": "application/x-www-form-urlencoded"}


def judge(call: Call, status: int, content_type: str, body: bytes) -> str | None:
    """Why an answer is wrong, or None when it is a 2xx of a type the client asked for that parses
    as that type (and, for the ad-hoc queries, holds what it must)."""
    if not 200 <= status < 300:
        return f"HTTP {status}"
    media = content_type.split(";")[0].strip().lower()
    if call.accept and media not in call.accept:
        return f"unasked type {media}"
    try:
        if media in ("application/sparql-results+json", "application/json"):
            doc = json.loads(body)
            found = doc["boolean"] if "boolean" in doc else len(doc["results"]["bindings"])
        elif media in ("application/sparql-results+xml", "application/xml", "text/xml"):
            root = ET.fromstring(body)
            if root.tag != _RESULTS_NS + "sparql":
                return "not SPARQL results XML"
            boolean = root.find(_RESULTS_NS + "boolean")
            found = boolean.text == "true" if boolean is not None else len(root.findall(f".//{_RESULTS_NS}result"))
        elif media in ("text/csv", "text/tab-separated-values"):
            lines = body.decode("utf-8").splitlines()
            if not lines or not lines[0].strip():
                return "no header line"
            found = lines[1] == "true" if lines[0].strip() in ("_askResult", "?_askResult") else len(lines) - 1
        elif media in _GRAPH_FORMATS:
            found = sum(1 for _ in ox.parse(body, format=_GRAPH_FORMATS[media]))
        else:
            return f"unexpected type {media or 'none'}"
    except (ValueError, KeyError, TypeError, SyntaxError, IndexError, UnicodeDecodeError) as exc:
        return f"unparsable {media}: {type(exc).__name__}"
    if call.expect == "true" and found is not True:
        return "ASK answered false"
    if call.expect in ("rows", "triples") and (isinstance(found, bool) or found < 1):
        return f"no {call.expect}"
    return None


@dataclass(frozen=True)
class Sample:
    name: str
    seconds: float
    error: str | None


@dataclass
class LoadResult:
    clients: int
    duration: float  # the load phase, from the first request to the last answer
    samples: list[Sample] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.samples)

    @property
    def errors(self) -> Counter:
        return Counter(s.error for s in self.samples if s.error)

    @property
    def throughput(self) -> float:
        return self.requests / self.duration if self.duration else 0.0

    def percentile(self, percent: int, name: str | None = None) -> float:
        """Latency in milliseconds of every request (or of one call name), errors included."""
        seconds = sorted(s.seconds for s in self.samples if name is None or s.name == name)
        if not seconds:
            return float("nan")
        if len(seconds) == 1:
            return seconds[0] * 1000
        return statistics.quantiles(seconds, n=100, method="inclusive")[percent - 1] * 1000


def run_load(url: str, calls: list[Call], clients: int = 50, duration: float = 20.0,
             timeout: float = 60.0) -> LoadResult:
    """`clients` threads send `calls` round-robin (each from its own offset) until `duration` has
    passed; a request under way then is waited for. Even-numbered clients keep their connection."""
    split = urlsplit(url)
    if split.hostname != HOST:
        raise ValueError(f"refusing to load anything but {HOST}: {url}")
    samples: list[Sample] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client(index: int) -> None:
        mine: list[Sample] = []
        connection: http.client.HTTPConnection | None = None
        start.wait()
        turn = index
        while time.monotonic() < deadline[0]:
            call = calls[turn % len(calls)]
            turn += 1
            method, target, body, headers = request_parts(call)
            began = time.perf_counter()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(HOST, split.port, timeout=timeout)
                connection.request(method, target, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                error = judge(call, response.status, response.getheader("Content-Type") or "", data)
                if response.will_close or index % 2:
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException) as exc:  # refused, reset, timed out
                error = type(exc).__name__
                if connection is not None:
                    connection.close()
                connection = None
            mine.append(Sample(call.name, time.perf_counter() - began, error))
        if connection is not None:
            connection.close()
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=client, args=(i,), name=f"load-client-{i}", daemon=True)
               for i in range(clients)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    deadline[0] = began + duration
    start.wait()
    for thread in threads:
        thread.join(duration + timeout + 10)
    return LoadResult(clients, time.monotonic() - began, samples)


# --- the server under test -------------------------------------------------------------------------

@dataclass(frozen=True)
class Stopped:
    returncode: int | None  # None: it had to be killed
    workers_left: list[int]  # worker processes still alive after it stopped
    port_open: bool  # something still accepts connections on its port


class Server:
    """`vaultc sparql VAULT --port 0` in a child process: started, waited for, stopped with SIGTERM."""

    def __init__(self, vault: Path, workers: int = 2, time_limit: float = 10.0, startup: float = 600.0) -> None:
        command = [sys.executable, "-m", "compiler", "sparql", str(vault), "--host", HOST, "--port", "0",
                   "--quiet", "--workers", str(workers), "--timeout", str(time_limit)]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     cwd=Path(__file__).resolve().parents[1])
        self.log: list[str] = []
        try:
            self.url = self._announced(time.monotonic() + startup)
            self._wait_ready(time.monotonic() + 60)
        except BaseException:
            self.stop()
            raise
        # Keep reading its stderr, so that a chatty server never blocks on a full pipe.
        threading.Thread(target=self._drain, name="vaultc-sparql-stderr", daemon=True).start()
        self.workers = _children(self.proc.pid)

    def _announced(self, deadline: float) -> str:
        """The URL from the line the server prints once it listens."""
        pending = b""
        while time.monotonic() < deadline:
            if not select.select([self.proc.stderr], [], [], 0.5)[0]:
                if self.proc.poll() is not None:
                    break
                continue
            chunk = os.read(self.proc.stderr.fileno(), 65536)
            if not chunk:
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in (raw.decode("utf-8", "replace") for raw in lines):
                self.log.append(line)
                found = re.search(r"SPARQL endpoint at (http://\S+)", line)
                if found:
                    if urlsplit(found[1]).hostname != HOST:
                        raise RuntimeError(f"the endpoint is not on {HOST}: {found[1]}")
                    return found[1]
        raise RuntimeError("vaultc sparql did not start: " + " | ".join(self.log[-5:] + [pending.decode()]))

    def _wait_ready(self, deadline: float) -> None:
        port = urlsplit(self.url).port
        while True:
            try:
                connection = http.client.HTTPConnection(HOST, port, timeout=10)
                connection.request("GET", "/sparql?" + urlencode({"query": "ASK {}"}))
                if connection.getresponse().status == 200:
                    connection.close()
                    return
                connection.close()
            except (OSError, http.client.HTTPException):
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("vaultc sparql never answered")
            time.sleep(0.1)

    def _drain(self) -> None:
        for raw in iter(self.proc.stderr.readline, b""):
            self.log.append(raw.decode("utf-8", "replace").rstrip())

    def stop(self, grace: float = 20.0) -> Stopped:
        workers = getattr(self, "workers", [])
        port = urlsplit(self.url).port if hasattr(self, "url") else None
        returncode = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            returncode = self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for pid in workers:  # give orphaned workers a moment to notice their closed pipe
            for _ in range(50):
                if not _alive(pid):
                    break
                time.sleep(0.1)
        return Stopped(returncode, [pid for pid in workers if _alive(pid)], port is not None and _accepts(port))


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(child) for child in handle.read().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    """Running, not merely a zombie no one has reaped yet."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def _accepts(port: int) -> bool:
    try:
        socket.create_connection((HOST, port), timeout=1).close()
        return True
    except OSError:
        return False


# --- the report ------------------------------------------------------------------------------------

def markdown(result: LoadResult, vault: str, workers: int, title: str = "## SPARQL endpoint under load") -> str:
    kinds = result.errors
    error_text = ", ".join(f"{count} × {kind}" for kind, count in kinds.most_common()) or "none"
    lines = [
        title, "",
        f"`vaultc sparql` over {vault} with {workers} query workers (default time limit and row cap), "
        f"on {HOST}; {result.clients} concurrent clients for {result.duration:.0f} s sending the canned "
        "queries (`compiler/rdf/queries/*.rq`) and small ad-hoc SELECT, ASK and CONSTRUCT queries by GET, "
        "POST and form POST with JSON, XML, CSV, TSV, Turtle, N-Triples and JSON-LD answers. Half the "
        "clients keep their connection alive, half reconnect per request. An error is any non-2xx, "
        "timeout, connection failure or malformed answer. Latency is per request, queueing for a worker "
        f"included; load average {_load()} at the end. Regenerate with `python bench/endpoint_load.py VAULT`.",
        "",
        "| clients | duration s | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {result.clients} | {result.duration:.1f} | {result.requests:,} | {sum(kinds.values())} | "
        f"{result.throughput:.1f} | {result.percentile(50):.0f} | {result.percentile(95):.0f} | "
        f"{result.percentile(99):.0f} | {max((s.seconds for s in result.samples), default=0) * 1000:.0f} |",
        "", f"Errors: {error_text}.", "",
        "| query | requests | errors | p50 ms | p99 ms |", "|---|---:|---:|---:|---:|",
    ]
    for name in sorted({s.name for s in result.samples}):
        mine = [s for s in result.samples if s.name == name]
        lines.append(f"| {name} | {len(mine)} | {sum(1 for s in mine if s.error)} | "
                     f"{result.percentile(50, name):.0f} | {result.percentile(99, name):.0f} |")
    return "\n".join(lines) + "\n"


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vault", type=Path)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="the endpoint's query workers (default 2)")
    parser.add_argument("--timeout", type=float, default=60.0, help="client timeout per request (default 60 s)")
    args = parser.parse_args(argv)

    pages = sum(1 for _ in args.vault.rglob("*.md"))
    started = time.monotonic()
    server = Server(args.vault, workers=args.workers)
    print(f"endpoint_load: {server.url} ready after {time.monotonic() - started:.1f} s; "
          f"{args.clients} clients for {args.duration:g} s", file=sys.stderr, flush=True)
    try:
        result = run_load(server.url, mix(canned_queries()), args.clients, args.duration, args.timeout)
    finally:
        stopped = server.stop()
    print(markdown(result, f"`{args.vault.name}` ({pages:,} pages)", args.workers), end="")
    if stopped.returncode != 0 or stopped.workers_left or stopped.port_open:
        print(f"endpoint_load: the server did not stop cleanly: {stopped}", file=sys.stderr)
        return 1
    return 0 if not result.errors else 1


if __name__ == "__main__":
    raise SystemExit(main())

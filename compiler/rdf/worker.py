"""One query worker of the SPARQL endpoint: a separate process holding its own in-memory Oxigraph
store, so that a query over its time limit can be stopped by killing the process (a thread
running inside pyoxigraph cannot be interrupted) without stopping the server.

Protocol over stdin/stdout: the worker prints `ready`; then, per request, it reads one JSON line
({"query", "accept", "format", "max_rows", "partial", "default_graphs", "named_graphs"}) and
answers with a JSON header line ({"status", "type", "truncated", "length"}) followed by `length` bytes of body.
Every query passes the guard (guard.py) here, in the process that a time limit can kill, before
the store sees it. Run as `python -m compiler.rdf.worker CONFIG.json`.
"""
from __future__ import annotations

import json
import os
import signal
import sys

import pyoxigraph as ox

from . import results
from .guard import in_order, names_dataset, readable, refusal, warm
from .negotiate import GRAPH_MEDIA, GRAPH_TYPES, RESULT_TYPES, choose
from .store import oxigraph_term

_RDF_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD,
                "ntriples": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML}


class Worker:
    def __init__(self, config: dict) -> None:
        self.store = ox.Store()
        self.store.load(path=config["dump"], format=ox.RdfFormat.N_QUADS)
        self.base = config["base"]
        self.prefixes = config["prefixes"]

    def answer(self, request: dict) -> tuple[dict, bytes]:
        query = readable(request["query"])
        refused = refusal(query, self.prefixes, self.base)
        if refused is not None:
            return _error(refused.status, refused.reason)
        try:
            result = self.store.query(query, **self._dataset(request, names_dataset(query)))
            if isinstance(result, ox.QueryTriples):
                return self._graph(result, request)
            return self._solutions(result, request)
        except SyntaxError as exc:
            return _error(400, f"query syntax error: {exc}")
        except MemoryError:
            return _error(500, "the query needed more memory than a worker may use")
        except (OSError, ValueError, TypeError, RuntimeError) as exc:
            return _error(400, f"query failed: {exc}")

    def _dataset(self, request: dict, own: bool = False) -> dict:
        """The query's dataset: the union of the page graphs, unless the client named graphs (SPARQL
        Protocol `default-graph-uri` / `named-graph-uri`, which win) or the query did (`own`:
        FROM / FROM NAMED, which the engine then reads itself)."""
        options = {"base_iri": self.base, "prefixes": self.prefixes}
        default = [ox.NamedNode(iri) for iri in request.get("default_graphs") or ()]
        named = [ox.NamedNode(iri) for iri in request.get("named_graphs") or ()]
        if default:
            options["default_graph"] = default
        elif not own or named:
            options["use_default_graph_as_union"] = True
        if named:
            options["named_graphs"] = named
        return options

    def _solutions(self, result, request: dict) -> tuple[dict, bytes]:
        fmt = request.get("format")
        if fmt not in results.MEDIA_TYPES:  # `format=` counts only where it fits the query's form
            fmt = choose(request.get("accept"), RESULT_TYPES)
        if fmt not in results.MEDIA_TYPES:
            return _not_acceptable(RESULT_TYPES)
        if isinstance(result, ox.QueryBoolean):
            answer = results.Solutions(boolean=bool(result))
        else:
            variables = in_order(request["query"], list(result.variables))
            answer = results.Solutions(variables=[v.value for v in variables])
            cap = request["max_rows"]
            for solution in result:  # evaluation happens here, row by row
                if len(answer.rows) == cap:
                    if not request.get("partial"):
                        return _too_many(cap, "rows")
                    answer.truncated = True
                    break
                answer.rows.append([oxigraph_term(solution[v]) for v in variables])
        body = results.serialise(answer, fmt).encode("utf-8")
        if len(body) > MAX_ANSWER_BYTES:
            return _error(500, f"the answer is over {MAX_ANSWER_BYTES >> 20} MiB; ask for less (LIMIT, fewer columns)")
        return {"status": 200, "type": results.MEDIA_TYPES[fmt], "truncated": answer.truncated}, body

    def _graph(self, result, request: dict) -> tuple[dict, bytes]:
        fmt = request.get("format")
        if fmt not in _RDF_FORMATS:  # SPARQLWrapper sends format=xml with every CONSTRUCT: Accept decides
            fmt = choose(request.get("accept"), GRAPH_TYPES)
        if fmt not in _RDF_FORMATS:
            return _not_acceptable(GRAPH_TYPES)
        triples, truncated = [], False
        for triple in result:
            if len(triples) == request["max_rows"]:
                if not request.get("partial"):
                    return _too_many(request["max_rows"], "triples")
                truncated = True
                break
            triples.append(triple)
        body = ox.serialize(triples, format=_RDF_FORMATS[fmt], prefixes=self.prefixes) or b""
        if len(body) > MAX_ANSWER_BYTES:
            return _error(500, f"the answer is over {MAX_ANSWER_BYTES >> 20} MiB; ask for less (LIMIT)")
        return {"status": 200, "type": GRAPH_MEDIA[fmt], "truncated": truncated}, body


def _error(status: int, message: str) -> tuple[dict, bytes]:
    return {"status": status, "type": "text/plain; charset=utf-8"}, (message.splitlines()[0] + "\n").encode()


def _too_many(cap: int, what: str) -> tuple[dict, bytes]:
    """More than the cap: refused, not cut, since a cut answer looks complete to a client that reads
    no headers. A client that wants the first `cap` asks with `partial=true`."""
    return _error(422, f"the answer has more than {cap} {what} (the endpoint's --max-rows): add a LIMIT, "
                       f"or send partial=true to get the first {cap}")


def _not_acceptable(offers) -> tuple[dict, bytes]:
    types = ", ".join(dict.fromkeys(media for media, _ in offers))
    return _error(406, f"none of the requested types is available; this answer can be: {types}")


MAX_ANSWER_BYTES = 64 * 1024 * 1024  # one answer; a client wanting more pages through it


def cap_memory() -> None:
    """A query process may use a gigabyte beyond what it holds once its store is built, no more: a
    query that builds a huge value (a 256 MiB literal from nested CONCAT) then fails in this
    process, which is replaced, instead of taking the machine's memory."""
    try:
        import resource

        with open("/proc/self/statm") as handle:
            held = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (held + (1 << 30), held + (1 << 30)))
    except (ImportError, OSError, ValueError):  # no such limit here: the time limit still holds
        pass


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops us
    with open(argv[0], encoding="utf-8") as handle:
        config = json.load(handle)
    worker = Worker(config)
    cap_memory()
    warm()
    out = sys.stdout.buffer
    out.write(b"ready\n")
    out.flush()
    for line in sys.stdin.buffer:
        header, body = worker.answer(json.loads(line))
        header["length"] = len(body)
        out.write(json.dumps(header).encode() + b"\n" + body)
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""`vaultc query`: SPARQL over the emitted graph, on rdflib backed by Oxigraph (oxrdflib), and the
library of canned queries shipped as `queries/*.rq`.

Queries go to rdflib as strings: a `prepareQuery()` object would make rdflib skip Oxigraph and
fall back to its own engine, silently and many times slower.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import BNode, Dataset, Graph, Literal, URIRef

from . import results
from .guard import in_order, names_dataset, readable, refusal
from .vocab import PREFIXES, canned_queries


class QueryError(Exception):
    """A query that cannot run (syntax, unknown canned name): one line for the user."""


@dataclass
class GraphAnswer:
    """The answer to a CONSTRUCT or DESCRIBE."""

    graph: Graph


def canned(name: str) -> str:
    library = canned_queries()
    if name not in library:
        raise QueryError(f"no canned query {name!r}; `vaultc query --list` shows: {', '.join(library)}")
    return library[name]


def describe(text: str) -> str:
    """A canned query's summary: its first comment line."""
    for line in text.splitlines():
        if line.startswith("#"):
            return line.lstrip("# ").strip()
    return ""


def run(dataset: Dataset, text: str, base: str) -> results.Solutions | GraphAnswer:
    # BASE goes first, on the same line so that error positions keep their line numbers, and makes
    # `<tickers/NVDA>` name a page; a BASE of the query's own comes later and wins.
    declared = f"BASE <{base}> "
    text = readable(text)
    refused = refusal(text, PREFIXES, base)  # the endpoint's guard: the vault only, bounded depth
    if refused is not None:
        raise QueryError(refused.reason)
    try:
        if names_dataset(text):  # FROM: the query's own dataset, not the union rdflib's view asks for
            result = dataset.store.query(declared + text, PREFIXES, {}, "")
        else:
            result = dataset.query(declared + text, initNs=PREFIXES)
        if result.type == "ASK":
            return results.Solutions(boolean=bool(result.askAnswer))
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            return GraphAnswer(result.graph)
        ordered = in_order(text, list(result.vars))
        variables = [str(v) for v in ordered]
        rows = [[_term(binding.get(v)) for v in ordered] for binding in result.bindings]
        return results.Solutions(variables, rows)
    except SyntaxError as exc:
        message = _ERROR_ON_LINE_1.sub(lambda m: f"1:{max(1, int(m[1]) - len(declared))}", _first_line(exc), count=1)
        raise QueryError(f"query syntax error: {message}") from None
    except (OSError, ValueError, TypeError, NotImplementedError) as exc:
        raise QueryError(f"query failed: {_first_line(exc)}") from None
    except RecursionError:
        raise QueryError("query failed: nested too deeply to be read") from None


def render(answer: results.Solutions | GraphAnswer, fmt: str, base: str, width: int | None = 60) -> str:
    """`fmt` is table, json or csv. A graph answer is Turtle, or JSON-LD for json."""
    if isinstance(answer, GraphAnswer):
        for prefix, namespace in PREFIXES.items():
            answer.graph.bind(prefix, namespace, override=True, replace=True)
        return answer.graph.serialize(format="json-ld" if fmt == "json" else "turtle")
    if fmt == "json":
        return results.to_json(answer) + "\n"
    if fmt == "csv":
        return results.to_csv(answer)
    return results.to_table(answer, PREFIXES, base, max_width=width or 10_000)


def _term(node) -> results.Term | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        return results.uri(str(node))
    if isinstance(node, BNode):
        return results.bnode(str(node))
    if isinstance(node, Literal):
        return results.literal(str(node), str(node.datatype) if node.datatype else None, node.language)
    return results.literal(str(node))


_ERROR_ON_LINE_1 = re.compile(r"(?<=error at )1:(\d+)")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

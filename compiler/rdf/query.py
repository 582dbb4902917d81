"""`vaultc query`: SPARQL over the emitted graph in an Oxigraph store (the engine the query blocks
and the endpoint run on), and the library of canned queries shipped as `queries/*.rq`.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from . import results
from .guard import in_order, readable, refusal
from .store import oxigraph_term, vault_options
from .vocab import PREFIXES, canned_queries


class QueryError(Exception):
    """A query that cannot run (syntax, unknown canned name): one line for the user."""


@dataclass
class GraphAnswer:
    """The answer to a CONSTRUCT or DESCRIBE."""

    triples: list[ox.Triple]


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


def run(store: ox.Store, text: str, base: str) -> results.Solutions | GraphAnswer:
    """The answer of one query, asked as the query blocks ask theirs (store.vault_options)."""
    text = readable(text)
    refused = refusal(text, PREFIXES, base)  # the endpoint's guard: the vault only, bounded depth
    if refused is not None:
        raise QueryError(refused.reason)
    try:
        result = store.query(text, **vault_options(text, base))
        if isinstance(result, ox.QueryBoolean):
            return results.Solutions(boolean=bool(result))
        if isinstance(result, ox.QueryTriples):
            return GraphAnswer(list(result))
        ordered = in_order(text, list(result.variables))
        rows = [[oxigraph_term(solution[v]) for v in ordered] for solution in result]
        return results.Solutions([v.value for v in ordered], rows)
    except SyntaxError as exc:
        raise QueryError(f"query syntax error: {_first_line(exc)}") from None
    except RecursionError:
        raise QueryError("query failed: nested too deeply to be read") from None
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        raise QueryError(f"query failed: {_first_line(exc)}") from None


def render(answer: results.Solutions | GraphAnswer, fmt: str, base: str, width: int | None = 60) -> str:
    """`fmt` is table, json or csv. A graph answer is Turtle, or JSON-LD for json."""
    if isinstance(answer, GraphAnswer):
        kind = ox.RdfFormat.JSON_LD if fmt == "json" else ox.RdfFormat.TURTLE
        text = (ox.serialize(answer.triples, format=kind, prefixes=PREFIXES) or b"").decode("utf-8")
        return text if text.endswith("\n") else text + "\n"
    if fmt == "json":
        return results.to_json(answer) + "\n"
    if fmt == "csv":
        return results.to_csv(answer)
    return results.to_table(answer, PREFIXES, base, max_width=width or 10_000)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

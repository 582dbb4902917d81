"""Query blocks (VAULT-SPEC §1): each ```` ```sparql ```` fence of a page, run against the compiled
graph with the page's own IRI bound to `?this`, the prefixes of `vaultc query` and a time limit.

Answers are kept with the compile, under a key made of the query, the page and a digest of just
the triples the query can read: the triples of the predicates its patterns name (every triple
when a pattern's predicate is a variable, or for DESCRIBE). An edit that changes none of those
triples runs nothing again; `Answers.ran` records what did run.

A query is run in a forked child process holding its own copy of the store: pyoxigraph cannot be
interrupted from Python, so a query over its time limit is stopped by killing the child (as the
endpoint's workers are, see worker.py), and the next query gets a new child.
"""
from __future__ import annotations

import hashlib
import multiprocessing
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from .emit import PageGraph, quads
from .guard import in_order, mentions, readable, refusal, replace_variable
from .vocab import PREFIXES, instance_iri

MAX_ROWS = 1000  # rows (or triples) a page shows; more are cut and the answer says so
_UNSTABLE = ("NOW(", "RAND(", "UUID(", "STRUUID(", "BNODE(")  # answers that differ run to run: never kept


@dataclass(frozen=True)
class Answer:
    """One block's answer: SELECT rows, an ASK's yes/no, CONSTRUCT/DESCRIBE triples, or an error."""

    form: str  # select | ask | graph | error
    variables: tuple[str, ...] = ()
    rows: tuple[tuple, ...] = ()  # of results.Term or None; a graph answer's rows are triples
    boolean: bool | None = None
    truncated: bool = False
    error: str | None = None


@dataclass
class Answers:
    """Every query block's answer by (page, line), the blocks this compile ran (not recalled), and
    what a reader of the answers needs to show their terms: the IRI of each page, the prefixes."""

    by_block: dict[tuple[str, int], Answer] = field(default_factory=dict)
    ran: list[tuple[str, int]] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)  # page IRI -> vault path
    prefixes: dict[str, str] = field(default_factory=lambda: dict(PREFIXES))


def answer_blocks(pages: Mapping, graphs: list[PageGraph], base: str, limit: float,
                  kept: Mapping[str, Answer]) -> tuple[Answers, dict[str, Answer]]:
    """The answers of every query block of `pages`, and what to keep for the next compile (the
    answers by key). `kept`: what the last compile kept."""
    blocks = [(path, block) for path in sorted(pages) for block in pages[path].queries]
    answers, keep = Answers(pages={instance_iri(base, path): path for path in pages}), {}
    if not blocks:
        return answers, keep
    digests = _Digests(graphs)
    todo: list[tuple[tuple[str, int], str | None, str, str]] = []
    for path, block in blocks:
        this = instance_iri(base, path)
        text = readable(block.text)
        key = _key(text, this, digests, base, limit)
        if key is not None and key in kept:
            answers.by_block[(path, block.line)] = keep[key] = kept[key]
        else:
            todo.append(((path, block.line), key, text, this))
    if todo:
        with _Runner(graphs, base) as runner:
            for where, key, text, this in todo:
                answer = runner.answer(text, this, limit)
                answers.by_block[where] = answer
                answers.ran.append(where)
                if key is not None:
                    keep[key] = answer
    return answers, keep


def _key(text: str, this: str, digests: _Digests, base: str, limit: float) -> str | None:
    """What an answer is kept under (None: never kept). The limit is in it: a query that ran out
    of time may answer under a longer one."""
    if any(word in text.upper() for word in _UNSTABLE):
        return None
    digest = digests.of(_predicates_read(text, base))
    return hashlib.blake2b(f"{text}\0{this}\0{digest}\0{limit}".encode(), digest_size=16).hexdigest()


@lru_cache(maxsize=256)
def _predicates_read(text: str, base: str) -> frozenset[str] | None:
    """The predicates whose triples the query's patterns can match; None: any triple (a variable
    predicate, a negated path, DESCRIBE, or a query rdflib cannot read)."""
    from pyparsing import ParseBaseException
    from rdflib import URIRef
    from rdflib.paths import NegatedPath, Path
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    prologue = f"BASE <{base}>\n" + "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
    try:
        algebra = translateQuery(parseQuery(prologue + text)).algebra
    except (ParseBaseException, RecursionError, ValueError, TypeError, KeyError, AttributeError, NotImplementedError):
        return None
    if algebra.name == "DescribeQuery":
        return None
    found: set[str] = set()

    def predicate(p) -> bool:
        if isinstance(p, URIRef):
            found.add(str(p))
            return True
        if isinstance(p, NegatedPath):
            return False
        if isinstance(p, Path):
            return all(predicate(part) for part in getattr(p, "args", ()) or [getattr(p, "path", None)])
        return False  # a variable

    stack = [algebra]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "BGP" and not all(predicate(p) for _, p, _ in node.triples):
                return None
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
    return frozenset(found)


class _Digests:
    """Digests of the graph's triples, per predicate, made when first asked for."""

    def __init__(self, graphs: list[PageGraph]) -> None:
        self.graphs = graphs
        self._by_predicate: dict[str, str] | None = None

    def of(self, predicates: frozenset[str] | None) -> str:
        table = self._table()
        chosen = sorted(table) if predicates is None else sorted(predicates)
        return hashlib.blake2b("\0".join(f"{p} {table.get(p, '')}" for p in chosen).encode(),
                               digest_size=16).hexdigest()

    def _table(self) -> dict[str, str]:
        if self._by_predicate is None:
            lines: dict[str, list[str]] = defaultdict(list)
            for s, p, o, g in quads(self.graphs):
                lines[str(p)].append(f"{s.n3()} {o.n3()} {g.n3()}")
            self._by_predicate = {p: hashlib.blake2b("\n".join(sorted(found)).encode(), digest_size=16).hexdigest()
                                  for p, found in lines.items()}
        return self._by_predicate


class _Runner:
    """Queries answered by a forked child holding the store; killed and replaced after a time-out.
    Where fork is missing (not Linux), queries run in this process, without a time limit."""

    def __init__(self, graphs: list[PageGraph], base: str) -> None:
        self.graphs, self.base = graphs, base
        self.fork = "fork" in multiprocessing.get_all_start_methods()
        self.conn = self.process = None
        self.store = None

    def __enter__(self) -> _Runner:
        return self

    def __exit__(self, *exc) -> None:
        self._stop()

    def answer(self, text: str, this: str, limit: float) -> Answer:
        refused = refusal(text, PREFIXES, self.base)
        if refused is not None:
            return Answer("error", error=refused.reason)
        if not self.fork:
            if self.store is None:
                self.store = _store(self.graphs)
            return _run(self.store, text, this, self.base)
        if self.process is None:
            context = multiprocessing.get_context("fork")
            self.conn, theirs = context.Pipe()
            self.process = context.Process(target=_child, args=(theirs, self.graphs, self.base), daemon=True)
            self.process.start()
            theirs.close()
        self.conn.send((text, this))
        if self.conn.poll(limit):
            try:
                return self.conn.recv()
            except EOFError:
                self._stop()
                return Answer("error", error="the query stopped the process running it (out of memory?)")
        self._stop()
        return Answer("error", error=f"the query ran past its time limit of {limit:g} s")

    def _stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join()
            self.conn.close()
            self.conn = self.process = None


def _child(conn, graphs: list[PageGraph], base: str) -> None:
    from .worker import cap_memory

    store = _store(graphs)
    cap_memory()  # a query of a shared vault that builds a huge value fails here, not the machine
    while True:
        try:
            text, this = conn.recv()
        except EOFError:
            return
        conn.send(_run(store, text, this, base))


def _store(graphs: list[PageGraph]):
    from .store import oxigraph_store

    return oxigraph_store(quads(graphs))


def _run(store, text: str, this: str, base: str) -> Answer:
    import pyoxigraph as ox

    from .store import oxigraph_term, vault_options

    options = vault_options(text, base)
    try:
        if mentions(text, "this"):
            try:
                result = store.query(text, substitutions={ox.Variable("this"): ox.NamedNode(this)}, **options)
            except (ValueError, TypeError, RuntimeError, OSError):
                # Oxigraph binds only variables a SELECT projects (SEP-0007); elsewhere ?this is
                # a constant, written in its place.
                result = store.query(replace_variable(text, "this", this), **options)
        else:
            result = store.query(text, **options)
        if isinstance(result, ox.QueryBoolean):
            return Answer("ask", boolean=bool(result))
        rows, truncated = [], False
        if isinstance(result, ox.QueryTriples):
            variables = ("subject", "predicate", "object")
            for triple in result:
                if len(rows) == MAX_ROWS:
                    truncated = True
                    break
                rows.append((oxigraph_term(triple.subject), oxigraph_term(triple.predicate), oxigraph_term(triple.object)))
            return Answer("graph", variables, tuple(rows), truncated=truncated)
        ordered = in_order(text, list(result.variables))
        variables = tuple(v.value for v in ordered)
        for solution in result:
            if len(rows) == MAX_ROWS:
                truncated = True
                break
            rows.append(tuple(oxigraph_term(solution[v]) for v in ordered))
        return Answer("select", variables, tuple(rows), truncated=truncated)
    except SyntaxError as exc:
        return Answer("error", error=f"query syntax error: {_first_line(exc)}")
    except (OSError, ValueError, TypeError, RuntimeError, MemoryError) as exc:
        return Answer("error", error=f"query failed: {_first_line(exc)}")


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


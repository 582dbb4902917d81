"""What vaultc will not run: SERVICE (federated query, which would make Oxigraph send requests to
any URL the query names), SPARQL Update (INSERT, DELETE, LOAD, …), and queries nested deeper than
a parser's stack.

The decision is made on the text the engine will be given (`readable`: every line end a `\\n`,
since Oxigraph ends a comment at `\\r` too and a checker that did not once let SERVICE through),
parsed with rdflib's SPARQL 1.1 parser and its tree searched for a SERVICE pattern. rdflib also
expands `\\uXXXX` escapes before parsing, which Oxigraph does only inside strings and IRIs: rdflib
may so see more of a query as code than the engine does, never less. A token scan, lexing strings,
IRIs and comments as Oxigraph does, backs the parse up: it bounds the nesting, and decides alone
for the queries rdflib's parser cannot read (SPARQL 1.2 syntax, updates, deep nesting).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

MAX_DEPTH = 128  # nested groups, brackets and parentheses; Oxigraph's parser overflows its stack near 3,000

_TOKENS = re.compile(r'''
    (?P<skip> """.*?""" | \'\'\'.*?\'\'\' | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*'
            | <[^<>"{}|^`\\\x00-\x20]*> | \#[^\n]* | @[A-Za-z]+(?:-[A-Za-z0-9]+)* )
  | (?P<word> [?$]?[A-Za-z_][\w-]*(?::[\w.%-]*)? | :[\w.%-]* )
  | (?P<open> [{(\[] ) | (?P<close> [})\]] )
''', re.VERBOSE | re.DOTALL)

UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD"})
_SERVICE = "SERVICE (federated query) is refused: vaultc answers from the vault only"


class Refusal(NamedTuple):
    status: int  # the HTTP status the endpoint answers with: 400 unreadable, 403 not allowed
    reason: str


def readable(query: str) -> str:
    """The query with every line end a `\\n`: what is checked and then run."""
    return query.replace("\r\n", "\n").replace("\r", "\n")


def refusal(query: str, prefixes: dict[str, str] | None = None, base: str | None = None) -> Refusal | None:
    """Why `query` (already `readable`) will not be run, or None when it may."""
    scanned = _scan(query)
    if scanned is not None:
        return scanned
    return _parsed(query, tuple(sorted((prefixes or {}).items())), base)


def warm() -> None:
    """Import the parser now (a third of a second), so that no query's time limit pays for it."""
    from rdflib.plugins.sparql.parser import parseQuery  # noqa: F401


def names_dataset(query: str) -> bool:
    """Whether the query names its own dataset (`FROM` / `FROM NAMED`): then that, not the union of
    the page graphs, is what it reads (SPARQL 1.1 §13.2; the protocol's graph parameters still
    override it)."""
    return any(match.lastgroup == "word" and match.group().upper() == "FROM" for match in _TOKENS.finditer(query))


def mentions(query: str, variable: str) -> bool:
    """Whether the query uses `?variable` (or `$variable`) outside strings, IRIs and comments."""
    return any(match.lastgroup == "word" and match.group()[1:] == variable and match.group()[0] in "?$"
               for match in _TOKENS.finditer(query))


def in_order(query: str, variables: list) -> list:
    """`variables` (names, or terms with `.value`) in the order a `SELECT *` query first names them,
    as SPARQL clients show its columns (Oxigraph gives them sorted by name); as given for any other
    query."""
    first: dict[str, int] = {}
    star = False
    for match in _TOKENS.finditer(query):
        if match.lastgroup != "word":
            continue
        word = match.group()
        if word[0] in "?$":
            first.setdefault(word[1:], len(first))
        elif not star and word.upper() == "SELECT":
            rest = query[match.end():].lstrip()
            for modifier in ("DISTINCT", "REDUCED"):
                if rest[:len(modifier)].upper() == modifier:
                    rest = rest[len(modifier):].lstrip()
            if not rest.startswith("*"):
                return variables
            star = True
    if not star:
        return variables
    def name(variable) -> str:
        return getattr(variable, "value", None) or str(variable)
    return sorted(variables, key=lambda v: first.get(name(v), len(first)))


def replace_variable(query: str, variable: str, iri: str) -> str:
    """The query with every use of `?variable` (or `$variable`) replaced by `<iri>`."""
    out, last = [], 0
    for match in _TOKENS.finditer(query):
        word = match.group()
        if match.lastgroup == "word" and word[0] in "?$" and word[1:] == variable:
            out += [query[last:match.start()], f"<{iri}>"]
            last = match.end()
    return "".join(out) + query[last:]


def _scan(query: str) -> Refusal | None:
    depth = 0
    update = None
    for match in _TOKENS.finditer(query):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
            if depth > MAX_DEPTH:
                return Refusal(400, f"the query nests more than {MAX_DEPTH} levels deep")
        elif kind == "close":
            depth -= 1
        elif kind == "word":
            word = match.group()
            if word[0] in "?$" or ":" in word:  # variables and prefixed names
                continue
            upper = word.upper()
            if upper == "SERVICE":
                return Refusal(403, _SERVICE)
            if upper in UPDATE_KEYWORDS and update is None:
                update = Refusal(403, f"SPARQL Update ({upper}) is refused: this endpoint is read-only")
    return update


@lru_cache(maxsize=1024)  # a pure function: the same queries come again and again (canned ones, clients)
def _parsed(query: str, prefixes: tuple[tuple[str, str], ...], base: str | None) -> Refusal | None:
    """Parsing takes rdflib 10-110 ms a query, several times what Oxigraph takes to answer most."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery

    prologue = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes)
    if base:
        prologue = f"BASE <{base}>\n{prologue}"
    try:
        tree = parseQuery(prologue + query)
    except (ParseBaseException, RecursionError, ValueError, TypeError, KeyError):
        # Not rdflib's grammar, or nested past what its recursive parser reaches (some 30 levels,
        # while the scan allows MAX_DEPTH): the scan above decided, and the engine reports errors.
        return None
    return Refusal(403, _SERVICE) if _has_service(tree) else None


def _has_service(tree) -> bool:
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                return True
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            stack.extend(node)
    return False

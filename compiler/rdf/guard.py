"""What the read-only endpoint refuses before a query reaches the store: SPARQL Update (INSERT,
DELETE, LOAD, CLEAR, …) and SERVICE, which would make Oxigraph fetch from other hosts.

The check reads the query's tokens with strings, IRIs, comments and language tags removed, so a
keyword inside a literal ("a DELETE button") or a variable (`?service`) is no reason to refuse.
"""
from __future__ import annotations

import re

_TOKENS = re.compile(r'''
    (?P<skip> """.*?""" | \'\'\'.*?\'\'\' | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*'
            | <[^<>"{}|^`\\\x00-\x20]*> | \#[^\n]* | @[A-Za-z]+(?:-[A-Za-z0-9]+)* )
  | (?P<word> [?$]?[A-Za-z_][\w-]*(?::[\w.%-]*)? | :[\w.%-]* )
''', re.VERBOSE | re.DOTALL)

UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD"})


def refusal(query: str) -> str | None:
    """Why the endpoint will not run `query`, or None when it may."""
    for match in _TOKENS.finditer(query):
        word = match.group("word")
        if not word or word[0] in "?$" or ":" in word:  # variables and prefixed names
            continue
        upper = word.upper()
        if upper == "SERVICE":
            return "SERVICE (federated query) is refused: this endpoint answers from the vault only"
        if upper in UPDATE_KEYWORDS:
            return f"SPARQL Update ({upper}) is refused: this endpoint is read-only"
    return None

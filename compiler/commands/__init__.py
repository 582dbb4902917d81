"""The commands beyond `check` and `claims`, one module per family (`rdf`, `site`): each offers
`add_commands(subparsers, common)` to declare its arguments and a `RUNNERS` dict of command name ->
function(args) -> exit code, which cli.py registers. They compile the vault and hand it to their
emitters; they are the only modules besides cli.py that may import the cache.
"""
from __future__ import annotations


class UsageError(Exception):
    """A usage or configuration error of any command: one line on stderr, exit 2."""

"""The rule registry: `@rule(id, severity)` registers one function under a stable id (see
rules/__init__.py). A rule is called with the vault and `found`, which makes the rule's `Finding`
at its default severity: found(path, line, column, message, target=None)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..model import Finding, Severity


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    summary: str
    check: Callable[..., Iterable[Finding]]

    def found(self, path: str, line: int, column: int, message: str, target: str | None = None) -> Finding:
        return Finding(self.id, self.severity, path, line, column, message, target)

    def run(self, vault) -> Iterable[Finding]:
        return self.check(vault, self.found)


REGISTRY: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity):
    def register(func: Callable[..., Iterable[Finding]]):
        summary = (func.__doc__ or rule_id).strip().splitlines()[0]
        REGISTRY[rule_id] = Rule(rule_id, severity, summary, func)
        return func
    return register

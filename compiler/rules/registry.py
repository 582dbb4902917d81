"""The rule registry: `@rule(id, severity)` registers one function under a stable id (see
rules/__init__.py); a rule yields `Diagnostic`s."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from ..model import Severity


class Diagnostic(NamedTuple):
    """What a rule reports. rules.diagnose() puts the rule's id in front, as one flat tuple
    (check.Reported): what the check state stores and findings_of reads."""

    path: str
    line: int
    column: int
    message: str
    target: str | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    summary: str
    check: Callable[..., Iterable[Diagnostic]]


REGISTRY: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity):
    def register(func: Callable[..., Iterable[Diagnostic]]):
        summary = (func.__doc__ or rule_id).strip().splitlines()[0]
        REGISTRY[rule_id] = Rule(rule_id, severity, summary, func)
        return func
    return register

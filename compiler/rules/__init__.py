"""Rules, ruff style: each rule is one function registered under a stable id with a default severity;
the function's docstring's first line is the rule's summary (shown in SARIF and `--help`).

A rule reads the compiled vault and yields `Diagnostic`s; `run_rules` attaches ids and severities,
applies configuration, `--select`/`--ignore` and inline suppressions. Adding a rule is one function
plus its decorator; adding an output format touches no rule.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from ..model import Finding, Severity


class Diagnostic(NamedTuple):
    """What a rule reports. check.diagnose() puts the rule's id in front, as one flat tuple
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


# Importing the rule modules fills the registry.
from . import claims, links, pages  # noqa: E402,F401

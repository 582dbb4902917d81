"""Rules, ruff style: each rule is one function registered under a stable id with a default severity;
the function's docstring's first line is the rule's summary (shown in SARIF and `--help`).

A rule reads the compiled vault and yields `Diagnostic`s; `run_rules` attaches ids and severities,
applies configuration, `--select`/`--ignore` and inline suppressions. Adding a rule is one function
plus its decorator; adding an output format touches no rule.
"""
from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter
from typing import TYPE_CHECKING

from ..config import Config
from ..model import Finding
from .registry import REGISTRY, Diagnostic, Rule, rule

if TYPE_CHECKING:
    from ..analyse import CompiledVault

__all__ = ["REGISTRY", "Diagnostic", "Rule", "rule", "run_rules", "diagnose", "findings_of", "suppressed", "REPORT_ORDER"]

# Importing the rule modules fills the registry.
from . import claims, links, pages  # noqa: E402,F401

# What diagnose() returns, one per diagnostic: the rule's id and its Diagnostic's fields, as one flat
# tuple (rule id, path, line, column, message, target). The check state stores these as they are,
# and findings_of reads them.
Reported = tuple[str, str, int, int, str, "str | None"]


def run_rules(vault: "CompiledVault", rule_ids: Iterable[str]) -> list[Finding]:
    rule_ids = [r for r in rule_ids if vault.config.severity_of(r, REGISTRY[r].severity) is not None]
    return findings_of(diagnose(vault, rule_ids), vault.config, rule_ids)


def diagnose(vault: "CompiledVault", rule_ids: Iterable[str]) -> list[Reported]:
    """What each rule reports on the vault, less what inline comments suppress."""
    found = []
    for rule_id in rule_ids:
        for d in REGISTRY[rule_id].check(vault):
            if not suppressed(vault.suppressions(d.path), d.line, rule_id):
                found.append((rule_id, *d))
    return found


def findings_of(reported: Iterable[Reported], config: Config, rule_ids: Iterable[str]) -> list[Finding]:
    """Diagnostics of the selected rules as findings at their configured severities, in report order."""
    severities = {r: config.severity_of(r, REGISTRY[r].severity) for r in rule_ids}
    # tuple.__new__, not Finding(...): the NamedTuple's __new__ is a Python call per finding
    findings = [_finding(Finding, (rule_id, severity, path, line, column, message, target))
                for rule_id, path, line, column, message, target in reported
                if (severity := severities.get(rule_id)) is not None]
    return sorted(findings, key=REPORT_ORDER)


_finding = tuple.__new__
REPORT_ORDER = attrgetter("path", "line", "column", "rule", "message")


def suppressed(suppressions: tuple[tuple[int, str], ...], line: int, rule_id: str) -> bool:
    """`<!-- vaultc: ignore RULE -->` on the finding's line or the line before."""
    return bool(suppressions) and any(at in (line, line - 1) and which in (rule_id, "*") for at, which in suppressions)



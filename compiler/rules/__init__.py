"""Rules, ruff style: each rule is one function registered under a stable id with a default severity;
the function's docstring's first line is the rule's summary (shown in SARIF and `--help`).

A rule reads the compiled vault and yields `Finding`s (model.py), the one shape a finding has from
the rule to every report: `diagnose` runs rules and drops what inline comments suppress,
`findings_of` applies the configuration's severities and `--select`/`--ignore`. Adding a rule is
one function plus its decorator; adding an output format touches no rule.
"""
from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter
from typing import TYPE_CHECKING

from ..config import Config
from ..model import Finding
from .registry import REGISTRY, Rule, rule

if TYPE_CHECKING:
    from ..analyse import CompiledVault

__all__ = ["CLAIM_RULES", "REGISTRY", "Rule", "rule", "run_rules", "diagnose", "findings_of", "suppressed",
           "REPORT_ORDER"]

# Importing the rule modules fills the registry.
from . import claims, links, pages  # noqa: E402,F401
from .claims import CLAIM_RULES


def run_rules(vault: "CompiledVault", rule_ids: Iterable[str]) -> list[Finding]:
    rule_ids = [r for r in rule_ids if vault.config.severity_of(r, REGISTRY[r].severity) is not None]
    return findings_of(diagnose(vault, rule_ids), vault.config, rule_ids)


def diagnose(vault: "CompiledVault", rule_ids: Iterable[str]) -> list[Finding]:
    """What each rule finds on the vault at its default severity, less what inline comments suppress."""
    found = []
    for rule_id in rule_ids:
        for finding in REGISTRY[rule_id].run(vault):
            if not suppressed(vault.suppressions(finding.path), finding.line, rule_id):
                found.append(finding)
    return found


def findings_of(found: Iterable[Finding], config: Config, rule_ids: Iterable[str]) -> list[Finding]:
    """The findings of the selected rules at their configured severities, in report order."""
    severities = {r: config.severity_of(r, REGISTRY[r].severity) for r in rule_ids}
    chosen = [f if f.severity == severity else f._replace(severity=severity)
              for f in found if (severity := severities.get(f.rule)) is not None]
    return sorted(chosen, key=REPORT_ORDER)


REPORT_ORDER = attrgetter("path", "line", "column", "rule", "message")


def suppressed(suppressions: tuple[tuple[int, str], ...], line: int, rule_id: str) -> bool:
    """`<!-- vaultc: ignore RULE -->` on the finding's line or the line before."""
    return bool(suppressions) and any(at in (line, line - 1) and which in (rule_id, "*") for at, which in suppressions)



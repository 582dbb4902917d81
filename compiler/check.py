"""From a compiled vault to the list of findings a report shows: run the selected rules at their
configured severities, drop what inline comments suppress and what the baseline already knows.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from operator import attrgetter
from pathlib import Path

from .analyse import CompiledVault
from .config import Config, ConfigError
from .model import Finding
from .rules import REGISTRY

# What diagnose() returns, one per diagnostic: the rule's id and its Diagnostic's fields, as one flat
# tuple (rule id, path, line, column, message, target). The check state stores these as they are,
# and findings_of reads them.
Reported = tuple[str, str, int, int, str, "str | None"]


def select_rules(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[str]:
    select, ignore = list(select), list(ignore)
    for rule_id in [*select, *ignore]:
        if rule_id not in REGISTRY:
            raise ConfigError(f"unknown rule {rule_id!r} (known: {', '.join(sorted(REGISTRY))})")
    chosen = select or list(REGISTRY)
    return [r for r in chosen if r not in ignore]


def run_rules(vault: CompiledVault, rule_ids: Iterable[str]) -> list[Finding]:
    rule_ids = [r for r in rule_ids if vault.config.severity_of(r, REGISTRY[r].severity) is not None]
    return findings_of(diagnose(vault, rule_ids), vault.config, rule_ids)


def diagnose(vault: CompiledVault, rule_ids: Iterable[str]) -> list[Reported]:
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
    return sorted(findings, key=_REPORT_ORDER)


_finding = tuple.__new__
_REPORT_ORDER = attrgetter("path", "line", "column", "rule", "message")


def suppressed(suppressions: tuple[tuple[int, str], ...], line: int, rule_id: str) -> bool:
    """`<!-- vaultc: ignore RULE -->` on the finding's line or the line before."""
    return bool(suppressions) and any(at in (line, line - 1) and which in (rule_id, "*") for at, which in suppressions)


# --- baseline -------------------------------------------------------------------------------------

_DIGITS = re.compile(r"\d+")


def fingerprint(finding: Finding) -> tuple[str, str, str]:
    """What identifies a finding across edits: not its line (lines move), and not the numbers in
    its message (a stale claim's age grows every day)."""
    return finding.rule, finding.path, finding.target if finding.target is not None else _DIGITS.sub("#", finding.message)


def write_baseline(findings: list[Finding], path: Path) -> None:
    from .emit.files import write_atomic

    entries = [{"rule": r, "path": p, "key": k} for r, p, k in sorted(fingerprint(f) for f in findings)]
    write_atomic(path, json.dumps({"version": 1, "findings": entries}, indent=1) + "\n")


def apply_baseline(findings: list[Finding], path: Path) -> list[Finding]:
    """Findings not already in the baseline (each baseline entry excuses one finding)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        known = Counter((e["rule"], e["path"], e["key"]) for e in data["findings"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"cannot read baseline {path}: {exc}") from None
    fresh = []
    for finding in findings:
        key = fingerprint(finding)
        if known[key] > 0:
            known[key] -= 1
        else:
            fresh.append(finding)
    return fresh

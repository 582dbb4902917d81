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
from .model import Finding, Severity, made
from .rules import REGISTRY, Diagnostic


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


def diagnose(vault: CompiledVault, rule_ids: Iterable[str]) -> list[tuple[str, Diagnostic]]:
    """What each rule reports on the vault, less what inline comments suppress: (rule id, diagnostic)."""
    found = []
    for rule_id in rule_ids:
        for d in REGISTRY[rule_id].check(vault):
            if not suppressed(vault.suppressions(d.path), d.line, rule_id):
                found.append((rule_id, d))
    return found


def findings_of(diagnostics: Iterable[tuple[str, Diagnostic]], config: Config, rule_ids: Iterable[str]) -> list[Finding]:
    """Diagnostics of the selected rules as findings at their configured severities, in report order."""
    severities = {r: config.severity_of(r, REGISTRY[r].severity) for r in rule_ids}
    findings = [_finding(rule_id, severities[rule_id], d) for rule_id, d in diagnostics
                if severities.get(rule_id) is not None]
    return sorted(findings, key=_REPORT_ORDER)


_REPORT_ORDER = attrgetter("path", "line", "column", "rule", "message")


def _finding(rule_id: str, severity: Severity, d: Diagnostic) -> Finding:
    """Finding(...), made fast (see model.made): a big vault's report holds tens of thousands,
    remade on every re-check of `check --watch`."""
    path, line, column, message, target = d  # unpacked: a NamedTuple's fields are Python properties
    return made(Finding, {"rule": rule_id, "severity": severity, "path": path, "line": line,
                          "column": column, "message": message, "target": target})


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

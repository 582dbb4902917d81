"""Which findings a check reports: the rules `--select` and `--ignore` leave, less what the
baseline already knows. (The rules themselves run in analysis: rules/__init__.py.)
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from .config import ConfigError
from .model import Finding
from .rules import REGISTRY

def select_rules(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[str]:
    select, ignore = list(select), list(ignore)
    for rule_id in [*select, *ignore]:
        if rule_id not in REGISTRY:
            raise ConfigError(f"unknown rule {rule_id!r} (known: {', '.join(sorted(REGISTRY))})")
    chosen = select or list(REGISTRY)
    return [r for r in chosen if r not in ignore]


# --- baseline -------------------------------------------------------------------------------------

_DIGITS = re.compile(r"\d+")


def fingerprint(finding: Finding) -> tuple[str, str, str]:
    """What identifies a finding across edits: not its line (lines move), and not the numbers in
    its message (a stale claim's age grows every day)."""
    return finding.rule, finding.path, finding.target if finding.target is not None else _DIGITS.sub("#", finding.message)


def write_baseline(findings: list[Finding], path: Path) -> None:
    from .files import write_atomic

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

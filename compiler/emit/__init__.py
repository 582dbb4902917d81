"""Stage 5, emit: separate renderers of one compiled vault. The check report renderers each turn one
`Report` (the findings plus a few counts) into text; none re-parses or re-resolves anything.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..model import Finding, Severity


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    today: dt.date
    pages: int
    links: int
    vault: Path
    fail_on: Severity = Severity.ERROR
    paths: tuple[str, ...] = ()  # every page checked (JUnit lists passing pages too)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def display_path(self, path: str) -> str:
        """A finding's path as CI tools want it: relative to the working directory (the repository
        root in CI) when the vault lies inside it, else vault-relative."""
        try:
            prefix = Path(os.path.relpath(self.vault.resolve(), Path.cwd().resolve()))
        except ValueError:
            return path
        if prefix.parts and prefix.parts[0] == "..":
            return path
        return (prefix / path).as_posix() if str(prefix) != "." else path

    def uri(self, path: str) -> str:
        return quote(self.display_path(path))


def renderers():
    from . import github, json_report, junit, sarif, text

    return {"text": text.render, "json": json_report.render, "sarif": sarif.render,
            "github": github.render, "junit": junit.render}

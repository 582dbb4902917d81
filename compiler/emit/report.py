"""What every check report renderer is given: the findings plus a few counts (emit stage)."""
from __future__ import annotations

import datetime as dt
import functools
import os
from collections import Counter
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from urllib.parse import quote

from ..model import Finding, Severity


_SEVERITY = attrgetter("severity")


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
        return self._counts[int(severity)]

    @functools.cached_property
    def _counts(self) -> Counter:
        """Findings per severity value, counted in one pass (in C: no enum hashing per finding)."""
        return Counter(map(int, map(_SEVERITY, self.findings)))

    def display_path(self, path: str) -> str:
        """A finding's path as CI tools want it: relative to the working directory (the repository
        root in CI) when the vault lies inside it, else vault-relative."""
        prefix = self._prefix
        return f"{prefix}/{path}" if prefix else path

    @functools.cached_property
    def _prefix(self) -> str:
        """The vault's folder relative to the working directory, or "" when paths are shown
        vault-relative. Worked out once per report, not once per file (two `resolve` calls each)."""
        try:
            prefix = Path(os.path.relpath(self.vault.resolve(), Path.cwd().resolve()))
        except ValueError:
            return ""
        if (prefix.parts and prefix.parts[0] == "..") or str(prefix) == ".":
            return ""
        return prefix.as_posix()

    def uri(self, path: str) -> str:
        return quote(self.display_path(path))

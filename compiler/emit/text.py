"""Human-readable report: findings grouped by file as `path:line:col rule message`, then a summary."""
from __future__ import annotations

from itertools import groupby

from ..model import Severity
from .report import Report

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def render(report: Report, colour: bool = False) -> str:
    def paint(code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if colour else text

    lines = []
    for path, group in groupby(report.findings, key=lambda f: f.path):
        shown = report.display_path(path)
        for f in group:
            where = paint("1", f"{shown}:{f.line}:{f.column}")
            lines.append(f"{where} {paint(_COLOURS[f.severity], f.rule)} {f.message}")
        lines.append("")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def summary(report: Report) -> str:
    counts = [(report.count(s), s.label) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)]
    scope = f"{report.pages} pages, {report.links} links"
    if not report.findings:
        return f"All checks passed ({scope})."
    parts = ", ".join(f"{n} {label}{'s' if n != 1 and label != 'info' else ''}" for n, label in counts if n)
    return f"Found {parts} ({scope})."

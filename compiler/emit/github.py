"""GitHub Actions workflow commands: one `::error file=…,line=…,col=…,title=RULE::message` a finding,
escaped as the Actions toolkit escapes them."""
from __future__ import annotations

from ..model import Severity
from .report import Report

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(report: Report) -> str:
    lines = []
    for f in report.findings:
        props = ",".join(f"{k}={escape_property(str(v))}" for k, v in (
            ("file", report.display_path(f.path)), ("line", f.line), ("col", f.column), ("title", f.rule)))
        lines.append(f"::{_COMMAND[f.severity]} {props}::{escape_data(f.message)}")
    return "".join(line + "\n" for line in lines)


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")

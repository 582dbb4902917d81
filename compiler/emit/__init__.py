"""Stage 5, emit: separate renderers of one compiled vault. The check report renderers each turn one
`Report` (report.py: the findings plus a few counts) into text; none re-parses or re-resolves anything.
"""
from __future__ import annotations

from .report import Report

__all__ = ["Report", "renderers"]


def renderers():
    from . import github, json_report, junit, sarif, text

    return {"text": text.render, "json": json_report.render, "sarif": sarif.render,
            "github": github.render, "junit": junit.render}

"""SARIF 2.1.0 for code-scanning services: the rule list in tool.driver.rules, relative URIs, and no
line-hash fingerprints (the service computes its own)."""
from __future__ import annotations

import json

from .. import __version__
from ..model import Severity
from ..rules import REGISTRY
from .report import Report

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(report: Report) -> str:
    rule_ids = sorted(REGISTRY)
    rules = [{
        "id": rule_id,
        "name": "".join(part.capitalize() for part in rule_id.split("-")),
        "shortDescription": {"text": REGISTRY[rule_id].summary},
        "defaultConfiguration": {"level": _LEVEL[REGISTRY[rule_id].severity]},
    } for rule_id in rule_ids]
    results = [{
        "ruleId": f.rule,
        "ruleIndex": rule_ids.index(f.rule),
        "level": _LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": report.uri(f.path)},
            "region": {"startLine": max(f.line, 1), "startColumn": max(f.column, 1)},
        }}],
    } for f in report.findings]
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "vaultc", "version": __version__,
                                "informationUri": "https://w3id.org/vaultc", "rules": rules}},
            "results": results,
        }],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

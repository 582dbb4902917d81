"""`check --format json`: exactly the shape of VAULT-SPEC §2."""
from __future__ import annotations

import json

from ..model import Severity
from . import Report


def render(report: Report) -> str:
    document = {
        "version": 1,
        "today": report.today.isoformat(),
        "summary": {
            "pages": report.pages,
            "links": report.links,
            "error": report.count(Severity.ERROR),
            "warning": report.count(Severity.WARNING),
            "info": report.count(Severity.INFO),
        },
        "findings": [f.to_json() for f in report.findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

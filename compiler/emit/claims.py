"""The claims listing (`vaultc claims`), as text or as the JSON of VAULT-SPEC §2: every dated
claim with its interval and verdict, in page and line order (emit stage)."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from ..model import ClaimVerdict


def render_json(verdicts: Sequence[ClaimVerdict], today: dt.date, max_age_days: int) -> str:
    document = {
        "version": 1,
        "today": today.isoformat(),
        "max_age_days": max_age_days,
        "claims": [{
            "path": v.path, "line": v.claim.line, "text": v.claim.text, "expression": v.claim.expression,
            "kind": v.claim.kind, "start": v.claim.start.isoformat(), "end": v.claim.end.isoformat(),
            "status": v.status,
        } for v in verdicts],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_text(verdicts: Sequence[ClaimVerdict], today: dt.date, max_age_days: int) -> str:
    lines = [f"{v.path}:{v.claim.line} {v.claim.kind:<8} {v.status:<7} {v.claim.expression} "
             f"[{v.claim.start}..{v.claim.end}] {v.claim.text}" for v in verdicts]
    counts = {s: sum(1 for v in verdicts if v.status == s) for s in ("ok", "stale", "overdue")}
    lines.append(f"{len(verdicts)} claims: {counts['ok']} ok, {counts['stale']} stale, "
                 f"{counts['overdue']} overdue (today {today}).")
    return "\n".join(lines) + "\n"

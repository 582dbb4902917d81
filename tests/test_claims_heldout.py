"""Held-out claims: 67 analyst lines written fresh on 2026-12-07 and labelled by hand (flag: stale
or overdue on that day, with the default max age) before vaultc was run on them. The classifier
was not tuned on them, except for two rules VAULT-SPEC §1 states outright, fixed the same day: a
measured value on a dated timeline row is a snapshot, and a plan over a span of years runs to the
span's end. Measured before them: precision 0.920, recall 0.852; after: 0.960 and 0.889. The
target (issue 25) is 0.98 on a fresh file, which this one no longer is; this test keeps the
figures from sliding back while the misses (listed when it fails) are worked on."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from compiler.compile import compile
from compiler.config import Config

FILE = Path(__file__).parent / "fixtures" / "heldout" / "claims-2026-12-07.md"


def test_held_out_precision_and_recall_do_not_slide(tmp_path):
    vault = tmp_path / "vault"
    vault.mkdir()
    shutil.copy(FILE, vault / FILE.name)
    lines = FILE.read_text(encoding="utf-8").split("\n")
    truth = {n for n, line in enumerate(lines, 1) if "expect: flag" in line}
    compiled = compile(vault, Config(), dt.date(2026, 12, 7))
    flagged = {v.claim.line for v in compiled.verdicts if v.status in ("stale", "overdue")}
    hits = len(flagged & truth)
    precision, recall = hits / len(flagged), hits / len(truth)
    assert len(truth) == 27 and len([l for l in lines if "expect:" in l]) == 67
    assert precision >= 0.96 and recall >= 0.88, (precision, recall, sorted(flagged - truth), sorted(truth - flagged))

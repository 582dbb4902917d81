"""Held-out claims: analyst lines written fresh on 2026-12-07 and labelled by hand (flag: stale or
overdue on that day, with the default max age) before vaultc was run on them.

- `claims-2026-12-07.md` (67 lines, 27 to flag) measured precision 0.920, recall 0.852. Two rules
  VAULT-SPEC §1 states outright were then fixed (a measured value on a dated timeline row is a
  snapshot; a plan over a span of years runs to the span's end): 0.960 and 0.889. It is no
  longer held out.
- `claims-2026-12-07b.md` (64 lines, 28 to flag), written after those fixes and not tuned on:
  precision 0.933, recall 1.000. Its two false flags: a plan named by its year inside an event
  ("raised its 2025 capex plan … in October 2025") and a document's year ("the 2024 10-K"); the
  second was fixed the same day (a document's name dates no statement): 0.966 and 1.000.

- `claims-2026-12-07c.md` (61 lines, 25 to flag; a ticker page on a June fiscal year), written
  after those fixes and not tuned on: precision 0.957, recall 0.880. Its misses: "committed … in
  October 2025" taken for a figure's date, "aimed to … by June 2026" not read as a plan, a
  sentence whose stale clause is joined to a forecast ("slowed in Q4 2025 and are expected to
  re-accelerate in 2H26"), and "every quarter of 2025" (no cue). The first two were fixed the
  same day: 1.000 and 0.920.

- `claims-2026-12-07d.md` (61 lines, 27 to flag; a constraint page on power, cooling and
  financing), written after everything above and not tuned on: precision 0.889, recall 0.889.
  Misses: past-tense happenings the event words lack ("connected", "borrowed", "passed") taken for
  figures' dates; a share of racks "shipped in 2025" taken for an event; "the first nine months
  of 2025" (no cue); a change "from 2022 to 2024" taken for an event.

Then the misses of b, c and d were fixed by general rules (VAULT-SPEC §1's kinds; lines of each
new kind were added to fixtures/claims/labelled.md): "passed SB 6", "borrowed $27B" and
"connected" are happenings; a participle after a share ("20% of racks shipped in 2025") did not
happen; "every quarter of 2025" and "the first nine months of 2025" are parts of a year; a change
over a closed span ("fell 10% from 2022 to 2024") is measured then; "faster than AWS in 2025"
compares with a rival, not with 2025; "plan to $125B" names a figure, not a plan to act. After
them: a 1.000/0.963, b 1.000/1.000, c 1.000/1.000, d 1.000/1.000 (all four now tuned on).

- `claims-2026-12-07e.md` (88 lines, 39 to flag; a ticker page on an August fiscal year: memory,
  equipment, optics), written after those fixes and not tuned on: precision 1.000, recall 0.872.
  Misses: "made up roughly a fifth" (a share without a digit), "bought an estimated 70% of HBM
  output" (a share taken for a happening), "order backlog" taken for an order, "said revenue would
  exceed $1.5B in 2025" (the date is the forecast's, not the saying's) and "June-quarter 2026"
  (no grammar). Each was fixed by a general rule the same day: 1.000 and 1.000.

- `claims-2026-12-07f.md` (65 lines, 30 to flag; a sector page on hyperscaler capex, neoclouds
  and labs), written after those fixes and not tuned on: precision 0.897, recall 0.867. Misses:
  "rose about 30% between 2023 and 2025" (a recent span read as history), timeline rows that are
  only a figure ("- Q4 2024 — 31%"), and "lifted its 2025 capex guide … on the Q3 2025 call"
  (a guidance verb the happenings lacked, and the year naming the guide taken for a second
  date). Fixed the same day: 0.938 and 1.000. The two false flags left ("Meta put 2025 capex
  at $70–72B in October 2025", "xAI was raising $15B at a $200B valuation in November 2025")
  are guidance and a funding round that read as dated figures; they stay as measured.
  Writing f showed one label of c at odds with d and f: "rose 12% between 2023 and 2025" (c, line
  38) was labelled none where "fell 10% from 2022 to 2024" (d) and f's line were labelled flag; it
  was relabelled flag, so c has 26 lines to flag.

- `claims-2026-12-07g.md` (62 lines, 25 to flag; a ticker page on a foundry: results, guidance,
  capacity, customers, a timeline and a table), written after every fix above and measured once,
  before any change: precision 1.000, recall 1.000. Nothing was tuned on it.

The target (issue 25) is 0.98 on a fresh file: met by g. These tests keep every file's figures
from sliding back (a failure lists the lines it gets wrong)."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from compiler.compile import compile
from compiler.config import Config

HELD_OUT = Path(__file__).parent / "fixtures" / "heldout"


@pytest.mark.parametrize("name, lines, to_flag, precision_floor, recall_floor", [
    ("claims-2026-12-07.md", 67, 27, 1.0, 0.96),
    ("claims-2026-12-07b.md", 64, 28, 1.0, 1.0),
    ("claims-2026-12-07c.md", 61, 26, 1.0, 1.0),
    ("claims-2026-12-07d.md", 61, 27, 1.0, 1.0),
    ("claims-2026-12-07e.md", 88, 39, 1.0, 1.0),
    ("claims-2026-12-07f.md", 65, 30, 0.93, 1.0),
    ("claims-2026-12-07g.md", 62, 25, 1.0, 1.0),
])
def test_held_out_precision_and_recall_do_not_slide(tmp_path, name, lines, to_flag, precision_floor, recall_floor):
    vault = tmp_path / "vault"
    vault.mkdir()
    shutil.copy(HELD_OUT / name, vault / name)
    text = (HELD_OUT / name).read_text(encoding="utf-8").split("\n")
    truth = {n for n, line in enumerate(text, 1) if "expect: flag" in line}
    compiled = compile(vault, Config(), dt.date(2026, 12, 7))
    flagged = {v.claim.line for v in compiled.verdicts if v.status in ("stale", "overdue")}
    hits = len(flagged & truth)
    precision, recall = hits / len(flagged), hits / len(truth)
    assert len(truth) == to_flag and len([line for line in text if "expect:" in line]) == lines
    assert precision >= precision_floor and recall >= recall_floor, (
        precision, recall, sorted(flagged - truth), sorted(truth - flagged))

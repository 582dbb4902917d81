"""Run the atheris fuzz target for a few seconds: no crash, no page over its time budget."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TARGET = Path(__file__).parent / "fuzz" / "fuzz_parse.py"


def test_fuzz_parser_and_claim_grammar_briefly(tmp_path):
    proc = subprocess.run([sys.executable, str(TARGET), "-max_total_time=6", "-rss_limit_mb=2048",
                           f"-artifact_prefix={tmp_path}/"], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).parent.parent)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Done" in proc.stderr or "DONE" in proc.stderr

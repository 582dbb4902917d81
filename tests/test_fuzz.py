"""Run each parser rule's atheris fuzz target for a few seconds: no crash, no broken oracle, no
input over its time budget (tests/fuzz/fuzz_rules.py; run one for longer by hand)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

FUZZ = Path(__file__).parent / "fuzz"
# Asked of the script, not imported: importing it would instrument the compiler for every test.
TARGETS = subprocess.run([sys.executable, str(FUZZ / "fuzz_rules.py"), "--list"], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parent.parent).stdout.split()


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_fuzz_target_briefly(tmp_path, name):
    proc = subprocess.run([sys.executable, str(FUZZ / "fuzz_rules.py"), name, "-max_total_time=3",
                           "-rss_limit_mb=2048", f"-artifact_prefix={tmp_path}/"], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).parent.parent)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Done" in proc.stderr or "DONE" in proc.stderr

"""The acceptance fixture: every link form of VAULT-SPEC §1 in one vault, and the exact dangling,
missing-heading and ambiguous findings its expected file lists."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES

VAULT = FIXTURES / "links"
EXPECTED = json.loads((FIXTURES / "links.expected.json").read_text())
LINK_RULES = {"dangling-link", "missing-heading", "ambiguous-link"}


def _link_findings(findings):
    return [{k: f[k] for k in ("rule", "path", "line", "column", "target")}
            for f in findings if f["rule"] in LINK_RULES]


def test_fixture_reports_exactly_the_expected_link_findings(check_json):
    data = check_json(VAULT)
    assert _link_findings(data["findings"]) == EXPECTED
    assert data["exit"] == 1


def test_console_script_gives_the_same_report():
    """The installed `vaultc` entry point and `python -m compiler` both work."""
    exe = Path(sys.executable).with_name("vaultc")
    for command in ([str(exe)], [sys.executable, "-m", "compiler"]):
        proc = subprocess.run([*command, "check", str(VAULT), "--format", "json", "--today", "2026-11-22"],
                              capture_output=True, text=True, cwd=FIXTURES.parent.parent,
                              env={**os.environ, "NO_COLOR": "1"})
        assert proc.returncode == 1, proc.stderr
        assert _link_findings(json.loads(proc.stdout)["findings"]) == EXPECTED


def test_nothing_in_code_comments_math_or_escapes_is_a_link(check_json):
    data = check_json(VAULT)
    targets = {f.get("target", "") for f in data["findings"]}
    for hidden in ("InCode", "Escaped", "InComment", "InObsidianComment", "InMath", "InFence",
                   "InIndentedCode", "InHtmlBlock", "InCommentBlock", "InMathBlock"):
        assert not any(hidden in t for t in targets), hidden


def test_every_form_that_should_resolve_does(check_json):
    from compiler.analyse import compile_vault
    from compiler.config import Config

    vault = compile_vault(VAULT, Config())
    resolved = {(r.link.raw, r.target) for r in vault.resolutions if r.source == "sectors/Links.md"}
    for raw, target in [
        ("nvda", "tickers/NVDA.md"), ("NVDA.md", "tickers/NVDA.md"), ("NVIDIA", "tickers/NVDA.md"),
        ("team green|the green team", "tickers/NVDA.md"), ("tickers/NVDA", "tickers/NVDA.md"),
        ("deep/Target", "notes/a/deep/Target.md"), ("a/deep/Target.md", "notes/a/deep/Target.md"),
        ("chart.png|300", "assets/chart.png"), ("report.pdf", "assets/report.pdf"),
        ("NVDA#Thesis#Moat", "tickers/NVDA.md"), ("NVDA#^keyfig", "tickers/NVDA.md"),
        ("#Local heading", "sectors/Links.md"), ("NVDA#THESIS", "tickers/NVDA.md"),
        ("Some%20Page.md", "sectors/Some Page.md"), ("Some%20Page.md#Section%20One", "sectors/Some Page.md"),
        ("../tickers/NVDA.md", "tickers/NVDA.md"), ("NVDA|NVIDIA", "tickers/NVDA.md"),
        ("Micron", "tickers/Micron.md"),
    ]:
        assert (raw, target) in resolved, raw
    by_raw = {r.link.raw: r for r in vault.resolutions if r.source == "sectors/Links.md"}
    assert by_raw["NVDA#Thesis#Moat"].missing_heading is None
    assert by_raw["NVDA#^keyfig"].missing_heading is None
    assert by_raw["chart.png|300"].link.embed and by_raw["chart.png|300"].link.display == "300"


def test_the_command_ends_without_losing_output_or_cache(run, tmp_path):
    """A one-shot check ends the process at once (cli.run): every byte of a long report still
    reaches the pipe and the file, the exit code is kept, and the cache is complete."""
    repo = FIXTURES.parent.parent
    bundled = repo / "vault"
    code, expected, _ = run("check", bundled, "--today", "2026-11-22", "--no-cache")
    assert code == 0 and expected.count("\n") > 80  # the bundled vault's 86 warnings, and a summary
    # buffered output, as a shell's (PYTHONUNBUFFERED would write every byte at once)
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}, "NO_COLOR": "1"}
    command = [sys.executable, "-m", "compiler", "check", str(bundled), "--today", "2026-11-22",
               "--cache-dir", str(tmp_path / "cache")]
    for _ in range(2):  # cold, then from the cache the first run saved
        proc = subprocess.run(command, capture_output=True, text=True, cwd=repo, env=env)
        assert (proc.returncode, proc.stdout) == (0, expected), proc.stderr
    # a short report stays in the stream's buffer until it is flushed
    short = ("--select", "dangling-link", "--format", "json")
    code, expected_short, _ = run("check", bundled, "--today", "2026-11-22", "--no-cache", *short)
    proc = subprocess.run([*command, *short], capture_output=True, text=True, cwd=repo, env=env)
    assert (proc.returncode, proc.stdout) == (code, expected_short) and len(expected_short) < 4096
    with sqlite3.connect(tmp_path / "cache" / "vaultc.db") as db:  # the check's rows, the manifest
        names = {name.split("/")[0] for (name,) in db.execute("SELECT name FROM records")}
        counts = [db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ("files", "results", "keys")]
        assert "check" in names and min(counts) > 80
    proc = subprocess.run([*command, "--fail-on", "warning", "-o", str(tmp_path / "r.txt")], cwd=repo, env=env)
    assert proc.returncode == 1 and (tmp_path / "r.txt").read_text() == expected
    proc = subprocess.run([*command, "--select", "no-such-rule"], capture_output=True, text=True, cwd=repo)
    assert proc.returncode == 2 and proc.stderr.startswith("vaultc: error: unknown rule")

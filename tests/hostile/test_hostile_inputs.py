"""Inputs that crashed a command or went wrong quietly: each is now a finding or a one-line error
(exit 2 only for usage errors), within a bounded time."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_a_sixteen_star_exclude_glob_is_no_hang(make_vault, check_json):
    vault = make_vault({"a" * 200 + ".md": "# long\n", "ok.md": "# ok\n",
                        "vaultc.toml": 'exclude = ["' + "*a" * 16 + '*b"]\n'})
    started = time.monotonic()
    data = check_json(vault)
    assert time.monotonic() - started < 10 and data["summary"]["pages"] == 2


def test_a_deeply_nested_query_is_refused_not_a_crash(tmp_path, run):
    query = tmp_path / "deep.rq"
    query.write_text("SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 30_000 + "?o" + ")" * 30_000 + ") }")
    code, _, err = run("query", ROOT / "tests" / "fixtures" / "rdf" / "vault", "--file", query)
    assert code == 2 and "nests more than" in err and "internal error" not in err


def test_case_twins_are_ambiguous(make_vault, check_json):
    vault = make_vault({"A.md": "# A\n", "a.md": "# a\n", "link.md": "[[a]]\n"})
    found = [(f["rule"], f["target"]) for f in check_json(vault)["findings"] if f["rule"] == "ambiguous-link"]
    assert found == [("ambiguous-link", "a")]


@pytest.fixture
def odd_names(tmp_path):
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "ok.md").write_text("# OK\n\n[[" + "n" * 230 + "]]\n")
    (vault / ("n" * 230 + ".md")).write_text("# A page with a 230-character name\n\n[[ok]]\n")
    os.makedirs(os.fsencode(vault) + b"/folder\xfe")
    with open(os.fsencode(vault) + b"/bad\xff.md", "w") as handle:
        handle.write("# Bad name\n")
    return vault


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_file_names_that_are_no_utf8_are_findings_in_every_format(odd_names, fmt):
    proc = subprocess.run([sys.executable, "-m", "compiler", "check", str(odd_names), "--format", fmt, "--no-cache"],
                          capture_output=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout.decode("utf-8")  # valid UTF-8, no raw bytes
    shown = "bad%5Cxff.md" if fmt == "sarif" else "bad\\xff.md"  # SARIF names files by URI
    assert shown in out.replace("\\\\", "\\")
    if fmt == "json":
        rules = {(f["rule"], f["path"]) for f in json.loads(out)["findings"]}
        assert ("unreadable-file", "bad\\xff.md") in rules


def test_odd_names_export_and_build_a_site(odd_names, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "compiler", "export", str(odd_names), "--format", "turtle",
                           "--no-cache", "-o", str(tmp_path / "g.ttl")], capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    mkdocs = tmp_path / "mkdocs.yml"
    mkdocs.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: docs\nsite_dir: site\n")
    proc = subprocess.run([sys.executable, "-m", "compiler", "site", str(odd_names), "--no-cache",
                           "--mkdocs-config", str(mkdocs)], capture_output=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr.decode()
    assert (tmp_path / "docs" / ("n" * 230 + ".md")).is_file()
    assert not [p for p in (tmp_path / "docs").rglob("*tmp*")]


def test_site_without_a_mkdocs_yml_is_a_usage_error_and_writes_nothing(make_vault, tmp_path):
    vault = make_vault({"a.md": "# A\n"})
    before = sorted(p.name for p in ROOT.iterdir())
    proc = subprocess.run([sys.executable, "-m", "compiler", "site", str(vault), "--no-cache"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2 and "mkdocs.yml" in proc.stderr and proc.stderr.count("\n") == 1
    assert sorted(p.name for p in ROOT.iterdir()) == before and not (tmp_path / "site").exists()


def test_an_interrupted_write_leaves_no_file(tmp_path, monkeypatch):
    from compiler import files

    target = tmp_path / "graph.ttl"
    target.write_text("the previous export\n")

    def killed(fd):
        raise KeyboardInterrupt  # as a signal arriving mid-write
    monkeypatch.setattr(files.os, "fsync", killed)
    with pytest.raises(KeyboardInterrupt):
        files.write_atomic(target, "x" * 1_000_000)
    assert target.read_text() == "the previous export\n" and sorted(tmp_path.iterdir()) == [target]


def test_exports_get_the_mode_the_umask_gives(make_vault, run, tmp_path):
    vault = make_vault({"a.md": "# A\n"})
    old = os.umask(0o022)
    try:
        code, _, err = run("export", vault, "--format", "turtle", "-o", tmp_path / "g.ttl", "--no-cache")
    finally:
        os.umask(old)
    assert code == 0 and (tmp_path / "g.ttl").stat().st_mode & 0o777 == 0o644

"""The cold check on worker processes that keep their pages: the same findings, pages and link count
as compile_vault + run_rules on vaults with every kind of page and problem; a worker that fails or
dies fails the check."""
from __future__ import annotations

import json
import os

import pytest

from compiler import analyse, workers
from compiler.analyse import compile_vault
from compiler.check import select_rules
from compiler.rules import findings_of, run_rules
from compiler.config import Config
from synthetic import generate
from compiler.workers import check_cold
from test_incremental import EDITS, TODAY, write

RULES = select_rules()


def compiled(root, rules=RULES, config=Config()):
    vault = compile_vault(root, config, TODAY, jobs=1)
    return run_rules(vault, rules), tuple(vault.pages), len(vault.resolutions)


def spread(root, rules=RULES, config=Config(), jobs=2):
    result = check_cold(root, config, TODAY, None, rules, jobs=jobs)
    return findings_of(result.diagnostics, config, rules), result.pages, result.links


@pytest.fixture
def vault(tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "PARALLEL_MIN_PAGES", 10)  # the pool, even for a small vault
    made = generate(tmp_path / "v", 150)
    write(made.root, "notes/hub.md", "# Hub\n\n[[constraint-03]] [[Bottleneck 3]]\n")
    return made.root


def test_every_state_of_a_vault_checks_the_same_on_workers(vault, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("# Not in the vault\n")
    os.symlink(outside, vault / "notes" / "escape.md")  # refused by discovery: checked by the main process
    write(vault, "notes/latin1.md", "caf\xe9 [[hub]]\n".encode("latin-1"))
    expected = compiled(vault)
    assert spread(vault) == expected
    assert any(f.rule == "unreadable-file" and f.path == "notes/escape.md" for f in expected[0])
    for label, edit in EDITS:
        edit(vault)
        assert spread(vault) == compiled(vault), label


def test_any_number_of_workers_and_any_rules_agree(vault):
    for rules in (RULES, ["dangling-link", "orphan-page"], ["stale-claim"], ["frontmatter", "duplicate-alias"]):
        expected = compiled(vault, rules)
        for jobs in (2, 3):
            assert spread(vault, rules, jobs=jobs) == expected, (rules, jobs)


def test_pages_over_the_size_limit_are_refused_alike(vault):
    config = Config(max_file_bytes=900)
    assert spread(vault, config=config) == compiled(vault, config=config)
    assert any(f.rule == "unreadable-file" for f in spread(vault, config=config)[0])


def test_a_worker_that_fails_fails_the_check(vault, monkeypatch):
    real = analyse.parse_pages

    def broken(texts, *args, **kwargs):
        if any(path == "notes/hub.md" for path, _ in texts):
            raise ValueError("parser bug on hub")
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(analyse, "parse_pages", broken)  # the forked workers inherit it
    with pytest.raises(RuntimeError, match="(?s)worker process failed.*parser bug on hub"):
        check_cold(vault, Config(), TODAY, None, RULES, jobs=2)


def test_a_worker_that_dies_fails_the_check(vault, monkeypatch):
    real = analyse.parse_pages

    def dying(texts, *args, **kwargs):
        if any(path == "notes/hub.md" for path, _ in texts):
            os._exit(3)
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(analyse, "parse_pages", dying)
    with pytest.raises(RuntimeError, match=r"worker process exited \(code 3\)"):
        check_cold(vault, Config(), TODAY, None, RULES, jobs=2)


def test_cli_check_without_a_cache_reports_what_a_cached_check_does(vault, tmp_path, run):
    _, cold, _ = run("check", vault, "--no-cache", "--format", "json", "--today", TODAY)
    _, cached, _ = run("check", vault, "--cache-dir", tmp_path / "cache", "--format", "json", "--today", TODAY)
    assert json.loads(cold) == json.loads(cached) and json.loads(cold)["summary"]["pages"] > 150

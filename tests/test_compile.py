"""One compile for every command: the same vault whichever road `compile` takes to it — with a
store or without, on one core or several, its findings read alone (as `check` reads them) or
after the whole model (as the site and the RDF graph read it) — after every kind of edit."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from compiler import analyse
from compiler.cache import ParseCache
from compiler.compile import compile
from compiler.config import Config
from compiler.rdf.emit import page_graphs
from compiler.rdf.export import export
from compiler.site.emitter import emit_site
from compiler.site.emitter import RENDER_KEYS
from synthetic import generate
from test_incremental import EDITS, write

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def vault(tmp_path, monkeypatch):
    monkeypatch.setattr(analyse, "PARALLEL_MIN_PAGES", 10)  # small vaults get worker processes too
    made = generate(tmp_path / "v", 120)
    write(made.root, "notes/hub.md", "# Hub\n\n[[constraint-03]] [[Bottleneck 3]]\n")
    return made.root


def roads(root: Path, store: Path):
    """(what each road gives: findings, pages, links); the RDF and the emitted site of the
    whole-model roads are checked to be the same on the way."""
    got = {}
    for jobs in (1, 2):
        checked = compile(root, Config(), TODAY, jobs=jobs)
        got[f"no store, findings first, jobs={jobs}"] = _report(checked)
        whole = compile(root, Config(), TODAY, jobs=jobs)
        rdf = export(page_graphs(whole), "trig")  # the whole model first, its findings after
        site = _site(whole, store / f"docs-{jobs}", jobs)
        got[f"no store, model first, jobs={jobs}"] = _report(whole)
        stored = compile(root, Config(), TODAY, jobs=jobs, store=ParseCache(store / str(jobs)))
        got[f"store, findings first, jobs={jobs}"] = _report(stored)
        stored_whole = compile(root, Config(), TODAY, jobs=jobs, store=ParseCache(store / f"whole-{jobs}"))
        assert export(page_graphs(stored_whole), "trig") == rdf
        assert _site(stored_whole, store / f"stored-docs-{jobs}", jobs) == site
        got[f"store, model first, jobs={jobs}"] = _report(stored_whole)
    return got


def _site(vault, docs: Path, jobs: int) -> dict[str, bytes]:
    """The docs tree the site emits from the vault (into a fresh folder), file by file."""
    shutil.rmtree(docs, ignore_errors=True)
    emit_site(vault, docs, jobs=jobs)  # with a store, the digests of unchanged pages are the kept ones
    # (less the emitter's own record of when it wrote each file)
    return {p.relative_to(docs).as_posix(): p.read_bytes() for p in sorted(docs.rglob("*"))
            if p.is_file() and p.name != RENDER_KEYS}


def _report(vault):
    return vault.findings, vault.page_paths, vault.link_count


def test_every_road_gives_the_same_vault_after_every_edit(vault, tmp_path):
    def check(label):
        got = roads(vault, tmp_path / "stores")
        first = next(iter(got.values()))
        assert first[0], label  # the synthetic vault has findings to compare
        for road, value in got.items():
            assert value == first, (label, road)

    check("cold")
    check("warm")
    for label, edit in EDITS:
        edit(vault)
        check(label)


def test_page_digests_are_kept_by_each_text_and_made_again_where_it_changed(tmp_path):
    made = generate(tmp_path / "v", 30).root
    calls = []

    def size(page):
        calls.append(page.path)
        return str(len(page.text)).encode()

    def digests():
        return compile(made, Config(), TODAY, store=ParseCache(tmp_path / "store")).page_digests(size)

    first = digests()
    assert sorted(calls) == sorted(first) and len(first) > 20
    calls.clear()
    assert digests() == first and calls == []  # nothing changed: every digest is the kept one
    page = sorted(made.glob("tickers/**/*.md"))[0]
    path = page.relative_to(made).as_posix()
    page.write_text(page.read_text() + "\nOne sentence more.\n")
    again = digests()
    assert calls == [path]
    assert again == compile(made, Config(), TODAY).page_digests(size) and again[path] != first[path]


def test_the_commands_all_call_the_same_compile(monkeypatch, tmp_path, run):
    """check, claims, export, query and site go through compile() and nothing else."""
    from compiler import cli
    from compiler.commands import rdf, site

    made = generate(tmp_path / "v", 30).root
    calls = []
    real = compile

    def spy(*args, **kwargs):
        calls.append(kwargs.get("rules"))
        return real(*args, **kwargs)

    for module in (cli, rdf, site):
        monkeypatch.setattr(module, "compile", spy)
    for command in (["check"], ["claims"], ["export", "--format", "turtle", "-o", tmp_path / "g.ttl"],
                    ["query", "ASK { ?s ?p ?o }"], ["site", "--emit-only", "--mkdocs-config", _mkdocs(tmp_path)]):
        before = len(calls)
        code, _, err = run(command[0], made, *command[1:], "--today", "2026-11-22")
        assert code in (0, 1), err
        assert len(calls) == before + 1, command
    # and nothing else compiles: the whole-vault compile is reached through compile() only
    package = Path(__file__).resolve().parent.parent / "compiler"
    callers = {p.relative_to(package).as_posix() for p in package.rglob("*.py") if "compile_vault(" in p.read_text()}
    assert callers <= {"analyse.py", "compile.py", "incremental.py"}, callers


def _mkdocs(tmp_path: Path) -> Path:
    config = tmp_path / "mkdocs.yml"
    root = Path(__file__).resolve().parent.parent
    config.write_text(f"INHERIT: {root / 'mkdocs.yml'}\ndocs_dir: docs\nsite_dir: site\n")
    return config


@pytest.mark.parametrize("how", ["raises", "dies"])
def test_a_parse_worker_that_fails_fails_the_compile(vault, monkeypatch, how):
    """The one process pool: an error in a worker, or a worker that dies, is the compile's error,
    never findings from part of the vault."""
    from concurrent.futures.process import BrokenProcessPool
    import os

    real = analyse.parse_pages

    def broken(texts, *args, **kwargs):
        if any(path == "notes/hub.md" for path, _ in texts):
            if how == "dies":
                os._exit(3)
            raise ValueError("parser bug on hub")
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(analyse, "parse_pages", broken)  # the forked workers inherit it
    with pytest.raises(ValueError if how == "raises" else BrokenProcessPool):
        compile(vault, Config(), TODAY, jobs=2).findings


def test_cli_check_without_a_store_reports_what_a_cached_check_does(vault, tmp_path, run):
    """`check --no-cache` (the whole vault compiled, its rules run) and a check with a store (the
    incremental road, cold and then warm) print the same report."""
    _, cold, _ = run("check", vault, "--no-cache", "--format", "json", "--today", TODAY)
    for _ in range(2):
        _, cached, _ = run("check", vault, "--cache-dir", tmp_path / "cache", "--format", "json", "--today", TODAY)
        assert json.loads(cached) == json.loads(cold)
    assert json.loads(cold)["summary"]["pages"] > 120

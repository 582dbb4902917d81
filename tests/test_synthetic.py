"""The synthetic vault generator, and the same findings whether pages are parsed in one process or many."""
from __future__ import annotations

import datetime as dt

from compiler.analyse import compile_vault
from compiler.check import select_rules
from compiler.rules import run_rules
from compiler.config import Config
from synthetic import generate


def test_generator_is_deterministic_and_its_dangling_links_are_found(tmp_path):
    first = generate(tmp_path / "a", 300)
    second = generate(tmp_path / "b", 300)
    files_a = sorted(p.relative_to(first.root) for p in first.root.rglob("*"))
    assert files_a == sorted(p.relative_to(second.root) for p in second.root.rglob("*"))
    assert all((first.root / f).read_bytes() == (second.root / f).read_bytes() for f in files_a if (first.root / f).is_file())
    vault = compile_vault(first.root, Config(), dt.date(2026, 11, 22))
    found = {(f.path, f.target) for f in run_rules(vault, ["dangling-link"])}
    assert found == first.dangling and found


def test_parallel_and_sequential_compiles_agree(tmp_path):
    made = generate(tmp_path / "v", 600)
    today = dt.date(2026, 11, 22)
    one = compile_vault(made.root, Config(), today, jobs=1)
    two = compile_vault(made.root, Config(), today, jobs=2)
    assert dict(one.pages) == dict(two.pages)
    assert run_rules(one, select_rules()) == run_rules(two, select_rules())

"""A shared vault whose own configuration points the cache at a folder it ships, full of crafted
pickles, must not run code on a plain `vaultc check`: every planted value is a cache miss."""
from __future__ import annotations

import json
import pickle
import sqlite3

import pytest


class _Payload:
    """Pickles to a call of `exec` that leaves a marker file: what an attacker would plant."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return exec, (f"open({self.marker!r}, 'w').write('ran')",)


def _pages(count: int) -> dict[str, str]:
    pages = {f"p{i}.md": f"# Page {i}\n\nSee [[p{(i + 1) % count}]] and [[missing-{i % 3}]].\n" for i in range(count)}
    pages["vaultc.toml"] = 'cache_dir = "../x"\n'
    return pages


@pytest.mark.parametrize("count", [5, 450])  # one process, and the cold check's worker processes
def test_planted_cache_rows_never_run(make_vault, run, tmp_path, count):
    vault = make_vault(_pages(count))
    marker = tmp_path / "ran"
    code, clean, _ = run("check", vault, "--format", "json", "--today", "2026-11-22", "--no-cache")
    code, first, _ = run("check", vault, "--format", "json", "--today", "2026-11-22")
    database = tmp_path / "x" / "vaultc.db"
    assert database.is_file(), "the configured cache_dir was not used"
    evil = pickle.dumps(_Payload(marker), protocol=pickle.HIGHEST_PROTOCOL)
    with sqlite3.connect(database) as db:  # every stored value: raw, and behind a tag an attacker could only guess
        for table, key in (("records", "name"), ("pages", "digest")):
            keys = [k for (k,) in db.execute(f"SELECT {key} FROM {table}")]
            assert keys, table
            db.executemany(f"UPDATE {table} SET data = ? WHERE {key} = ?",
                           [(evil if i % 2 else b"\0" * 16 + evil, k) for i, k in enumerate(keys)])
    code, after, err = run("check", vault, "--format", "json", "--today", "2026-11-22")
    assert not marker.exists(), "a planted cache row ran code"
    assert json.loads(after) == json.loads(clean) == json.loads(first)
    assert code == 1 and "internal error" not in err


def test_a_planted_database_file_never_runs(make_vault, run, tmp_path):
    """A whole database shipped in the cache folder: not ours, so set aside, with one line."""
    vault = make_vault(_pages(5))
    marker = tmp_path / "ran"
    code, clean, _ = run("check", vault, "--format", "json", "--today", "2026-11-22", "--no-cache")
    (tmp_path / "x").mkdir()
    evil = pickle.dumps(_Payload(marker), protocol=pickle.HIGHEST_PROTOCOL)
    with sqlite3.connect(tmp_path / "x" / "vaultc.db") as db:
        db.execute("CREATE TABLE records (name TEXT PRIMARY KEY, data BLOB)")
        db.execute("CREATE VIEW pages AS SELECT name AS digest, name AS tag, data FROM records")
        db.execute("INSERT INTO records VALUES ('check', ?)", (evil,))
    code, after, err = run("check", vault, "--format", "json", "--today", "2026-11-22")
    assert not marker.exists() and json.loads(after) == json.loads(clean)
    assert "starting it afresh" in err and "internal error" not in err


def test_a_sealed_record_moved_to_another_name_is_a_miss(tmp_path):
    from compiler import seal

    blob = seal.seal("pages/ab/one", b"payload")
    assert seal.unseal("pages/ab/one", blob) == b"payload"
    assert seal.unseal("pages/ab/other", blob) is None
    assert seal.unseal("pages/ab/one", blob[:-1]) is None


def test_the_unpickler_builds_data_only(tmp_path):
    from compiler import seal

    with pytest.raises(pickle.UnpicklingError):
        seal.loads(pickle.dumps(_Payload(tmp_path / "ran")))
    assert not (tmp_path / "ran").exists()
    import datetime

    from compiler.model import Heading, Severity
    value = {"d": datetime.date(2026, 1, 2), "s": frozenset({1}), "h": Heading("Q&A", 2, 7),
             "v": Severity.ERROR}
    assert seal.loads(pickle.dumps(value)) == value

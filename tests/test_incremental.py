"""The parse cache and incremental checks: the findings are the same cold, warm, after every kind of
edit, with or without worker processes, and the same as a compile that uses no cache at all."""
from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from compiler import analyse
from compiler import cache as cache_module
from compiler.analyse import compile_vault
from compiler.cache import ParseCache, default_cache_dir
from compiler.check import select_rules
from compiler.rules import findings_of, run_rules
from compiler.config import Config
from compiler.incremental import check_vault
from compiler.model import SourceFile
from synthetic import generate

TODAY = dt.date(2026, 11, 22)
RULES = select_rules()


def uncached(root: Path, today: dt.date = TODAY):
    vault = compile_vault(root, Config(), today, jobs=1)
    return run_rules(vault, RULES), tuple(sorted(vault.pages)), len(vault.resolutions)


def cached(root: Path, folder: Path, jobs: int = 1, today: dt.date = TODAY, cache: ParseCache | None = None):
    """A check as a fresh process makes it (state read from disk), or, given `cache`, as the next run
    of a long-running one (`check --watch`)."""
    cache = cache or ParseCache(folder)
    result = check_vault(root, Config(), today, None, True, cache, jobs=jobs)
    cache.flush()
    cache.next_run()
    return (findings_of(result.findings, Config(), RULES), result.pages, result.links), result


def write(root: Path, rel: str, text: str | bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def append(root: Path, rel: str, text: str) -> None:
    with open(root / rel, "a", encoding="utf-8") as handle:
        handle.write(text)


def rows(folder: Path, table: str) -> dict[tuple, bytes]:
    """A table of the store's check (results, claims, keys), as stored: its key columns -> data."""
    with sqlite3.connect(folder / cache_module.DATABASE) as db:
        columns = "tbl, key" if table == "keys" else "path"
        return {tuple(row[:-1]): row[-1] for row in db.execute(f"SELECT {columns}, data FROM {table}")}


def drop_check(folder: Path) -> None:
    """Forget the last check (its record), as another setting's run finds the store."""
    with sqlite3.connect(folder / cache_module.DATABASE) as db:
        db.execute("DELETE FROM records WHERE name LIKE 'check/%'")


def put_rows(folder: Path, table: str, found: dict[tuple, bytes]) -> None:
    with sqlite3.connect(folder / cache_module.DATABASE) as db:
        tag = db.execute(f"SELECT tag FROM {table}").fetchone()[0]
        columns = "tag, tbl, key, data" if table == "keys" else "tag, path, data"
        marks = ", ".join("?" * len(columns.split(", ")))
        db.executemany(f"INSERT OR REPLACE INTO {table} ({columns}) VALUES ({marks})",
                       [(tag, *key, data) for key, data in found.items()])


def stored_pages(folder: Path) -> dict[str, tuple[str, bytes]]:
    """digest -> (tag, data) of every stored page."""
    with sqlite3.connect(folder / cache_module.DATABASE) as db:
        return {digest: (tag, data) for digest, tag, data in db.execute("SELECT digest, tag, data FROM pages")}


# Each edit, applied in turn to the same vault; after each, a cached check must equal a fresh one.
EDITS = [
    # the next run reads the link's target's count of inbound links from the saved state
    ("link to an orphan that stays as it is", lambda r: append(r, "notes/hub.md", "\nSee [[T00012]].\n")),
    ("a new page, an orphan", lambda r: write(r, "notes/leaf.md", "# Leaf\n")),
    ("link to it from another page", lambda r: append(r, "notes/hub.md", "\nSee [[leaf]].\n")),
    ("drop that link: an orphan again", lambda r: write(
        r, "notes/hub.md", (r / "notes/hub.md").read_text().replace("\nSee [[leaf]].\n", ""))),
    ("add a dangling link", lambda r: append(r, "notes/hub.md", "\nSee [[Nowhere At All]].\n")),
    ("create the page it wanted", lambda r: write(r, "notes/Nowhere At All.md", "# Nowhere\n\nBack to [[hub]].\n")),
    ("give a page an alias another page has", lambda r: write(
        r, "notes/twin.md", "---\naliases: [Bottleneck 3]\n---\n# Twin\n\n[[hub#Missing heading]]\n")),
    ("add the heading that was missing", lambda r: append(r, "notes/hub.md", "\n## Missing heading\n\ntext ^blk\n")),
    ("link to a block id", lambda r: append(r, "notes/twin.md", "\n[[hub#^blk]] and [[hub#^gone]]\n")),
    ("remove the block id", lambda r: write(r, "notes/hub.md", (r / "notes/hub.md").read_text().replace(" ^blk", ""))),
    ("a stale claim", lambda r: append(r, "notes/twin.md", "\nAs of March 2025 the share was 40%.\n")),
    ("suppress it", lambda r: append(r, "notes/twin.md", "<!-- vaultc: ignore stale-claim -->\n")),
    ("make a page unreadable", lambda r: write(r, "notes/Nowhere At All.md", b"# Nowhere\x00\x01binary")),
    ("make it readable again", lambda r: write(r, "notes/Nowhere At All.md", "# Nowhere again\n")),
    ("case twin of a page", lambda r: write(r, "notes/HUB.md", "# Other hub\n\n[[twin]]\n")),
    ("delete the twin", lambda r: (r / "notes/HUB.md").unlink()),
    ("delete a linked page", lambda r: (r / "notes/twin.md").unlink()),
    ("rename a page", lambda r: (r / "notes/hub.md").rename(r / "notes/hub2.md")),
    ("bad frontmatter", lambda r: write(r, "notes/hub2.md", "---\ntype: [oops\n---\n# Hub\n")),
    ("touch without change", lambda r: os.utime(r / "notes/hub2.md")),
    ("add an attachment", lambda r: write(r, "assets/new.png", b"\x89PNG")),
]


@pytest.fixture(params=[1, 2], ids=["in-process", "workers"])
def jobs(request, monkeypatch):
    """Cold checks parsed in this process, or in a pool of two workers that write the cache
    themselves, which small vaults do not get unless told to."""
    monkeypatch.setattr(analyse, "PARALLEL_MIN_PAGES", 10)
    return request.param


@pytest.fixture
def vault(tmp_path):
    made = generate(tmp_path / "v", 150)
    write(made.root, "notes/hub.md", "# Hub\n\n[[constraint-03]] [[Bottleneck 3]]\n")
    return made.root


def test_cold_warm_and_every_edit_agree_with_a_compile_without_cache(vault, tmp_path, jobs):
    folder = tmp_path / "cache"
    got, first = cached(vault, folder, jobs)
    assert got == uncached(vault)
    assert first.reparsed == -1  # cold: a full compile
    got, warm = cached(vault, folder, jobs)
    assert got == uncached(vault)
    assert (warm.reparsed, warm.rechecked) == (0, 0)
    total = len(got[1])
    for label, edit in EDITS:
        edit(vault)
        got, result = cached(vault, folder, jobs)
        assert got == uncached(vault), label
        if label not in ("add an attachment",):
            assert result.rechecked < total / 2, f"{label}: {result.rechecked} of {total} pages re-checked"
        if label == "touch without change":
            assert (result.reparsed, result.rechecked) == (0, 0)


def test_one_edit_reparses_one_page(vault, tmp_path):
    folder = tmp_path / "cache"
    cached(vault, folder)
    append(vault, "notes/hub.md", "\nA new line about [[constraint-05]].\n")
    _, result = cached(vault, folder)
    assert result.reparsed == 1
    assert result.rechecked == 1  # hub's name did not change: nothing else depends on the edit


def test_an_edit_writes_back_only_the_rows_it_changed(vault, tmp_path):
    """The check is stored a row per page and a row per key of the link index: an edit rewrites
    the rows of what it changed, and no other."""
    folder = tmp_path / "cache"
    cached(vault, folder)
    results, keys = rows(folder, "results"), rows(folder, "keys")
    assert len(results) == len(uncached(vault)[1]) and len(keys) > len(results)
    append(vault, "notes/hub.md", "\nAs of March 2025 the share was 40%.\n")  # prose and a claim only
    got, result = cached(vault, folder)
    assert result.rechecked == 1 and got == uncached(vault)
    assert rows(folder, "keys") == keys  # names, headings and block ids: unchanged, not rewritten
    assert {path for path, data in rows(folder, "results").items() if results[path] != data} == {("notes/hub.md",)}
    assert ("notes/hub.md",) in rows(folder, "claims")
    append(vault, "notes/hub.md", "\nSee [[constraint-05]].\n")  # a new link target: hub's row again
    got, _ = cached(vault, folder)
    assert got == uncached(vault) and rows(folder, "keys") == keys
    append(vault, "notes/hub.md", "\n## A new heading\n")  # a new anchor for links into hub
    got, _ = cached(vault, folder)
    changed = {key for key, data in rows(folder, "keys").items() if keys.get(key) != data}
    assert got == uncached(vault) and changed == {("headings", "notes/hub.md")}


def test_another_day_judges_the_stored_claims_again_and_checks_nothing_else(vault, tmp_path):
    folder = tmp_path / "cache"
    cached(vault, folder)
    append(vault, "notes/hub.md", "\nAs of March 2026 the share was 40%. Sold out through Q2 2027.\n"
                                  "<!-- vaultc: ignore stale-claim -->\nAs of March 2024 it was 30%.\n")
    cached(vault, folder)  # an edit on the first day: hub's claims are not in the saved claim table yet
    for days in (1, 30, 200, 400, -100, 0):
        today = TODAY + dt.timedelta(days=days)
        got, result = cached(vault, folder, today=today)
        assert got == uncached(vault, today), days
        assert (result.reparsed, result.rechecked) == (0, 0)
    kinds = {f.rule for f in uncached(vault, TODAY + dt.timedelta(days=400))[0]}
    assert {"stale-claim", "overdue-claim"} <= kinds


def test_edits_and_new_days_in_any_order_agree(vault, tmp_path):
    """Fresh processes, and one long-running process (as --watch), through edits and day changes."""
    days = iter(range(1, 100))
    for watching in (False, True):
        folder = tmp_path / f"cache-{watching}"
        keep = ParseCache(folder) if watching else None
        cached(vault, folder, cache=keep)
        for label, edit in [*EDITS[6:10], ("forget it", lambda r: (r / "notes/twin.md").unlink()), *EDITS[:2]]:
            edit(vault)
            today = TODAY + dt.timedelta(days=20 * next(days))
            got, _ = cached(vault, folder, today=today, cache=keep)
            assert got == uncached(vault, today), (watching, label)
            append(vault, "notes/hub.md", f"\nAs of March 2024 backlog was ${next(days)}B.\n")  # same day, stale
            got, _ = cached(vault, folder, today=today, cache=keep)
            assert got == uncached(vault, today), (watching, label, "same day")
            got, _ = cached(vault, folder, today=today + dt.timedelta(days=90))  # then a fresh process
            assert got == uncached(vault, today + dt.timedelta(days=90)), (watching, label)
        write(vault, "notes/twin.md", "# Twin\n\nAs of May 2025 margins were 61%.\n")


def test_a_check_saved_by_another_process_meanwhile_is_not_mixed_in(vault, tmp_path):
    """A long-running process (--watch) holds the check it last saved; another process checks an
    edit and saves its own. The first must not lay its rows on the other's, nor answer from a mix:
    here that would keep the dangling link that the page created since resolves."""
    folder = tmp_path / "cache"
    watching = ParseCache(folder)
    append(vault, "notes/hub.md", "\nSee [[Nowhere At All]].\n")
    cached(vault, folder, cache=watching)
    write(vault, "notes/Nowhere At All.md", "# Nowhere\n")
    got, _ = cached(vault, folder)  # the other process
    assert got == uncached(vault) and not any(f.rule == "dangling-link" and f.path == "notes/hub.md" for f in got[0])
    append(vault, "notes/leaf.md", "# Leaf\n")
    got, result = cached(vault, folder, cache=watching)
    assert got == uncached(vault) and result.rechecked < len(got[1]) / 2  # read again, not compiled whole
    got, result = cached(vault, folder)
    assert got == uncached(vault) and (result.reparsed, result.rechecked) == (0, 0)


def test_a_save_that_fails_part_way_writes_nothing(vault, tmp_path):
    """A check's rows are written all or none: a disk that fills while the index rows are written
    must not leave the new results beside the old index."""
    folder = tmp_path / "cache"
    cached(vault, folder)
    before = {table: rows(folder, table) for table in ("results", "claims", "keys")}
    append(vault, "notes/hub.md", "\n## A heading at last\n\nAs of March 2025 the share was 40%.\n")
    connection = cache_module.Database.at(folder).connection()
    connection.execute("CREATE TEMP TRIGGER full BEFORE INSERT ON keys BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    try:
        got, _ = cached(vault, folder)
    finally:
        connection.execute("DROP TRIGGER temp.full")
    assert got == uncached(vault)
    assert {table: rows(folder, table) for table in before} == before
    write(vault, "notes/asks.md", "# Asks\n\n[[hub#A heading at last]]\n")
    got, result = cached(vault, folder)
    assert got == uncached(vault) and result.reparsed == 2


@pytest.mark.parametrize("table", ["results", "keys"])
def test_a_row_that_does_not_open_sends_the_check_back_to_a_full_compile(vault, tmp_path, table):
    """A row sealed for another (here: another row's data put in its place) is not read: the
    check compiles the whole vault, and saves it whole."""
    folder = tmp_path / "cache"
    cached(vault, folder)
    found = rows(folder, table)
    first, second = (("notes/hub.md",), ("notes/Nowhere.md",)) if table == "results" else \
        (("headings", "notes/hub.md"), ("headings", next(k for t, k in found if t == "headings" and "hub" not in k)))
    if table == "results":
        second = next(key for key in found if key != first)
    put_rows(folder, table, {first: found[second]})
    write(vault, "notes/Nowhere At All.md", "# Nowhere\n\n[[hub#Hub]]\n")  # asks for hub's headings
    got, result = cached(vault, folder)
    assert got == uncached(vault) and result.reparsed == -1
    got, result = cached(vault, folder)
    assert got == uncached(vault) and (result.reparsed, result.rechecked) == (0, 0)


def test_the_manifest_is_saved_row_by_row_and_old_texts_leave_the_store(tmp_path):
    def run(mtimes: dict[str, int]) -> ParseCache:
        cache = ParseCache(tmp_path / "cache")
        for path, mtime in mtimes.items():
            cache.record(SourceFile(path, str(tmp_path / path), 1, True, mtime), f"digest-{path}-{mtime}")
            cache.store.put(f"digest-{path}-{mtime}", pickle.dumps(None))
        cache.save_manifest()
        return cache

    def rows():
        with sqlite3.connect(tmp_path / "cache" / cache_module.DATABASE) as db:
            return {path: (size, mtime) for path, size, mtime in db.execute("SELECT path, size, mtime_ns FROM files")
                    if path}

    run({"a.md": 10, "b.md": 10})
    assert rows() == {"a.md": (1, 10), "b.md": (1, 10)}
    run({"a.md": 20, "b.md": 10})
    assert ParseCache(tmp_path / "cache").manifest["a.md"] == (1, 20, "digest-a.md-20")
    assert set(stored_pages(tmp_path / "cache")) == {"digest-a.md-20", "digest-b.md-10"}  # a's old text: gone
    run({"a.md": 30})  # b.md gone, with its page
    assert rows() == {"a.md": (1, 30)} and set(stored_pages(tmp_path / "cache")) == {"digest-a.md-30"}


def test_parallel_cold_compile_with_cache_agrees(vault, tmp_path, monkeypatch):
    monkeypatch.setattr(analyse, "PARALLEL_MIN_PAGES", 10)
    got, _ = cached(vault, tmp_path / "cache", jobs=2)
    assert got == uncached(vault)
    warm = compile_vault(vault, Config(), TODAY, jobs=2, cache=ParseCache(tmp_path / "cache"))
    cold = compile_vault(vault, Config(), TODAY, jobs=1)
    assert dict(warm.pages) == dict(cold.pages) and list(warm.pages) == list(cold.pages)
    # The site's compile on a pool, into an empty cache: its workers store the pages too.
    site_cache = ParseCache(tmp_path / "site-cache")
    assert dict(compile_vault(vault, Config(), TODAY, jobs=2, cache=site_cache).pages) == dict(cold.pages)
    assert len(stored_pages(tmp_path / "site-cache")) == len(cold.pages)
    again = ParseCache(tmp_path / "site-cache")  # a fresh process: every page from the store, none parsed
    monkeypatch.setattr(analyse, "parse_page", lambda *args: pytest.fail("parsed a page the cache holds"))
    assert dict(compile_vault(vault, Config(), TODAY, jobs=2, cache=again).pages) == dict(cold.pages)


@pytest.mark.parametrize("damage", ["truncated", "random bytes", "another program's database"])
def test_corrupt_cache_is_rebuilt_with_one_line_on_stderr(vault, tmp_path, jobs, damage, capsys):
    folder = tmp_path / "cache"
    expected = uncached(vault)
    cached(vault, folder, jobs)
    assert {p.name for p in folder.iterdir()} <= {"vaultc.db", "vaultc.db-wal", "vaultc.db-shm"}
    database = folder / cache_module.DATABASE
    with sqlite3.connect(database) as db:  # everything in the main file, as a closed store is
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    capsys.readouterr()
    for extra in folder.glob("vaultc.db-*"):
        extra.unlink()
    if damage == "truncated":
        database.write_bytes(database.read_bytes()[: database.stat().st_size // 2])
    elif damage == "random bytes":
        database.write_bytes(os.urandom(database.stat().st_size))
    else:
        database.unlink()
        with sqlite3.connect(database) as db:
            db.execute("CREATE TABLE pages (x)")
    cache_module.Database._open.clear()  # as a fresh process finds it
    assert cached(vault, folder, jobs)[0] == expected
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("vaultc:")]
    assert len(lines) == 1 and "starting it afresh" in lines[0], lines
    cache_module.Database._open.clear()
    assert cached(vault, folder, jobs)[0] == expected  # and the rebuilt cache serves the next run
    assert "vaultc:" not in capsys.readouterr().err


def test_workers_store_their_pages_where_any_process_reads_them_back(vault, tmp_path, monkeypatch):
    """A cold check on workers stores every page it parses; another process finds each by its
    digest; a page whose text changed leaves the store with its old text."""
    monkeypatch.setattr(analyse, "PARALLEL_MIN_PAGES", 10)
    folder = tmp_path / "cache"
    cached(vault, folder, 2)
    pages = sorted(p.relative_to(vault).as_posix() for p in vault.rglob("*.md"))
    manifest = ParseCache(folder).manifest
    whole = compile_vault(vault, Config(), TODAY, jobs=1).pages
    store = ParseCache(folder).store
    assert len(stored_pages(folder)) == len(pages)
    for path in pages:
        assert store.get(manifest[path].digest, path) == whole[path]
    sent = pickle.loads(pickle.dumps(store))  # as a process pool's tasks carry it
    assert sent == store and len(pickle.dumps(store)) < 300
    # Lost state and one page changed: a cold check again, which stores that page alone.
    edited = pages[len(pages) // 2]
    with open(vault / edited, "a", encoding="utf-8") as handle:
        handle.write("\nA new line.\n")
    drop_check(folder)
    got, _ = cached(vault, folder, 2)
    assert got == uncached(vault)
    new_digest = ParseCache(folder).manifest[edited].digest
    assert set(stored_pages(folder)) == {*(manifest[p].digest for p in pages if p != edited), new_digest}
    assert store.get(new_digest, edited) == compile_vault(vault, Config(), TODAY, jobs=1).pages[edited]


def test_checks_with_and_without_the_claim_pass_keep_their_own_pages(vault, tmp_path, monkeypatch):
    """The two settings share the store, each with its own salt: neither drops the other's pages,
    so running them in turn parses nothing after the first run of each."""
    monkeypatch.setattr(analyse, "PARALLEL_MIN_PAGES", 10)
    folder = tmp_path / "cache"

    def run(claims: bool):
        check_vault(vault, Config(), TODAY, None, claims, ParseCache(folder, claims), jobs=2)

    run(True)
    with_claims = set(stored_pages(folder))
    run(False)
    both = set(stored_pages(folder))
    assert with_claims < both and len(both) == 2 * len(with_claims)
    run(True)
    run(False)
    assert set(stored_pages(folder)) == both


def test_a_cold_check_loads_the_pages_the_cache_already_holds(vault, tmp_path, jobs):
    """No check state (another setting, say), but every page in the parse cache: none is parsed
    and stored again (the stored pages stay as they were)."""
    folder = tmp_path / "cache"
    cached(vault, folder, jobs)
    before = stored_pages(folder)
    drop_check(folder)
    got, result = cached(vault, folder, jobs)
    assert got == uncached(vault) and result.reparsed == -1
    assert stored_pages(folder) == before


def test_cli_cache_lives_beside_the_vault_and_changes_nothing_in_it(vault, monkeypatch):
    monkeypatch.delenv("VAULTC_CACHE_DIR")  # (conftest sends the tests' stores elsewhere)

    def check(*extra):
        done = subprocess.run([sys.executable, "-m", "compiler", "check", str(vault), "--format", "json",
                               "--today", "2026-11-22", *extra], capture_output=True, text=True)
        return done.returncode, json.loads(done.stdout)

    before = sorted(p.relative_to(vault) for p in vault.rglob("*"))
    plain = check("--no-cache")
    assert not default_cache_dir(vault).exists()
    assert check() == plain  # cold, writing the cache
    assert default_cache_dir(vault).is_dir() and default_cache_dir(vault).parent.parent == vault.parent
    assert check() == plain  # warm
    assert sorted(p.relative_to(vault) for p in vault.rglob("*")) == before


def test_vaultc_cache_dir_holds_the_store_instead(vault, monkeypatch, tmp_path, run):
    """$VAULTC_CACHE_DIR, as ruff's RUFF_CACHE_DIR: every vault's store under one folder."""
    monkeypatch.setenv("VAULTC_CACHE_DIR", str(tmp_path / "stores"))
    assert run("check", vault, "--today", "2026-11-22")[0] in (0, 1)
    (store,) = (tmp_path / "stores").iterdir()
    assert store.name.startswith(vault.name + "-") and (store / "vaultc.db").is_file()
    assert not (vault.parent / ".vaultc-cache").exists()


def test_a_cache_inside_the_vault_is_refused(vault, run):
    code, _, err = run("check", vault, "--cache-dir", vault / ".cache")
    assert code == 2 and "inside the vault" in err


def test_check_watch_reports_again_after_an_edit(vault, tmp_path):
    import queue
    import threading
    import time

    proc = subprocess.Popen([sys.executable, "-m", "compiler", "check", str(vault), "--watch", "--poll", "0.1",
                             "--format", "json", "--today", "2026-11-22"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()  # read on a thread: a readline here could wait past the deadline
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    try:
        reports = []
        deadline = time.monotonic() + 60
        decoder = json.JSONDecoder()
        buffer = ""
        edited = False
        while time.monotonic() < deadline and len(reports) < 2:
            try:
                buffer += lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            try:
                report, _ = decoder.raw_decode(buffer.strip())
            except ValueError:
                continue
            reports.append(report)
            buffer = ""
            if not edited:  # at once, while the first check may still be saving its cache
                append(vault, "notes/hub.md", "\n[[Watched But Missing]]\n")
                edited = True
        assert len(reports) == 2
        targets = [{f.get("target") for f in r["findings"]} for r in reports]
        assert "Watched But Missing" not in targets[0] and "Watched But Missing" in targets[1]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_watch_sees_a_save_made_while_the_first_build_ran(tmp_path):
    """The snapshot is the one taken before the first build: a page saved during it is a change."""
    import threading
    import time

    from compiler.watch import snapshot, watch

    page = tmp_path / "page.md"
    page.write_text("# One\n", encoding="utf-8")
    since = snapshot(tmp_path)
    page.write_text("# One, saved again while the first build ran\n", encoding="utf-8")
    changes = []
    deadline = time.monotonic() + 10
    watch(tmp_path, lambda: changes.append(True), threading.Event(), 0.01,
          until=lambda: bool(changes) or time.monotonic() > deadline, since=since)
    assert changes


def test_affected_pages_follow_names_and_anchors():
    """affected_pages on its own: which pages an edit sends back to be resolved and checked."""
    from compiler.incremental import Face, affected_pages

    wanted_by = {"hbm": {"a.md", "b.md"}, "power": {"c.md"}, "gpu": {"d.md"}}
    holders = {"hbm": ["e.md"], "power": [], "gpu": []}

    def sharing(name):
        return holders.get(name, [])

    def run(before, after):
        return affected_pages(before, after, lambda name: wanted_by.get(name, ()), sharing)

    hbm = Face({"hbm"}, ("memory",))
    # prose only: the page alone
    assert run({"x.md": hbm}, {"x.md": hbm}) == {"x.md"}
    # a heading renamed: the pages that may link to it, not those sharing its names
    assert run({"x.md": hbm}, {"x.md": Face({"hbm"}, ("supply",))}) == {"x.md", "a.md", "b.md"}
    # a name gained: who asks for the old and the new name, and who shares either
    assert run({"x.md": hbm}, {"x.md": Face({"hbm", "power"}, ("memory",))}) == {"x.md", "a.md", "b.md", "c.md", "e.md"}
    # a new page, and a removed one (never itself in the answer)
    assert run({"y.md": None}, {"y.md": Face({"gpu"}, ())}) == {"y.md", "d.md"}
    assert run({"x.md": hbm}, {"x.md": None}) == {"a.md", "b.md", "e.md"}

"""The parse cache and incremental checks: the findings are the same cold, warm, after every kind of
edit, with or without worker processes, and the same as a compile that uses no cache at all."""
from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compiler import analyse, incremental, workers
from compiler import cache as cache_module
from compiler.analyse import compile_vault
from compiler.cache import ParseCache, default_cache_dir
from compiler.check import select_rules
from compiler.rules import findings_of, run_rules
from compiler.config import Config
from compiler.workers import check_vault
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
    return (findings_of(result.diagnostics, Config(), RULES), result.pages, result.links), result


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
    """Cold checks compiled in this process, or on two workers that write the cache themselves
    (compiler/workers.py), which small vaults do not get unless told to."""
    monkeypatch.setattr(workers, "PARALLEL_MIN_PAGES", 10)
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


def test_an_edit_that_moves_no_link_leaves_the_link_tables_as_saved(vault, tmp_path):
    folder = tmp_path / "cache"
    cached(vault, folder)
    def shards():
        return {p.name: p.read_bytes() for p in (folder / "check-index").iterdir()}

    links, check = shards(), (folder / "check").read_bytes()
    assert len(links) == cache_module.SHARDS
    assert not (folder / "check-patch").exists()
    append(vault, "notes/hub.md", "\nAs of March 2025 the share was 40%.\n")  # prose and a claim only
    got, result = cached(vault, folder)
    assert result.rechecked == 1 and got == uncached(vault)
    assert shards() == links  # index and wanted names: unchanged, not rewritten
    # the diagnostics (a new stale claim) are, as a patch on the state record: one page's entries
    assert (folder / "check").read_bytes() == check and (folder / "check-patch").is_file()
    _, (touched, _, _) = cache_module.read_record(folder / "check-patch", cache_module.ParseCache(folder).salt, tuple)
    assert touched == ("notes/hub.md",)
    append(vault, "notes/hub.md", "\nSee [[constraint-05]].\n")  # a new link target
    got, _ = cached(vault, folder)
    rewritten = {name for name, data in shards().items() if links[name] != data}
    assert got == uncached(vault) and 0 < len(rewritten) < len(links) / 4  # only the shards that changed
    append(vault, "notes/hub.md", "\n## A new heading\n")  # a new anchor for links into hub
    links = shards()
    got, _ = cached(vault, folder)
    assert got == uncached(vault) and shards() != links


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


def test_a_patch_of_another_state_record_is_ignored(vault, tmp_path, monkeypatch):
    """The state and the manifest are saved as patches on their last whole record. A patch left
    behind by an older record must not be laid on a newer one: here it would bring back a dangling
    link that a page created since resolves."""
    folder = tmp_path / "cache"
    cached(vault, folder)
    append(vault, "notes/hub.md", "\nSee [[Nowhere At All]].\n")
    cached(vault, folder)
    old = {name: (folder / name).read_bytes() for name in ("check-patch", "manifest-patch")}
    monkeypatch.setattr(incremental, "patch_limit", lambda entries: 0)  # the next save is whole
    monkeypatch.setattr(cache_module, "patch_limit", lambda entries: 0)
    write(vault, "notes/Nowhere At All.md", "# Nowhere\n")
    got, _ = cached(vault, folder)
    assert got == uncached(vault) and not any(f.rule == "dangling-link" and f.path == "notes/hub.md" for f in got[0])
    for name, data in old.items():
        (folder / name).write_bytes(data)
    got, result = cached(vault, folder)
    assert (result.reparsed, result.rechecked) == (0, 0) and got == uncached(vault)


def test_a_shard_of_the_link_tables_left_by_another_state_is_refused(vault, tmp_path):
    """The link tables are stored in shards, and a run reads only the shards it asks for. An old
    shard put back must be refused: here it would hide that hub now wants the page created last."""
    folder = tmp_path / "cache"
    cached(vault, folder)
    old = {p.name: p.read_bytes() for p in (folder / "check-index").iterdir()}
    append(vault, "notes/hub.md", "\nSee [[Nowhere At All]].\n")
    cached(vault, folder)
    for name, data in old.items():
        (folder / "check-index" / name).write_bytes(data)
    write(vault, "notes/Nowhere At All.md", "# Nowhere\n")
    got, result = cached(vault, folder)
    assert got == uncached(vault) and result.reparsed == -1  # the state was given up, and rebuilt


def test_the_manifest_is_saved_as_a_patch_and_a_stale_patch_is_ignored(tmp_path, monkeypatch):
    def run(mtimes: dict[str, int]) -> ParseCache:
        cache = ParseCache(tmp_path / "cache")
        for path, mtime in mtimes.items():
            cache.record(SourceFile(path, str(tmp_path / path), 1, True, mtime), f"digest-{mtime}")
        cache.save_manifest()
        return cache

    run({"a.md": 10, "b.md": 10})
    run({"a.md": 20, "b.md": 10})  # one entry changed: a patch
    assert (tmp_path / "cache" / "manifest-patch").is_file()
    assert ParseCache(tmp_path / "cache").manifest["a.md"] == (1, 20, "digest-20")
    stale = (tmp_path / "cache" / "manifest-patch").read_bytes()
    monkeypatch.setattr(cache_module, "patch_limit", lambda entries: 0)
    run({"a.md": 30})  # b.md gone; saved whole
    (tmp_path / "cache" / "manifest-patch").write_bytes(stale)
    manifest = ParseCache(tmp_path / "cache").manifest
    assert manifest["a.md"] == (1, 30, "digest-30") and "b.md" not in manifest


def test_parallel_cold_compile_with_cache_agrees(vault, tmp_path, monkeypatch):
    monkeypatch.setattr(analyse, "PARALLEL_MIN_PAGES", 10)
    got, _ = cached(vault, tmp_path / "cache", jobs=2)
    assert got == uncached(vault)
    warm = compile_vault(vault, Config(), TODAY, jobs=2, cache=ParseCache(tmp_path / "cache"))
    cold = compile_vault(vault, Config(), TODAY, jobs=1)
    assert dict(warm.pages) == dict(cold.pages) and list(warm.pages) == list(cold.pages)
    # The site's compile on a pool, into an empty cache: its workers store the pages in packs too.
    site_cache = ParseCache(tmp_path / "site-cache")
    assert dict(compile_vault(vault, Config(), TODAY, jobs=2, cache=site_cache).pages) == dict(cold.pages)
    packs = [p for p in (tmp_path / "site-cache" / "packs").iterdir() if p.is_file()]
    assert len(packs) == -(-len(cold.pages) // analyse.BATCH) and not (tmp_path / "site-cache" / "pages").exists()
    again = ParseCache(tmp_path / "site-cache")  # a fresh process: every page from the packs, none parsed
    monkeypatch.setattr(analyse, "parse_page", lambda *args: pytest.fail("parsed a page the cache holds"))
    assert dict(compile_vault(vault, Config(), TODAY, jobs=2, cache=again).pages) == dict(cold.pages)


def test_corrupt_cache_is_ignored_and_rebuilt(vault, tmp_path, jobs):
    folder = tmp_path / "cache"
    expected = uncached(vault)
    cached(vault, folder, jobs)
    files = [p for p in folder.rglob("*") if p.is_file()]
    stored_in = "packs" if jobs > 1 else "pages"  # the workers store the pages they parse in packs
    assert any(stored_in in p.relative_to(folder).parts for p in files) and (folder / "check").is_file()
    assert not [p for p in files if p.name.startswith(".tmp-")]  # every write finished with its rename
    for i, path in enumerate(files):
        path.write_bytes(b"garbage" if i % 2 else path.read_bytes()[: len(path.read_bytes()) // 2])
    assert cached(vault, folder, jobs)[0] == expected
    assert cached(vault, folder, jobs)[0] == expected  # and the rebuilt cache serves the next run


def test_workers_store_their_pages_in_packs_that_any_process_reads_back(vault, tmp_path, monkeypatch):
    """A cold check on workers writes a pack per chunk of pages, not a file per page; the index
    finds every page in them; a page whose text changed leaves the index; packs it no longer names
    go, unless written after the run began."""
    monkeypatch.setattr(workers, "PARALLEL_MIN_PAGES", 10)
    folder = tmp_path / "cache"
    cached(vault, folder, 2)
    pages = sorted(p.relative_to(vault).as_posix() for p in vault.rglob("*.md"))
    packs = sorted(p.name for p in (folder / "packs").iterdir() if p.is_file())
    assert not (folder / "pages").exists() and len(packs) == -(-len(pages) // workers.CHUNK)
    manifest = ParseCache(folder).manifest
    whole = compile_vault(vault, Config(), TODAY, jobs=1).pages
    store = ParseCache(folder).store  # another process's view: the index read from disk
    for path in pages:
        assert store.located(manifest[path].digest[:2])[manifest[path].digest][0] in packs
        assert store.get(manifest[path].digest, path) == whole[path]
    sent = pickle.loads(pickle.dumps(store))  # as a process pool's tasks carry it: without the shards read
    assert sent == store and not sent._located and len(pickle.dumps(store)) < 300
    # Lost state and one page changed: a cold check again, which packs that page alone.
    tag = store.tag
    old_pack, recent_pack = folder / "packs" / f"{tag}-{'0' * 16}", folder / "packs" / f"{tag}-{'f' * 16}"
    foreign_pack = folder / "packs" / f"{'0' * 8}-{'0' * 16}"  # another setting's (or version's)
    for extra, when in ((old_pack, 1_600_000_000), (recent_pack, time.time() + 3600), (foreign_pack, 1_600_000_000)):
        extra.write_bytes(b"pages of an earlier run")
        os.utime(extra, (when, when))
    edited = pages[len(pages) // 2]
    with open(vault / edited, "a", encoding="utf-8") as handle:
        handle.write("\nA new line.\n")
    for name in ("check", "manifest"):
        (folder / name).unlink()
    got, _ = cached(vault, folder, 2)
    assert got == uncached(vault)
    after = {p.name for p in (folder / "packs").iterdir() if p.is_file()}
    new_packs = after - {*packs, recent_pack.name, foreign_pack.name}
    assert len(new_packs) == 1 and after == {*packs, recent_pack.name, foreign_pack.name, *new_packs}  # old: gone
    store = ParseCache(folder).store
    assert manifest[edited].digest not in store.located(manifest[edited].digest[:2])
    new_digest = ParseCache(folder).manifest[edited].digest
    assert store.get(new_digest, edited) == compile_vault(vault, Config(), TODAY, jobs=1).pages[edited]


def test_checks_with_and_without_the_claim_pass_keep_their_own_packs(vault, tmp_path, monkeypatch):
    """The two settings share the cache folder, each with its own salt: neither drops the other's
    pages, so running them in turn parses nothing after the first run of each."""
    monkeypatch.setattr(workers, "PARALLEL_MIN_PAGES", 10)
    folder = tmp_path / "cache"

    def packs():
        return {p.name for p in (folder / "packs").iterdir() if p.is_file()}

    def run(claims: bool):
        time.sleep(0.01)  # each run starts after the packs of the one before were written
        check_vault(vault, Config(), TODAY, None, claims, ParseCache(folder, claims), jobs=2)

    run(True)
    with_claims = packs()
    run(False)
    both = packs()
    assert with_claims < both
    run(True)
    run(False)
    assert packs() == both


def test_a_cold_check_loads_the_pages_the_cache_already_holds(vault, tmp_path, jobs):
    """No check state (another setting, say), but every page in the parse cache: none is parsed
    and stored again (the stored pages' files stay as they were)."""
    folder = tmp_path / "cache"
    cached(vault, folder, jobs)

    def stored():
        return {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.rglob("*")
                if p.is_file() and {"pages", "packs"} & set(p.relative_to(folder).parts)}

    before = stored()
    for lost in (["check"], ["check", "manifest"]):  # the state; then also what the file stats said
        for name in lost:
            (folder / name).unlink()
        got, result = cached(vault, folder, jobs)
        assert got == uncached(vault) and result.reparsed == -1
        assert stored() == before, lost


def test_cli_cache_lives_beside_the_vault_and_changes_nothing_in_it(vault):
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

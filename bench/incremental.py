"""The parse cache and incremental checks, on one vault: a cold `vaultc check` (empty cache), a
no-change rerun, a rerun after one page was edited, a no-change rerun on the next day (each a
fresh process, as from a shell or a pre-commit hook), and the same edit inside a `check --watch`
session (state kept in memory).

    python bench/incremental.py VAULT [--runs N]      prints a Markdown section
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from measure import measure  # noqa: E402

PY = sys.executable


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("vault", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vaultc-cache-bench-") as tmp:
        vault = Path(tmp) / "vault"
        shutil.copytree(args.vault, vault)
        check = [PY, "-m", "compiler", "check", str(vault), "--format", "json", "-o", str(Path(tmp) / "r.json")]
        edited = sorted(vault.rglob("*.md"))[len(list(vault.rglob("*.md"))) // 2]  # an ordinary page
        time.sleep(2.1)  # past the cache's racy window, as an unchanged vault would be
        cold, warm, edit = [], [], []
        # Each cold run fills a cache folder of its own. Deleting the last run's cache just before
        # (10k files) timed the file system instead: for minutes after, ext4 passes over the inodes
        # it freed as it allocates new ones (perf: recently_deleted, find_inode_bit), which made
        # storing the pages cost five times as much; a first check of a vault meets no such thing.
        for run in range(max(1, args.runs // 2)):
            cache = Path(tmp) / f"cache-{run}"
            cold.append(measure([*check, "--cache-dir", str(cache)]))
        command = [*check, "--cache-dir", str(cache)]  # the last one, for the runs that follow
        for _ in range(args.runs):
            warm.append(measure(command))
        for i in range(args.runs):
            with open(edited, "a", encoding="utf-8") as handle:
                handle.write(f"\nEdited line {i}: see [[{edited.stem}]].\n")
            edit.append(measure(command))
        watch = in_process_edits(vault, cache, edited, args.runs)
        later = []
        for i in range(args.runs):  # each run one more day on, as a daily check sees it
            day = (dt.date.today() + dt.timedelta(days=i + 1)).isoformat()
            later.append(measure([*command, "--today", day]))
    rows = [("cold: empty cache, every page parsed", cold),
            ("warm: nothing changed", warm),
            ("one page edited (fresh process)", edit),
            ("nothing changed, the next day (fresh process; claims judged again)", later)]
    print(f"| run | median s | peak MB |\n|---|---:|---:|")
    for name, found in rows:
        print(f"| {name} | {statistics.median(m.seconds for m in found):.2f} | {max(m.peak_mb for m in found):.0f} |")
    print(f"| one page edited, inside `check --watch` (check and report) | {statistics.median(watch):.3f} | |")


def in_process_edits(vault: Path, folder: Path, edited: Path, runs: int) -> list[float]:
    """What `check --watch` does after a save: the state is in memory, the report is rendered."""
    from compiler.cache import ParseCache
    from compiler.model import gc_paused
    from compiler.check import select_rules
    from compiler.rules import findings_of
    from compiler.config import load_config
    from compiler.emit import Report, renderers
    from compiler.incremental import check_vault

    config = load_config(vault)
    cache = ParseCache(folder)
    rules = select_rules()
    check_vault(vault, config, None, None, True, cache)
    cache.flush()
    cache.next_run()
    times = []
    for i in range(runs):
        with open(edited, "a", encoding="utf-8") as handle:
            handle.write(f"\nWatched edit {i}.\n")
        started = time.perf_counter()
        with gc_paused():  # as the --watch loop does around each re-check
            result = check_vault(vault, config, None, None, True, cache)
            findings = findings_of(result.findings, config, rules)
            renderers()["json"](Report(tuple(findings), result.today, len(result.pages), result.links, vault))
        times.append(time.perf_counter() - started)
        with gc_paused():
            cache.flush()
        cache.next_run()
    return times


if __name__ == "__main__":
    main()

"""How much the dated-claims pass adds to parsing and to `vaultc check` (issue 3 acceptance: at
most 15% of `vaultc check` on a 10k-page vault).

    python bench/claims_overhead.py [VAULT] [--pages 10000] [--rounds 3] [--no-check]

Without VAULT a synthetic vault (bench/synthetic.py) of --pages pages is generated in a temporary
folder. Two figures, each comparing the two sides in the same run so that load from other
processes hits both alike:

1. parse, one process: parse_page(path, text, claims=True) vs claims=False. Each page is parsed
   both ways back to back (the order alternating) --rounds times and each page's fastest time is
   kept: on a shared machine this is stable to about half a percent, where whole-vault minima
   wander by ten. Also the time of extract_claims alone on the blocks parse produced.
2. end to end: a cold `vaultc check VAULT --no-cache --format json -o /dev/null` vs the same with
   `--ignore stale-claim,overdue-claim` (which skips extraction), run alternately --rounds
   times, fastest wall time of each (and the CPU time of the process tree, which the two
   worker processes share).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from compiler.claims import extract_claims  # noqa: E402
from compiler.parse import parse_page  # noqa: E402

TODAY = "2026-11-22"


def load(vault: Path) -> list[tuple[str, str]]:
    return [(p.relative_to(vault).as_posix(), p.read_text(encoding="utf-8")) for p in sorted(vault.rglob("*.md"))]


def bench_parse(pages: list[tuple[str, str]], rounds: int) -> tuple[float, float, float, int]:
    """(seconds without claims, with claims, extract_claims alone, claims found): sums over the
    pages of each page's fastest run."""
    clock = time.perf_counter
    off, on, alone = [float("inf")] * len(pages), [float("inf")] * len(pages), [float("inf")] * len(pages)
    claims = 0
    for round_ in range(rounds):
        for i, (path, text) in enumerate(pages):
            for with_claims in ((False, True) if (i + round_) % 2 else (True, False)):
                start = clock()
                page = parse_page(path, text, claims=with_claims)
                took = clock() - start
                if with_claims:
                    on[i] = min(on[i], took)
                else:
                    off[i] = min(off[i], took)
            start = clock()
            found = extract_claims(page.blocks, page.fiscal_year_end)
            alone[i] = min(alone[i], clock() - start)
            if round_ == 0:
                claims += len(found)
    return sum(off), sum(on), sum(alone), claims


def bench_check(vault: Path, rounds: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """((wall, cpu) seconds of `vaultc check` without the claim rules, (wall, cpu) with them):
    the fastest of `rounds` runs each."""
    # --no-cache: with the parse cache (on by default) every run after the first re-checks nothing
    base = [sys.executable, "-m", "compiler", "check", str(vault), "--no-cache", "--format", "json", "-o", os.devnull,
            "--today", TODAY]
    without = base + ["--ignore", "stale-claim,overdue-claim"]

    def run(command: list[str]) -> tuple[float, float]:
        before = os.times()
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - start
        after = os.times()
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()}")
        return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)

    off = on = (float("inf"), float("inf"))
    for round_ in range(rounds):
        for with_claims in ((False, True) if round_ % 2 else (True, False)):
            wall, cpu = run(base if with_claims else without)
            if with_claims:
                on = (min(on[0], wall), min(on[1], cpu))
            else:
                off = (min(off[0], wall), min(off[1], cpu))
    return off, on


def percent(more: float, base: float) -> str:
    return f"{100 * (more - base) / base:+.1f}%"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vault", type=Path, nargs="?", help="vault folder (default: a generated synthetic vault)")
    parser.add_argument("--pages", type=int, default=10000, help="size of the generated vault (default 10000)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per figure; the fastest is reported")
    parser.add_argument("--no-check", action="store_true", help="skip the end-to-end `vaultc check` figure")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        vault = args.vault
        if vault is None:
            from synthetic import generate

            vault = Path(scratch) / "vault"
            generate(vault, args.pages)
        pages = load(vault)
        off, on, alone, claims = bench_parse(pages, args.rounds)
        print(f"vault {vault}: {len(pages)} pages, {claims} claims; fastest of {args.rounds} rounds")
        print(f"parse, one process:  {off:6.2f}s without claims, {on:6.2f}s with them: "
              f"claim pass {percent(on, off)} of parse (extract_claims alone {100 * alone / off:.1f}%, "
              f"{1e6 * alone / max(1, len(pages)):.0f} µs/page)")
        if not args.no_check:
            (w_off, c_off), (w_on, c_on) = bench_check(vault, args.rounds)
            print(f"vaultc check, wall:  {w_off:6.2f}s with --ignore stale-claim,overdue-claim, "
                  f"{w_on:6.2f}s with every rule: "
                  f"claim pass {percent(w_on, w_off)} of check (acceptance: at most +15%)")
            print(f"vaultc check, CPU:   {c_off:6.2f}s with --ignore stale-claim,overdue-claim, "
                  f"{c_on:6.2f}s with every rule: "
                  f"claim pass {percent(c_on, c_off)} of check")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`vaultc diff --base HEAD~1` on a git repository of one vault whose last commit edits one page,
side by side with a cold `vaultc check` of the same vault (target: diff within 2× that check):
with an empty store (a CI job's first run), and with the store the first run left (warm).

    python bench/diff.py VAULT [--runs N]      prints a Markdown section
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from measure import measure  # noqa: E402

PY = sys.executable


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=bench@localhost", *args],
                   check=True, capture_output=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("vault", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="vaultc-diff-bench-") as tmp:
        repo = Path(tmp) / "repo"
        shutil.copytree(args.vault, repo)
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "base")
        pages = sorted(repo.rglob("*.md"))
        edited = pages[len(pages) // 2]
        edited.write_text(edited.read_text(encoding="utf-8") + "\nAs of March 2024 the share was 40%.\n",
                          encoding="utf-8")
        git(repo, "commit", "-q", "-am", "edit one page")
        check = [PY, "-m", "compiler", "check", str(repo), "--no-cache", "--format", "json",
                 "-o", str(Path(tmp) / "check.json")]
        cold, empty, warm = [], [], []
        for run in range(args.runs):  # interleaved, so load on the machine hits each command alike
            cold.append(measure(check))
            diff = [PY, "-m", "compiler", "diff", str(repo), "--base", "HEAD~1", "--format", "json",
                    "-o", str(Path(tmp) / "diff.json"), "--cache-dir", str(Path(tmp) / f"store-{run}")]
            empty.append(measure(diff))
            warm.append(measure(diff))
        failed = [m for m in cold + empty + warm if m.returncode not in (0, 1)]
        if failed:
            sys.exit(f"a run failed (exit {failed[0].returncode})")
    base = statistics.median(m.seconds for m in cold)
    rows = [("`vaultc check --no-cache` (cold)", cold), ("`vaultc diff --base HEAD~1`, store empty", empty),
            ("`vaultc diff --base HEAD~1`, store warm", warm)]
    print(f"## `vaultc diff` ({len(pages):,} pages, one edited)\n")
    print("| command | median s | × cold check | runs | peak MB |\n|---|---:|---:|---:|---:|")
    for name, runs in rows:
        seconds = statistics.median(m.seconds for m in runs)
        print(f"| {name} | {seconds:.2f} | {seconds / base:.2f}× | {len(runs)} | {max(m.peak_mb for m in runs):.0f} |")
    ratios = [e.seconds / c.seconds for e, c in zip(empty, cold)]
    print(f"\nTarget: within 2× a cold check. Store empty, run by run: "
          f"{', '.join(f'{r:.2f}×' for r in ratios)}.")


if __name__ == "__main__":
    main()

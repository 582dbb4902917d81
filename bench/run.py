"""`make bench`: generate synthetic vaults, time vaultc against its yardsticks side by side in one
run, and write BENCHMARKS.md with the machine, the date, medians and peak memory."""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from measure import Measurement, machine, measure  # noqa: E402

from compiler.synthetic import generate  # noqa: E402

PY = sys.executable


def median(runs: list[Measurement]) -> tuple[float, float]:
    return statistics.median(r.seconds for r in runs), max(r.peak_mb for r in runs)


def core_rows(vault: Path, runs: int) -> list[tuple[str, float, float]]:
    commands = {
        "vaultc check (all rules, parallel parse)": [PY, "-m", "compiler", "check", str(vault), "--format", "json"],
        "vaultc check without the claim pass": [PY, "-m", "compiler", "check", str(vault), "--format", "json",
                                                "--ignore", "stale-claim,overdue-claim"],
        "bare markdown-it-py parse, one core": [PY, str(Path(__file__).parent / "bare_parse.py"), str(vault)],
    }
    results: dict[str, list[Measurement]] = {name: [] for name in commands}
    for _ in range(runs):  # interleaved, so load on the machine hits every command alike
        for name, command in commands.items():
            results[name].append(measure(command))
    return [(name, *median(found)) for name, found in results.items()]


def extra_sections(vault: Path) -> list[str]:
    """The stages with benchmarks of their own (RDF emit, export and canned queries) on the largest
    vault; each prints a Markdown report."""
    import subprocess

    sections = []
    for module in ("compiler.rdf.bench",):
        proc = subprocess.run([PY, "-m", module, str(vault)], capture_output=True, text=True)
        report = proc.stdout if proc.returncode == 0 else f"`{module}` failed:\n\n    {proc.stderr[-2000:]}"
        sections += [("\n" + report).replace("\n# ", "\n## ").strip(), ""]  # nest its title under ours
        print(sections[-2], flush=True)
    return sections


def site_section(tmp: str, sizes: list[int]) -> list[str]:
    """Site build times per size (bench/site.py), each in a fresh process."""
    import subprocess

    lines = ["## Site build (`vaultc site`)", "",
             "Compile and emit are vaultc's own work; render is `mkdocs build` of the emitted tree with the "
             "project's mkdocs.yml; bare is mkdocs-material alone on the same emitted pages (links already "
             "converted) with a compact navigation. Target: total ≤ 1.3× bare, linear growth.", "",
             "| pages | compile s | emit s | render s | total s | bare mkdocs s | total / bare |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for size in sizes:
        proc = subprocess.run([PY, str(Path(__file__).parent / "site.py"), str(Path(tmp) / f"v{size}")],
                              capture_output=True, text=True)
        lines.append(proc.stdout.strip() if proc.returncode == 0 else f"| {size:,} | failed: {proc.stderr[-300:]!r} |")
        print(lines[-1], flush=True)
    return lines + [""]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"))
    args = parser.parse_args(argv)
    import os

    lines = ["# Benchmarks", "", f"Measured {dt.date.today().isoformat()} on: {machine()}; load average "
             f"{os.getloadavg()[0]:.1f} at the start.", "",
             f"Wall-clock medians of {args.runs} interleaved runs; peak memory is the largest sum of the "
             "resident sets of a command's process tree, sampled every 10 ms. Regenerate with `make bench`.", ""]
    with tempfile.TemporaryDirectory(prefix="vaultc-bench-") as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            made = generate(Path(tmp) / f"v{size}", size)
            megabytes = sum(p.stat().st_size for p in made.root.rglob("*.md")) / 1e6
            rows = core_rows(made.root, args.runs)
            full, no_claims, bare = rows[0][1], rows[1][1], rows[2][1]
            lines += [f"## Synthetic vault, {size:,} pages ({megabytes:.1f} MB of Markdown)", "",
                      "| command | median s | peak MB |", "|---|---:|---:|"]
            lines += [f"| {name} | {seconds:.2f} | {peak:.0f} |" for name, seconds, peak in rows]
            lines += ["", f"- claim pass overhead: {100 * (full - no_claims) / no_claims:.1f}% of `vaultc check` "
                      "(target ≤ 15%)",
                      f"- `vaultc check` / bare single-core parse: {full / bare:.2f}× (target ≤ 0.8×)", ""]
            print("\n".join(lines[-(len(rows) + 7):]), flush=True)
            if size == max(int(s) for s in args.sizes.split(",")):
                lines += extra_sections(made.root)
        lines += site_section(tmp, [int(s) for s in args.sizes.split(",")])
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

"""`make bench`: generate synthetic vaults, time vaultc against its yardsticks side by side in one
run, and write BENCHMARKS.md with the machine, the date, medians and peak memory."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from measure import Measurement, machine, measure  # noqa: E402

from synthetic import Synthetic, generate  # noqa: E402

PY = sys.executable
CHECK = "vaultc check, cold (all rules, parallel parse)"
NO_CLAIMS = "vaultc check, cold, without the claim pass"
BARE = "bare markdown-it-py parse, one core"
OBSIDIANTOOLS = "obsidiantools link graph + nonexistent notes"
# obsidiantools needs 17-30 s per 1,000 pages on a 2-core machine (about 3 minutes for 10k): from
# this size on it runs once instead of --runs times, and above --obsidiantools-max-pages not at all.
OBSIDIANTOOLS_ONCE_FROM = 10_000


def median(runs: list[Measurement]) -> tuple[float, float, int]:
    return statistics.median(r.seconds for r in runs), max(r.peak_mb for r in runs), len(runs)


def core_rows(vault: Path, runs: int, reports: Path, obsidiantools_runs: int):
    """Name -> (median s, peak MB, runs), and name -> each run's measurement. `vaultc check` and
    obsidiantools leave their reports in `reports/` (check.json, obsidiantools.json) for the counts
    that go beside the times."""
    reports.mkdir(parents=True, exist_ok=True)
    check = [PY, "-m", "compiler", "check", str(vault), "--no-cache", "--format", "json"]  # cold: no parse cache
    commands = {
        CHECK: [*check, "-o", str(reports / "check.json")],
        NO_CLAIMS: [*check, "--ignore", "stale-claim,overdue-claim"],
        BARE: [PY, str(HERE / "bare_parse.py"), str(vault)],
        OBSIDIANTOOLS: [PY, str(HERE / "obsidiantools_graph.py"), str(vault), str(reports / "obsidiantools.json")],
    }
    results: dict[str, list[Measurement]] = {name: [] for name in commands}
    for run in range(runs):  # interleaved, so load on the machine hits every command alike
        for name, command in commands.items():
            if name == OBSIDIANTOOLS and run >= obsidiantools_runs:
                continue
            measured = measure(command)
            if name == OBSIDIANTOOLS and measured.returncode != 0:
                print(f"bench: obsidiantools failed (exit {measured.returncode}) on {vault}", flush=True)
                obsidiantools_runs = 0
                continue
            results[name].append(measured)
    return {name: median(found) for name, found in results.items() if found}, results


def dangling_lines(made: Synthetic, reports: Path) -> list[str]:
    """The generator's known dangling links against what `vaultc check` and obsidiantools found."""
    known = {target for _, target in made.dangling}
    lines = [f"- nonexistent notes: the generator planted {len(made.dangling)} dangling links to {len(known)} "
             "distinct missing notes"]
    try:
        findings = json.loads((reports / "check.json").read_text(encoding="utf-8"))["findings"]
        dangling = {(f["path"], f["target"]) for f in findings if f["rule"] == "dangling-link"}
        verdict = "exactly the planted set" if dangling == made.dangling else (
            f"{len(dangling - made.dangling)} not planted, {len(made.dangling - dangling)} planted ones missed")
        lines.append(f"  - `vaultc check`: {len(dangling)} `dangling-link` findings to "
                     f"{len({t for _, t in dangling})} distinct targets — {verdict}")
    except (OSError, ValueError, KeyError) as exc:
        lines.append(f"  - `vaultc check`: no report to count ({type(exc).__name__})")
    try:
        found = json.loads((reports / "obsidiantools.json").read_text(encoding="utf-8"))
        nonexistent = set(found["nonexistent"])
        extra = sorted(nonexistent - known)
        lines.append(f"  - obsidiantools: {found['nonexistent_notes']} nonexistent notes, "
                     f"{len(nonexistent & known)} of them planted and {len(extra)} that exist"
                     + (f" (for example `[[{extra[0]}]]`: links by vault path are not resolved)" if extra else "")
                     + f"; {found['notes']} notes, {found['edges']} edges in its graph")
    except (OSError, ValueError, KeyError):
        pass  # skipped or failed: said in the ratio line
    return lines


def extra_sections(vault: Path) -> list[str]:
    """The stages with benchmarks of their own on the largest vault, each printing a Markdown report:
    RDF emit, export and canned queries; the SPARQL endpoint under 50 clients for 20 seconds;
    `vaultc diff` against a cold check."""
    sections = []
    for name, command in (("bench/rdf_queries.py", [PY, str(HERE / "rdf_queries.py"), str(vault)]),
                          ("bench/endpoint_load.py", [PY, str(HERE / "endpoint_load.py"), str(vault)]),
                          ("bench/diff.py", [PY, str(HERE / "diff.py"), str(vault)])):
        proc = subprocess.run(command, capture_output=True, text=True)
        # The load report is printed whatever the outcome (errors are in its table); no report is a failure.
        report = proc.stdout if proc.stdout.strip() else f"`{name}` failed:\n\n    {proc.stderr[-2000:]}"
        if proc.returncode != 0 and proc.stdout.strip():
            report += f"\n`{name}` exited {proc.returncode}: {proc.stderr.strip()[-500:]}\n"
        sections += [("\n" + report).replace("\n# ", "\n## ").strip(), ""]  # nest its title under ours
        print(sections[-2], flush=True)
    return sections


def site_section(tmp: str, sizes: list[int], runs: int) -> list[str]:
    """Site build times per size (bench/site.py), each phase in a fresh process."""
    lines = ["## Site build (`vaultc site`)", "",
             "As `make site` runs it: `vaultc check` fills the parse cache, then `vaultc site` compiles (warm; the "
             "cold compile, without a cache, in brackets for comparison), emits the docs tree and builds it as "
             "`vaultc site` does (MkDocs' build, strict, with the pages on every core: compiler/site/whole.py) with "
             "the project's mkdocs.yml. Bare is mkdocs-material alone building the same pages from the vault's own "
             "Markdown, with the same generated index pages and compact navigation (mkdocs.yml's index pages) and "
             "none of our plugins, extensions or theme features. The two MkDocs builds run in pairs, their order "
             f"alternating; columns are medians of {runs} runs (a 10k-page pair of builds takes about a minute "
             "here), and the ratio is the median of the runs' own ratios (steadier when the machine's speed "
             "drifts); each run's figures are listed below the table. Target (issue 23): total ≤ 0.5× bare.", "",
             "| pages | compile s | emit s | render s | total s | bare mkdocs s | total / bare |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    per_run: list[str] = []
    edits = ["", "After one page is edited (one sentence appended to a ticker page), the whole `vaultc site` "
             "command in a fresh process, as a user runs it after a save: start-up, compile with the store, emit "
             "(only the pages whose HTML changes are rendered), and MkDocs rendering only the changed files. "
             "Target: ≤ 1 s at 1k pages, ≤ 3 s at 10k.", "",
             "| pages | edit → site s (median) | range | runs |", "|---:|---:|---:|---:|"]
    for size in sizes:
        proc = subprocess.run([PY, str(HERE / "site.py"), str(Path(tmp) / f"v{size}"), "--runs", str(runs)],
                              capture_output=True, text=True)
        lines.append(proc.stdout.strip() if proc.returncode == 0 else f"| {size:,} | failed: {proc.stderr[-300:]!r} |")
        print(lines[-1], flush=True)
        per_run += [f"- {size:,} pages, {line}" for line in proc.stderr.splitlines() if line.startswith(("run ", "edit run "))]
        edits += [line[len("edit: "):] for line in proc.stderr.splitlines() if line.startswith("edit: ")]
        print(edits[-1], flush=True)
    lines += edits
    lines += ["", *per_run]
    if len(sizes) > 1:
        rows = [line for line in lines if line.startswith("| ") and line[2].isdigit()]
        per_page = [(size, float(line.split("|")[5])) for size, line in zip(sizes, rows) if "failed" not in line]
        lines += [""] + [f"- total per page at {size:,} pages: {1000 * total / size:.1f} ms" for size, total in per_page]
    return lines + [""]


def vault_section(made: Synthetic, args, reports: Path) -> list[str]:
    size = made.pages
    megabytes = sum(p.stat().st_size for p in made.root.rglob("*.md")) / 1e6
    if size > args.obsidiantools_max_pages:
        obsidiantools_runs = 0
    else:
        obsidiantools_runs = 1 if size >= OBSIDIANTOOLS_ONCE_FROM else args.runs
    rows, runs_of = core_rows(made.root, args.runs, reports, obsidiantools_runs)
    lines = [f"## Synthetic vault, {size:,} pages ({megabytes:.1f} MB of Markdown)", "",
             "| command | median s | runs | peak MB |", "|---|---:|---:|---:|"]
    lines += [f"| {name} | {seconds:.2f} | {runs} | {peak:.0f} |" for name, (seconds, peak, runs) in rows.items()]
    full, no_claims, bare = rows[CHECK][0], rows[NO_CLAIMS][0], rows[BARE][0]
    lines += ["", f"- claim pass overhead: {100 * (full - no_claims) / no_claims:.1f}% of `vaultc check` "
              "(target ≤ 15%)",
              f"- `vaultc check` / bare single-core parse: {full / bare:.2f}× (target ≤ 0.8×); "
              f"{_paired(runs_of[CHECK], runs_of[BARE])}"]
    if OBSIDIANTOOLS in rows:
        seconds, _, runs = rows[OBSIDIANTOOLS]
        once = (f"; obsidiantools ran once here, not {args.runs} times, as it takes minutes a run at this size"
                if runs == 1 and args.runs > 1 else "")
        lines.append(f"- obsidiantools / `vaultc check`: {seconds / full:.1f}× (target ≥ 30×: vaultc at least "
                     f"30 times faster){once}")
    elif obsidiantools_runs == 0:
        lines.append(f"- obsidiantools / `vaultc check`: not measured — obsidiantools is skipped above "
                     f"{args.obsidiantools_max_pages:,} pages, where one run takes well over 5 minutes "
                     "(17-30 s per 1,000 pages); `bench/run.py --obsidiantools-max-pages N` includes it")
    else:
        lines.append("- obsidiantools / `vaultc check`: not measured — obsidiantools failed on this vault")
    return lines + dangling_lines(made, reports) + [""] + incremental_lines(made.root, args.runs), rows


def _paired(check: list[Measurement], bare: list[Measurement]) -> str:
    """The check / bare ratio of each run (the two ran one after the other), and their median: steadier
    than the ratio of the medians when the machine's speed drifts between runs."""
    ratios = [c.seconds / b.seconds for c, b in zip(check, bare)]
    return (f"run by run {', '.join(f'{r:.2f}×' for r in ratios)}, median {statistics.median(ratios):.2f}×"
            if ratios else "no paired runs")


def incremental_lines(vault: Path, runs: int) -> list[str]:
    """The parse cache and incremental checks on this vault (bench/incremental.py)."""
    proc = subprocess.run([PY, str(HERE / "incremental.py"), str(vault), "--runs", str(max(3, runs))],
                          capture_output=True, text=True)
    table = proc.stdout.strip() if proc.returncode == 0 else f"`bench/incremental.py` failed: {proc.stderr[-500:]!r}"
    return ["With the parse cache (`.vaultc-cache/`): targets on 10k pages are a no-change rerun ≤ 1 s and "
            "one edited page ≤ 0.3 s.", "", table, ""]


def scaling_lines(sizes: list[int], found: dict[int, dict]) -> list[str]:
    """Cold check time and peak memory per page across the sizes: linear growth keeps these flat."""
    lines = ["## Growth with vault size", "", "| pages | cold `vaultc check` s | ms per page | peak MB | "
             "KB per page |", "|---:|---:|---:|---:|---:|"]
    for size in sizes:
        seconds, peak, _ = found[size][CHECK]
        lines.append(f"| {size:,} | {seconds:.2f} | {1000 * seconds / size:.2f} | {peak:.0f} | "
                     f"{1024 * peak / size:.0f} |")
    return lines + ["", "Target: peak memory on 10k pages ≤ 1 GB, growth close to linear.", ""]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--site-sizes", default="1000,10000", help="vault sizes for the site build benchmark")
    parser.add_argument("--extras-size", type=int, default=10_000,
                        help="vault size for the RDF and endpoint benchmarks (default 10000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--obsidiantools-max-pages", type=int, default=20_000,
                        help="skip obsidiantools on larger vaults (default 20000)")
    parser.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"))
    args = parser.parse_args(argv)
    import compileall
    import os

    # Every vaultc run below is a fresh process. Python writes a module's bytecode the first time it
    # imports it, so a user's runs load it; compile it now in case this environment turned that
    # off (PYTHONDONTWRITEBYTECODE), or every run would compile vaultc's source again.
    compileall.compile_dir(str(HERE.parent / "compiler"), quiet=1)
    sizes = [int(s) for s in args.sizes.split(",")]
    lines = ["# Benchmarks", "", f"Measured {dt.date.today().isoformat()} on: {machine()}; load average "
             f"{os.getloadavg()[0]:.1f} at the start.", "",
             f"Wall-clock medians of {args.runs} interleaved runs (obsidiantools: once from "
             f"{OBSIDIANTOOLS_ONCE_FROM:,} pages, as the runs column says); peak memory is the largest sum of the "
             "resident sets of a command's process tree, sampled every 10 ms. vaultc's bytecode is compiled "
             "first, as Python does on a module's first import. Regenerate with `make bench`.", ""]
    site_sizes = [int(s) for s in args.site_sizes.split(",") if s]
    extras_size = args.extras_size if args.extras_size in sizes else max(sizes)
    found: dict[int, dict] = {}
    with tempfile.TemporaryDirectory(prefix="vaultc-bench-") as tmp:
        for size in sizes:
            made = generate(Path(tmp) / f"v{size}", size)
            section, found[size] = vault_section(made, args, Path(tmp) / f"reports-{size}")
            lines += section
            print("\n".join(section), flush=True)
            if size == extras_size:
                lines += extra_sections(made.root)
        lines += scaling_lines(sizes, found)
        for size in site_sizes:
            if size not in sizes:
                generate(Path(tmp) / f"v{size}", size)
        lines += site_section(tmp, site_sizes, args.runs)
    lines[2] = lines[2].rstrip(".") + f"; {os.getloadavg()[0]:.1f} at the end."
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

"""Site build benchmark: vaultc's compile and emit, the MkDocs build of the emitted tree with the
project's mkdocs.yml as `vaultc site` runs it (compiler/site/whole.py), and the yardstick — a
bare mkdocs-material build of the same pages as the vault's own Markdown (vaultc hands MkDocs HTML
it rendered itself; the yardstick makes MkDocs render the Markdown), with the same generated index
pages and compact navigation and nothing else of ours (no extra plugins, extensions or theme
features).

`make site` runs `vaultc check` and then `vaultc site`, so the site's compile finds the parse cache
the check filled: that warm compile is the one the total and the ratio use. The cold compile (no
cache, every page parsed) is measured too, in its own process, and shown beside it.

`python bench/site.py VAULT [--runs N]` prints one Markdown table row:
pages | compile s (warm; cold) | emit s | render s | total s | bare mkdocs s | total / bare.
With --runs N the compile and emit run N times and the two MkDocs builds are paired N times, the
pair's order alternating (load on the machine hits both alike); the columns are medians, and the
ratio is the median of the N runs' own ratios (steadier when the machine's speed drifts). Each
run's figures go to stderr."""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from mkdocs.utils.yaml import yaml_load

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def bare_config(ours: dict, nav: str = "ours") -> dict:
    """mkdocs-material with search, the basic extensions the emitted pages need (toc, tables,
    admonitions, attribute lists, Markdown in HTML) and mkdocs.yml's navigation (the index pages;
    `nav="home"`: the home page alone, the yardstick of earlier runs), nothing more."""
    return {"site_name": "bare", "theme": {"name": "material", "font": False}, "plugins": ["search"],
            "nav": ours["nav"] if nav == "ours" else [{"Home": "index.md"}], "use_directory_urls": False,
            "markdown_extensions": ["toc", "tables", "admonition", "attr_list", "md_in_html"],
            "validation": {"omitted_files": "ignore"}}


def markdown_docs(emitted: Path, vault_dir: Path, out: Path) -> Path:
    """The emitted docs tree with each vault page's HTML replaced by the page's own Markdown."""
    import shutil
    shutil.copytree(emitted, out)
    for doc in out.rglob("*.md"):
        source = vault_dir / doc.relative_to(out)
        if source.is_file() and "\nvaultc_toc: " in doc.read_text(encoding="utf-8"):
            shutil.copyfile(source, doc)
    return out


def mkdocs_build(config: dict, work: Path, name: str) -> float:
    """A whole build: vaultc's as `vaultc site` runs it (compiler/site/whole.py: MkDocs' build with
    the pages on every core), the yardstick's with `mkdocs build`."""
    config_file = work / f"{name}.yml"
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    command = ([sys.executable, "-m", "compiler.site.whole", str(config_file), config["site_dir"]] if name == "vaultc"
               else [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config_file)])
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, capture_output=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    return time.perf_counter() - started


def phase(argv: list[str]) -> dict:
    """Run one vaultc phase in a fresh process (nothing imported or cached in memory beforehand)."""
    done = subprocess.run([sys.executable, __file__, "--phase", *argv], check=True, capture_output=True,
                          text=True, cwd=ROOT)
    return json.loads(done.stdout)


def run_phase(kind: str, vault_dir: Path, cache_dir: Path | None, docs: Path | None) -> dict:
    """`cold`: compile without a cache. `site`: what `vaultc site` does before MkDocs — compile with
    the parse cache, then emit the docs tree."""
    from compiler.cache import ParseCache
    from compiler.commands.site import query_data, recent_changes
    from compiler.compile import compile
    from compiler.config import load_config
    from compiler.site.emitter import emit_site

    config = load_config(vault_dir)
    started = time.perf_counter()
    cache = ParseCache(cache_dir) if kind == "site" else None
    vault = compile(vault_dir, config, store=cache)
    result = {"compile": 0.0, "pages": len(vault.pages)}  # the whole compiled vault, as the site reads it
    if cache is not None:
        cache.next_run()
    result["compile"] = time.perf_counter() - started
    if kind == "site":
        started = time.perf_counter()  # as `vaultc site`: the Query page's graph and git's history too
        emit_site(vault, docs, query=query_data(vault), recent=recent_changes(vault.root))
        result["emit"] = time.perf_counter() - started
    return result


def edit_times(vault_dir: Path, work: Path, runs: int) -> list[float]:
    """`vaultc site` as a user runs it after saving one page: on a copy of the vault whose site is
    built, one sentence is appended to a ticker page and the whole command is timed, in a fresh
    process (start-up, compile with the store, emit, MkDocs), `runs` times, one edit each."""
    import shutil

    vault = work / "edited-vault"
    shutil.copytree(vault_dir, vault)
    # The store re-reads files written within two seconds of the run that recorded them (their
    # time cannot vouch for them): a vault whose every file was just copied is not a user's vault.
    time.sleep(2.5)
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as handle:
        config = yaml_load(handle)
    config.update(docs_dir=str(work / "edited-docs"), site_dir=str(work / "edited-site"))
    config_file = work / "edited.yml"
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    command = [sys.executable, "-m", "compiler", "site", str(vault), "--mkdocs-config", str(config_file)]
    subprocess.run(command, check=True, cwd=ROOT, capture_output=True)  # the first build: the whole site
    page = sorted(vault.glob("tickers/**/*.md"))[0]
    times = []
    for run in range(max(runs, 3)):  # each takes seconds: a few more runs make a steadier median
        with open(page, "a", encoding="utf-8") as handle:
            handle.write(f"\nA sentence the benchmark added, edit {run + 1}.\n")
        started = time.perf_counter()
        done = subprocess.run(command, check=True, cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        print(f"edit run {run + 1}: {times[-1]:.2f} s ({done.stderr.strip().splitlines()[-1]})", file=sys.stderr)
    return times


def main(vault_dir: Path, runs: int, bare_nav: str = "ours") -> None:
    with tempfile.TemporaryDirectory(prefix="vaultc-site-bench-") as tmp:
        work = Path(tmp)
        cold = phase(["cold", str(vault_dir)])
        # As `make site`: the check fills the parse cache that `vaultc site` then reads.
        check = subprocess.run([sys.executable, "-m", "compiler", "check", str(vault_dir), "--cache-dir",
                                str(work / "cache"), "--format", "json", "-o", str(work / "check.json")],
                               cwd=ROOT, capture_output=True, text=True)
        if check.returncode not in (0, 1):  # 1: the vault has error findings, as synthetic ones do
            raise SystemExit(f"vaultc check failed: {check.stderr[-500:]}")
        # Each run emits into a fresh folder, as a first `vaultc site` does; the first one is rendered.
        sites = [phase(["site", str(vault_dir), str(work / "cache"), str(work / f"docs-{run}")]) for run in range(runs)]
        with open(ROOT / "mkdocs.yml", encoding="utf-8") as handle:
            ours = yaml_load(handle)  # MkDocs' own loader: it knows !ENV
        bare = bare_config(ours, bare_nav)
        ours.update(docs_dir=str(work / "docs-0"), site_dir=str(work / "site"))
        bare.update(docs_dir=str(markdown_docs(work / "docs-0", vault_dir, work / "bare-docs")), site_dir=str(work / "bare"))
        renders, bares = [], []
        for run in range(runs):
            # Whichever build goes first in a pair tends to be the slower one on a shared machine:
            # ours goes first in the first pair (against us when runs=1), then the order alternates.
            pair = [(renders, ours, "vaultc"), (bares, bare, "bare")]
            for times, config, name in pair if run % 2 == 0 else pair[::-1]:
                times.append(mkdocs_build(config, work, name))
        edits = edit_times(vault_dir, work, runs)
    totals = [site["compile"] + site["emit"] + render for site, render in zip(sites, renders, strict=True)]
    ratios = [total / bare for total, bare in zip(totals, bares, strict=True)]
    for n, (site, render, bare) in enumerate(zip(sites, renders, bares, strict=True)):
        print(f"run {n + 1}: compile {site['compile']:.2f} + emit {site['emit']:.2f} + render {render:.2f} "
              f"= {totals[n]:.2f} s; bare {bare:.2f} s; {ratios[n]:.3f}×", file=sys.stderr)
    median = statistics.median
    print(f"edit: | {sites[0]['pages']:,} | {median(edits):.2f} | {min(edits):.2f}–{max(edits):.2f} | {len(edits)} |",
          file=sys.stderr)
    print(f"| {sites[0]['pages']:,} | {median(s['compile'] for s in sites):.1f} warm ({cold['compile']:.1f} cold) | "
          f"{median(s['emit'] for s in sites):.1f} | {median(renders):.1f} | {median(totals):.1f} | "
          f"{median(bares):.1f} | {median(ratios):.2f}× |")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--phase":
        kind, vault, *rest = sys.argv[2:]
        cache, docs = (Path(rest[0]), Path(rest[1])) if rest else (None, None)
        print(json.dumps(run_phase(kind, Path(vault), cache, docs)))
    else:
        parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
        parser.add_argument("vault", type=Path)
        parser.add_argument("--runs", type=int, default=1, help="repetitions; medians are shown")
        parser.add_argument("--bare-nav", choices=["ours", "home"], default="ours",
                            help="the yardstick's navigation: mkdocs.yml's index pages, or the home page alone")
        args = parser.parse_args()
        main(args.vault, args.runs, args.bare_nav)

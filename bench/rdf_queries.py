"""Benchmark of the RDF stage: emit and export times, and p50/p95 of every canned query, both in
Oxigraph alone (what the endpoint's workers run) and as `vaultc query` runs it (which adds the
guard and turning every row into result terms). `python bench/rdf_queries.py VAULT [--runs N]`
prints a Markdown report with the machine, its load and the date, to paste into the benchmark notes.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import time
from pathlib import Path

from compiler.analyse import compile_vault
from compiler.config import load_config
from compiler.rdf.emit import page_graphs, quads
from compiler.rdf.export import FORMATS, export
from compiler.rdf.query import run
from compiler.rdf.store import oxigraph_store
from compiler.rdf.vocab import PREFIXES, canned_queries

TARGET_MS = 50  # each canned query's p50 on the 10,000-page synthetic vault, in Oxigraph


def _timed(action):
    started = time.perf_counter()
    value = action()
    return value, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vault", type=Path)
    parser.add_argument("--runs", type=int, default=20, help="runs of each canned query (default 20)")
    args = parser.parse_args(argv)

    vault, compile_s = _timed(lambda: compile_vault(args.vault, load_config(args.vault)))
    graphs, emit_s = _timed(lambda: page_graphs(vault))
    triples = sum(len(g.triples) for g in graphs)
    store, load_s = _timed(lambda: oxigraph_store(quads(graphs)))
    lines = [
        f"# RDF benchmark — {dt.date.today()}",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}",
        f"Vault: {args.vault} — {len(vault.pages)} pages, {len(graphs)} named graphs, {triples} triples",
        "",
        "| step | seconds |",
        "|---|---|",
        f"| compile (parse, resolve, analyse) | {compile_s:.2f} |",
        f"| emit page graphs | {emit_s:.2f} |",
        f"| load into Oxigraph | {load_s:.2f} |",
    ]
    for fmt in FORMATS:
        data, seconds = _timed(lambda fmt=fmt: export(graphs, fmt))
        lines.append(f"| export {fmt} ({len(data) / 1e6:.1f} MB) | {seconds:.2f} |")
    base = vault.config.base_iri
    queries = canned_queries()
    engine: dict[str, list[float]] = {name: [] for name in queries}
    engine_cpu: dict[str, list[float]] = {name: [] for name in queries}
    as_vaultc: dict[str, list[float]] = {name: [] for name in queries}
    rows: dict[str, int | str] = {}
    for name, text in queries.items():  # a first run of each, untimed, warms both paths up
        answer = run(store, text, base)
        rows[name] = len(answer.rows) if hasattr(answer, "rows") else "-"
    # Run after run, every query once: load from other work on the machine then falls on all of
    # them alike. CPU time beside the wall-clock time shows how much of the latter is waiting.
    for _ in range(args.runs):
        for name, text in queries.items():
            cpu = time.thread_time()
            engine[name].append(_timed(lambda text=text: _oxigraph(store, text, base))[1])
            engine_cpu[name].append(time.thread_time() - cpu)
            as_vaultc[name].append(_timed(lambda text=text: run(store, text, base))[1])
    lines += ["", f"Canned queries, {args.runs} runs each, interleaved; load average {_load()} at the start. "
              f"Target: Oxigraph p50 ≤ {TARGET_MS} ms.", "",
              "| canned query | rows | Oxigraph p50 ms | p95 ms | CPU p50 ms | `vaultc query` p50 ms | p95 ms |",
              "|---|---|---|---|---|---|---|"]
    for name in queries:
        lines.append(f"| {name} | {rows[name]} | {_p(engine[name], 50)} | {_p(engine[name], 95)} | "
                     f"{_p(engine_cpu[name], 50)} | {_p(as_vaultc[name], 50)} | "
                     f"{_p(as_vaultc[name], 95)} |")
    print("\n".join(lines))
    return 0


def _oxigraph(store, text: str, base: str) -> list:
    """What the endpoint's workers run: the query on the store itself, every row taken."""
    return list(store.query(f"BASE <{base}> {text}", prefixes=PREFIXES, use_default_graph_as_union=True))


def _p(seconds: list[float], percent: int) -> str:
    ordered = sorted(seconds)
    value = statistics.median(ordered) if percent == 50 else ordered[round(percent / 100 * (len(ordered) - 1))]
    return f"{value * 1000:.1f}"


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    except OSError:
        return "unknown"


if __name__ == "__main__":
    raise SystemExit(main())

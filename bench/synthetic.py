"""A deterministic synthetic vault for tests (small sizes) and benchmarks (1k, 10k, 50k pages).

Pages of every type with typed frontmatter, every link form, dated claims, tables and code blocks,
and a known set of dangling links, so results can be checked as well as timed.
`python -m compiler.synthetic OUT --pages 10000`.
"""
from __future__ import annotations

import argparse
import random
from dataclasses import dataclass, field
from pathlib import Path

_MONTHS = "January February March April May June July August September October November December".split()
_WORDS = ("capacity demand supply margin wafer memory packaging optics power cooling rack cluster "
          "inference training backlog pricing share guidance yield node fabric switch retimer lender "
          "tenant contract utilisation lease substation transformer turbine").split()


@dataclass
class Synthetic:
    root: Path
    pages: int
    dangling: set[tuple[str, str]] = field(default_factory=set)  # (page path, target) expected to dangle


def generate(root: Path, pages: int, seed: int = 7) -> Synthetic:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    result = Synthetic(root, pages)
    n_layers, n_constraints = 7, 10
    n_sectors = max(2, pages // 200)
    n_sources = max(5, pages // 10)
    n_tickers = pages - n_layers - n_constraints - n_sectors - n_sources
    layers = [f"layers/L{i}.md" for i in range(1, n_layers + 1)]
    constraints = [f"constraints/constraint-{i:02d}.md" for i in range(n_constraints)]
    sectors = [f"sectors/sector-{i:03d}.md" for i in range(n_sectors)]
    sources = [f"sources/{i % 37:02d}/source-{i:05d}.md" for i in range(n_sources)]
    tickers = [f"tickers/{i % 53:02d}/T{i:05d}.md" for i in range(n_tickers)]
    (root / "assets").mkdir(exist_ok=True)
    (root / "assets" / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n")

    def name(path: str) -> str:
        return path.rpartition("/")[2][:-3]

    for i, path in enumerate(layers):
        _write(root, path, f"---\ntype: layer\ncode: L{i + 1}\naliases: [Layer {i + 1}]\n---\n# Layer {i + 1}\n\n"
               f"## Companies on it\n\nSee the [[{name(sectors[0])}]] thesis.\n")
    for i, path in enumerate(constraints):
        _write(root, path, f"---\ntype: constraint\naliases: [Bottleneck {i}]\n---\n# Bottleneck {i}\n\n"
               f"## Why it binds\n\n{_prose(rng, 40)}\n\n## Dated markers\n\n"
               f"- As of {_month(rng)} lead times were {rng.randint(20, 60)} weeks.\n")
    for i, path in enumerate(sectors):
        members = rng.sample(tickers, min(25, len(tickers)))
        body = "\n".join(f"- [[{name(t)}]] — {_prose(rng, 8)}" for t in members)
        _write(root, path, f"---\ntype: sector\nupdated: 2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}\n---\n"
               f"# Sector {i}\n\n## Thesis\n\n{_prose(rng, 60)}\n\n## Players\n\n{body}\n\n## Monitor\n\n"
               + "".join(f"- {_month(rng)} — {name(members[k])} announced a {rng.choice(_WORDS)} deal.\n"
                         for k in range(5)))
    for i, path in enumerate(sources):
        _write(root, path, f"---\ntype: source\nauthor: Analyst {i}\npublisher: Desk {i % 13}\n"
               f"published: 2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n---\n# Source {i}\n\n"
               f"{_prose(rng, 50)}\n")
    for i, path in enumerate(tickers):
        text, dangling = _ticker(rng, i, path, tickers, layers, constraints, sectors, sources, name)
        _write(root, path, text)
        result.dangling.update((path, target) for target in dangling)
    return result


def _ticker(rng, i, path, tickers, layers, constraints, sectors, sources, name):
    peer = name(rng.choice(tickers))
    source = rng.choice(sources)
    dangling = []
    lines = [
        "---", "type: ticker", f"ticker: T{i:05d}", f"name: Company {i}", "exchange: NASDAQ",
        f'sector: "[[{name(rng.choice(sectors))}]]"',
        f'layers: ["[[{name(rng.choice(layers))}]]"]',
        f'constraints: ["[[Bottleneck {rng.randrange(10)}]]", "[[{name(rng.choice(constraints))}]]"]',
        f"aliases: [Company {i}]", f"fiscal_year_end: {rng.choice(['January', 'June', 'December'])}",
        f"updated: 2026-0{rng.randint(1, 9)}-0{rng.randint(1, 9)}", "---",
        f"# Company {i} (T{i:05d})", "", "## Thesis", "",
        f"{_prose(rng, 45)} It competes with [[{peer}|a peer]] and cites [[{source[:-3]}]].", "",
        f"competes_with:: [[{peer}]]", "",
        "## Key numbers", "", "| Metric | Value | As of |", "|---|---|---|",
        f"| Revenue | ${rng.randint(1, 90)}B | Q{rng.randint(1, 4)} 2025 |",
        f"| Share | {rng.randint(5, 80)}% | {_month(rng)} |", "",
        f"As of {_month(rng)} the backlog stood at ${rng.randint(2, 400)}B. ^backlog", "",
        f"Capacity is sold out through Q{rng.randint(1, 4)} 202{rng.randint(5, 7)}, and management "
        f"expects margins to reach {rng.randint(40, 75)}% by 202{rng.randint(6, 8)}.", "",
        "## Dated developments", "",
        f"- {_month(rng)} — announced a {rng.choice(_WORDS)} agreement with [[{peer}#Thesis]].",
        f"- In Q1 FY2027 revenue was ${rng.randint(1, 30)}B (see [[{peer}#^backlog]]).",
        f"- ![[chart.png|300]] and [notes]({peer}.md#Key%20numbers).", "",
        "```python", "ignored = '[[Not A Link]]'  # 2026-01-01 in code is no claim", "```", "",
    ]
    if i % 50 == 0:
        target = f"Missing Page {i}"
        lines.append(f"Also see [[{target}]].")
        dangling.append(target)
    lines += ["", "## Risks", "", _prose(rng, 30), ""]
    return "\n".join(lines), dangling


def _prose(rng: random.Random, n: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def _month(rng: random.Random) -> str:
    return f"{rng.choice(_MONTHS)} 202{rng.randint(4, 6)}"


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    made = generate(args.out, args.pages, args.seed)
    print(f"wrote {made.pages} pages to {made.root} ({len(made.dangling)} dangling links)")


if __name__ == "__main__":
    main()

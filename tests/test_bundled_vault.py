"""The bundled AI-infrastructure vault (issue 4): it checks clean and its graph has the promised shape."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from compiler.analyse import compile_vault
from compiler.config import load_config

ROOT = Path(__file__).parent.parent
VAULT = ROOT / "vault"
SEEDS = ROOT.parent / "shared" / "seeds"
TICKERS = ("NVDA AMD INTC AVGO TSM ANET MRVL ALAB AIXA SOITEC 268A 5802 6855 6834 6754 6777 MU "
           "000660.KS 005930.KS CRWV DELL SMCI 2308 COHR GLW APLD VRT PLTR CRDO SMTC Cerebras").split()
SECTOR = "sectors/ai-infrastructure-datacenter.md"


@pytest.fixture(scope="module")
def vault():
    return compile_vault(VAULT, load_config(VAULT))


def test_check_has_no_errors(check_json):
    data = check_json(VAULT)
    errors = [f for f in data["findings"] if f["severity"] == "error"]
    assert errors == [] and data["exit"] == 0


def test_every_ticker_has_a_valid_page_linked_from_the_sector_page(vault):
    linked = {r.target for r in vault.resolutions if r.source == SECTOR}
    for ticker in TICKERS:
        path = f"tickers/{ticker}.md"
        page = vault.pages[path]
        assert page.type == "ticker" and str(page.meta["ticker"]), ticker
        assert page.meta.get("name") and page.meta.get("exchange") and page.aliases, ticker
        assert path in linked, f"the sector page does not link {ticker}"


def test_aliases_resolve(vault):
    from compiler.model import Link

    sector = vault.pages[SECTOR]
    for alias, path in [("NVIDIA", "tickers/NVDA.md"), ("SK Hynix", "tickers/000660.KS.md"),
                        ("TSMC", "tickers/TSM.md"), ("HBM", "constraints/hbm-memory-bandwidth.md")]:
        assert vault.index.resolve(sector, Link(raw=alias, target=alias)).target == path


def test_every_company_has_a_layer_and_every_constraint_three_companies(vault):
    tickers = [p for p in vault.pages.values() if p.type == "ticker"]
    for page in tickers:
        layers = [r.target for r in vault.resolutions if r.source == page.path and r.link.key == "layers"]
        assert layers and all(vault.pages[t].type == "layer" for t in layers), page.path
    constraints = [p for p in vault.pages.values() if p.type == "constraint"]
    assert len(constraints) >= 10
    for page in constraints:
        companies = {src for src, _, data in vault.graph.in_edges(page.path, data=True) if data["relation"] == "constraints"}
        assert len(companies) >= 3, (page.path, companies)
    layers = sorted(str(p.meta.get("code")) for p in vault.pages.values() if p.type == "layer")
    assert layers == [f"L{i}" for i in range(1, 8)]


def test_dated_claims_are_found_in_the_monitor_and_ticker_pages(vault):
    paths = {v.path for v in vault.verdicts}
    assert SECTOR in paths
    assert sum(1 for p in paths if p.startswith("tickers/")) >= 20


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seeds live in ../shared beside the repository")
def test_no_vault_line_repeats_ten_words_of_a_seed():
    words = re.compile(r"[a-z0-9$%.,'’-]+")
    seen = set()
    for seed in SEEDS.glob("*.txt"):
        w = words.findall(seed.read_text(errors="replace").lower())
        seen.update(" ".join(w[i:i + 10]) for i in range(len(w) - 9))
    copied = []
    for page in VAULT.rglob("*.md"):
        for number, line in enumerate(page.read_text().splitlines(), 1):
            w = words.findall(line.lower())
            if any(" ".join(w[i:i + 10]) in seen for i in range(len(w) - 9)):
                copied.append(f"{page.relative_to(VAULT)}:{number}")
    assert copied == []

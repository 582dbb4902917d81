"""`vaultc query`: competency questions written against VAULT-SPEC §3, the canned `.rq` library,
the output formats, and that queries run on Oxigraph rather than rdflib's own engine."""
from __future__ import annotations

import csv
import io
import json

import pytest
import rdflib

from conftest import FIXTURES

VAULT = FIXTURES / "rdf" / "vault"
ID = "https://w3id.org/vaultc/id/"


@pytest.fixture
def ask(run):
    """ask(sparql or ("--name", x)) -> the rows as tuples of plain values (IRIs of the vault shortened
    to their path), in the order the query gave them."""
    def invoke(*query) -> list[tuple]:
        code, out, err = run("query", VAULT, *query, "--format", "json", "--today", "2026-11-22")
        assert code == 0, err
        data = json.loads(out)
        names = data["head"]["vars"]
        return [tuple(_plain(row.get(n)) for n in names) for row in data["results"]["bindings"]]
    return invoke


def _plain(term):
    if term is None:
        return None
    value = term["value"]
    return value[len(ID):] if term["type"] == "uri" and value.startswith(ID) else value


# --- competency questions ----------------------------------------------------------------------

COMPETENCY = {
    "Which companies sit in layer L1?": (
        'SELECT ?ticker WHERE { ?c vc:inLayer ?l . ?l skos:notation "L1" . ?c schema:tickerSymbol ?ticker }'
        " ORDER BY ?ticker",
        [("AMD",), ("NVDA",)],
    ),
    "Which companies are exposed to HBM supply (linked through its aliases)?": (
        'SELECT ?ticker WHERE { ?c vc:exposedTo ?k . ?k skos:prefLabel "HBM supply" . '
        "?c schema:tickerSymbol ?ticker } ORDER BY ?ticker",
        [("AMD",), ("MU",), ("NVDA",)],
    ),
    "Which companies cite no source?": (
        "SELECT ?ticker WHERE { ?c a vc:Ticker ; schema:tickerSymbol ?ticker . "
        "FILTER NOT EXISTS { ?c vc:cites ?s } } ORDER BY ?ticker",
        [("2330",), ("AMD",)],
    ),
    "Which claims about memory-layer companies went stale?": (
        'SELECT ?ticker ?line WHERE { ?c vc:inLayer/skos:notation "L2" ; schema:tickerSymbol ?ticker ; '
        'vc:hasClaim ?claim . ?claim vc:status "stale" ; vc:line ?line }',
        [("MU", "12")],
    ),
    "Which constraint links dangle?": (
        "SELECT ?path ?target WHERE { ?c a vc:Ticker ; vc:path ?path ; vc:danglingLink ?target }",
        [("tickers/AMD.md", "Financing")],
    ),
    "Which claims rest on which publisher's source?": (
        "SELECT ?path ?line ?publisher WHERE { ?page vc:path ?path ; vc:hasClaim ?claim . "
        "?claim vc:line ?line ; prov:wasDerivedFrom ?source . ?source dcterms:publisher ?publisher } "
        "ORDER BY ?path",
        [("tickers/MU.md", "12", "TrendForce"), ("tickers/NVDA.md", "17", "SemiAnalysis")],
    ),
    "Who supplies whom, by inline field?": (
        "SELECT ?buyer ?supplier WHERE { ?b vc:supplier ?s . ?b schema:tickerSymbol ?buyer . "
        "?s schema:tickerSymbol ?supplier }",
        [("NVDA", "MU")],
    ),
    "Which sources were written by an author who has a page?": (
        "SELECT ?source ?author WHERE { ?s a vc:Source ; dcterms:creator ?a ; vc:path ?source . "
        "?a a vc:Source ; skos:prefLabel ?author }",
        [("sources/SemiAnalysis GB200 BOM.md", "Dylan Patel")],
    ),
    "How many overdue forecasts does each sector carry?": (
        'SELECT ?sector (COUNT(?claim) AS ?overdue) WHERE { ?c vc:inSector ?s ; vc:hasClaim ?claim . '
        '?claim vc:status "overdue" . ?s skos:prefLabel ?sector } GROUP BY ?sector',
        [("Semiconductors", "1")],
    ),
    "Which companies does the NVDA vs AMD comparison cover (base IRI declared)?": (
        "SELECT ?ticker WHERE { <compare/NVDA%20vs%20AMD> vc:compares ?c . ?c schema:tickerSymbol ?ticker }"
        " ORDER BY ?ticker",
        [("AMD",), ("NVDA",)],
    ),
    "Which layers exist, by code?": (
        "SELECT ?code ?layer WHERE { ?l a vc:Layer, skos:Concept ; skos:notation ?code ; skos:prefLabel ?layer }"
        " ORDER BY ?code",
        [("L1", "Compute silicon"), ("L2", "Memory"), ("L3", "Advanced packaging")],
    ),
}


@pytest.mark.parametrize("question", list(COMPETENCY))
def test_competency_question(ask, question):
    sparql, expected = COMPETENCY[question]
    assert ask(sparql) == expected


# --- the canned library ------------------------------------------------------------------------

CANNED = {
    "companies-by-layer": [
        ("L1", "Compute silicon", "AMD", "Advanced Micro Devices"),
        ("L1", "Compute silicon", "NVDA", "NVIDIA Corporation"),
        ("L2", "Memory", "MU", "Micron Technology"),
        ("L3", "Advanced packaging", "2330", "TSMC"),
    ],
    "companies-citing-no-source": [
        ("2330", "TSMC", "tickers/TSM.md"),
        ("AMD", "Advanced Micro Devices", "tickers/AMD.md"),
    ],
    "dangling-links-by-page": [("notes/Reading list.md", "Missing page"), ("tickers/AMD.md", "Financing")],
    "stale-claims-by-company": [
        ("2330", "TSMC", "tickers/TSM.md", "12", "2025-06-30",
         "CoWoS capacity was 35k wafers per month as of June 2025."),
        ("MU", "Micron Technology", "tickers/MU.md", "12", "2026-03-31",
         "HBM revenue share was 21% as of March 2026 according to TrendForce HBM report."),
        ("NVDA", "NVIDIA Corporation", "tickers/NVDA.md", "16", "2025-03-31",
         "As of March 2025, data-centre revenue share was 88%."),
    ],
    "overdue-claims-by-company": [
        ("NVDA", "NVIDIA Corporation", "tickers/NVDA.md", "17", "2026-06-30",
         "The Blackwell Ultra ramp is expected by Q2 2026 per SemiAnalysis GB200 BOM."),
    ],
}


@pytest.mark.parametrize("name", list(CANNED))
def test_canned_query(ask, name):
    assert ask("--name", name) == CANNED[name]


def test_canned_constraint_exposure(ask):
    rows = ask("--name", "constraint-exposure")
    assert [(c, p, n) for c, p, n, _ in rows] == [
        ("HBM supply", "constraints/HBM supply.md", "3"), ("Power", "constraints/Power.md", "2")]
    assert [sorted(t.split(", ")) for *_, t in rows] == [["AMD", "MU", "NVDA"], ["2330", "NVDA"]]


def test_canned_most_linked_pages(ask):
    rows = ask("--name", "most-linked-pages")
    assert rows[:2] == [  # AMD: the sector, the comparison, NVDA's and MU's inline fields
        ("sectors/Semiconductors.md", "Semiconductors", "sectors/Semiconductors", "4"),
        ("tickers/AMD.md", "AMD", "tickers/AMD", "4"),
    ]
    counts = [int(n) for *_, n in rows]
    assert counts == sorted(counts, reverse=True) and len(rows) == 14
    assert (None, None, "assets/chart.png", "1") in rows  # an attachment has no vc:path


def test_list_names_every_canned_query_with_its_summary(run):
    code, out, _ = run("query", VAULT, "--list")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert names == sorted([*CANNED, "constraint-exposure", "most-linked-pages"])
    assert all(len(line.split(None, 1)) == 2 for line in out.splitlines())


def test_query_from_a_file(run, tmp_path):
    query = tmp_path / "q.rq"
    query.write_text("# how many pages?\nSELECT (COUNT(?p) AS ?n) WHERE { ?p a vc:Page }\n")
    code, out, _ = run("query", VAULT, "--file", query, "--format", "csv")
    assert code == 0
    assert out == "n\r\n15\r\n"


def test_csv_and_table_formats(run):
    sparql = 'SELECT ?c ?code WHERE { ?c vc:inLayer ?l . ?l skos:notation ?code } ORDER BY ?code ?c'
    code, out, _ = run("query", VAULT, sparql, "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["c", "code"] and rows[1] == [ID + "tickers/AMD", "L1"] and len(rows) == 5
    code, out, _ = run("query", VAULT, sparql, "--format", "table")
    lines = out.splitlines()
    assert lines[0].split() == ["?c", "?code"]
    assert lines[2].split() == ["<tickers/AMD>", "L1"]  # vault IRIs shown as the base declares them
    assert lines[-1] == "4 rows"
    # columns line up
    assert len({line.index("L") for line in lines[2:6]}) == 1


def test_default_format_off_a_terminal_is_csv(run):
    code, out, _ = run("query", VAULT, "SELECT ?t WHERE { ?c schema:tickerSymbol ?t } ORDER BY ?t")
    assert code == 0
    assert out.splitlines() == ["t", "2330", "AMD", "MU", "NVDA"]


def test_ask_and_construct(run):
    code, out, _ = run("query", VAULT, "ASK { <tickers/NVDA> a vc:Ticker }", "--format", "json")
    assert code == 0 and json.loads(out) == {"head": {}, "boolean": True}
    code, out, _ = run("query", VAULT, "CONSTRUCT { ?c vc:inLayer ?l } WHERE { ?c vc:inLayer ?l }")
    assert code == 0
    assert len(rdflib.Graph().parse(data=out, format="turtle")) == 4


def test_query_runs_on_oxigraph_not_on_rdflibs_engine(run, monkeypatch):
    """rdflib falls back to its own engine, silently, when the store declines a query (as it does
    for a prepareQuery() object); with that engine broken, queries must still answer."""
    from rdflib.plugins.sparql import processor

    def refuse(*args, **kwargs):
        raise AssertionError("rdflib's own SPARQL engine was used")

    monkeypatch.setattr(processor.SPARQLProcessor, "query", refuse)
    monkeypatch.setattr(processor, "prepareQuery", refuse)
    code, out, err = run("query", VAULT, "--name", "companies-by-layer", "--format", "json")
    assert code == 0, err
    assert len(json.loads(out)["results"]["bindings"]) == 4


@pytest.mark.parametrize("args, message", [
    (["SELEC ?x"], "query syntax error"),
    ([], "give one of SPARQL, --file Q.rq, --name CANNED or --list"),
    (["--name", "nope"], "no canned query 'nope'"),
    (["SELECT * WHERE { ?s ?p ?o }", "--name", "companies-by-layer"], "give one of"),
    (["--file", "/nonexistent/q.rq"], "cannot read"),
])
def test_errors_are_one_line_and_exit_2(run, args, message):
    code, out, err = run("query", VAULT, *args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and message in err and err.startswith("vaultc: error:")


def test_only_the_declared_prefixes(run):
    """rdflib binds thirty prefixes by default; the spec declares eight, and a query that runs
    here must run on the endpoint too."""
    code, _, err = run("query", VAULT, "SELECT ?p WHERE { ?p a foaf:Person }")
    assert code == 2 and "Prefix not found" in err

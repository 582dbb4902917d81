"""`vaultc query`: competency questions written against VAULT-SPEC §3, the canned `.rq` library,
the output formats, and that queries run on Oxigraph rather than rdflib's own engine."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict

import pytest
import rdflib

from compiler.analyse import compile_vault
from compiler.config import load_config
from compiler.rdf.emit import page_graphs, quads
from compiler.rdf.query import canned
from compiler.rdf.query import run as run_query
from compiler.rdf.store import oxigraph_store
from synthetic import generate
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
    "companies-by-layer": None,  # names in no particular order: test_canned_companies_by_layer
    "companies-citing-no-source": [
        ("2330", "TSMC", "tickers/TSM.md"),
        ("AMD", "Advanced Micro Devices", "tickers/AMD.md"),
    ],
    "constraint-exposure": None,  # names in no particular order: test_canned_constraint_exposure
    "dangling-links-by-page": [("notes/Reading list.md", "Missing page"), ("tickers/AMD.md", "Financing")],
    "most-linked-pages": [  # AMD: the sector, the comparison, NVDA's and MU's inline fields
        ("sectors/Semiconductors.md", "Semiconductors", "sectors/Semiconductors", "4"),
        ("tickers/AMD.md", "AMD", "tickers/AMD", "4"),
        ("constraints/HBM supply.md", "HBM supply", "constraints/HBM%20supply", "3"),
        ("sources/TrendForce HBM report.md", "TrendForce HBM report", "sources/TrendForce%20HBM%20report", "3"),
        ("constraints/Power.md", "Power", "constraints/Power", "2"),
        ("layers/Compute.md", "Compute silicon", "layers/Compute", "2"),
        ("sources/SemiAnalysis GB200 BOM.md", "GB200 bill of materials", "sources/SemiAnalysis%20GB200%20BOM", "2"),
        ("tickers/MU.md", "Micron", "tickers/MU", "2"),
        ("tickers/NVDA.md", "NVIDIA", "tickers/NVDA", "2"),
        ("layers/Memory.md", "Memory", "layers/Memory", "1"),
        ("layers/Packaging.md", "Advanced packaging", "layers/Packaging", "1"),
        ("sources/Dylan Patel.md", "Dylan Patel", "sources/Dylan%20Patel", "1"),
        ("tickers/TSM.md", "TSMC", "tickers/TSM", "1"),
    ],  # the comparison and the reading list: no page links to them; assets/chart.png is no page
    "stale-claims-by-company": [
        ("2330", "TSMC", "1", "2025-06-30", "12",
         "CoWoS capacity was 35k wafers per month as of June 2025.", "tickers/TSM.md"),
        ("MU", "Micron Technology", "1", "2026-03-31", "12",
         "HBM revenue share was 21% as of March 2026 according to TrendForce HBM report.", "tickers/MU.md"),
        ("NVDA", "NVIDIA Corporation", "1", "2025-03-31", "16",
         "As of March 2025, data-centre revenue share was 88%.", "tickers/NVDA.md"),
    ],
    "overdue-claims-by-company": [
        ("NVDA", "NVIDIA Corporation", "1", "2026-06-30", "17",
         "The Blackwell Ultra ramp is expected by Q2 2026 per SemiAnalysis GB200 BOM.", "tickers/NVDA.md"),
    ],
}


@pytest.mark.parametrize("name", [name for name, rows in CANNED.items() if rows is not None])
def test_canned_query(ask, name):
    assert ask("--name", name) == CANNED[name]


def test_canned_companies_by_layer(ask):
    rows = ask("--name", "companies-by-layer")
    assert [(code, layer, n) for code, layer, n, _ in rows] == [
        ("L1", "Compute silicon", "2"), ("L2", "Memory", "1"), ("L3", "Advanced packaging", "1")]
    assert [sorted(names.split(", ")) for *_, names in rows] == [
        ["Advanced Micro Devices", "NVIDIA Corporation"], ["Micron Technology"], ["TSMC"]]


def test_canned_constraint_exposure(ask):
    rows = ask("--name", "constraint-exposure")
    assert [(c, p, n) for c, p, n, _ in rows] == [
        ("HBM supply", "constraints/HBM supply.md", "3"), ("Power", "constraints/Power.md", "2")]
    assert [sorted(names.split(", ")) for *_, names in rows] == [
        ["Advanced Micro Devices", "Micron Technology", "NVIDIA Corporation"], ["NVIDIA Corporation", "TSMC"]]


def test_claims_by_company_count_rank_and_pick_the_oldest(run, make_vault):
    """More than one claim per company: companies ranked by how many, each shown with its oldest
    (line 9 before line 13 on the same date: the line compares as a number, not as text), and a
    note with more stale claims than any company left out."""
    vault = make_vault({
        "tickers/AAA.md": """
            ---
            type: ticker
            ticker: AAA
            name: Alpha Industries
            ---
            # Alpha

            - Revenue share was 12% as of June 2025.
            - Capacity was 10k wafers per month as of March 2025.
            - Backlog was $3B as of September 2025.
            - Lead times were 30 weeks as of January 2026.
            - Margin was 40% as of March 2025.
            """,
        "tickers/BBB.md": """
            ---
            type: ticker
            ticker: BBB
            ---
            # Beta

            - Share was 5% as of February 2025.
            - The new fab is expected to open by Q2 2026.
            - The packaging line is planned for Q1 2026.
            """,
        "notes/Ideas.md": """
            # Ideas

            - Share was 1% as of January 2024.
            - Share was 2% as of February 2024.
            - Share was 3% as of March 2024.
            - Share was 4% as of April 2024.
            - Share was 5% as of May 2024.
            - Share was 6% as of June 2024.
            - The merger is expected by Q1 2025.
            """,
    })

    def ask_vault(name):
        code, out, err = run("query", vault, "--name", name, "--format", "json", "--today", "2026-11-22")
        assert code == 0, err
        data = json.loads(out)
        return [tuple(_plain(row.get(n)) for n in data["head"]["vars"]) for row in data["results"]["bindings"]]

    assert ask_vault("stale-claims-by-company") == [
        ("AAA", "Alpha Industries", "5", "2025-03-31", "9",
         "Capacity was 10k wafers per month as of March 2025.", "tickers/AAA.md"),
        ("BBB", "Beta", "1", "2025-02-28", "7", "Share was 5% as of February 2025.", "tickers/BBB.md"),
    ]
    assert ask_vault("overdue-claims-by-company") == [  # the forecast whose period ended first
        ("BBB", "Beta", "2", "2026-03-31", "9", "The packaging line is planned for Q1 2026.", "tickers/BBB.md"),
    ]


# --- the canned library against straightforward queries, on a synthetic vault -------------------
# The canned queries are written for speed (subqueries, MINUS, the counts the compiler states, a
# hundred-company cut); each is checked here against the plainest query for the same question,
# tallied in Python, on a vault large enough to have ties and more than a hundred companies with
# stale claims.


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """select(sparql) -> rows of plain values, as `vaultc query` answers on a 400-page synthetic vault."""
    root = tmp_path_factory.mktemp("synthetic") / "vault"
    generate(root, 400)
    vault = compile_vault(root, load_config(root), dt.date(2026, 11, 22))
    dataset = oxigraph_store(quads(page_graphs(vault)))

    def select(sparql: str) -> list[tuple]:
        answer = run_query(dataset, sparql, vault.config.base_iri)
        return [tuple(None if term is None else _short(term[1]) for term in row) for row in answer.rows]
    return select


def _short(value: str) -> str:
    return value[len(ID):] if value.startswith(ID) else value


def test_synthetic_companies_by_layer(synthetic):
    expected = defaultdict(list)
    for code, layer, company in synthetic(
            "SELECT ?code ?layer ?company WHERE { ?page a vc:Ticker ; vc:inLayer ?l ; skos:prefLabel ?company . "
            "?l a vc:Layer ; skos:prefLabel ?layer . OPTIONAL { ?l skos:notation ?code } }"):
        expected[code, layer].append(company)
    rows = synthetic(canned("companies-by-layer"))
    assert [(c, layer, int(n), sorted(names.split(", "))) for c, layer, n, names in rows] == [
        (c, layer, len(names), sorted(names)) for (c, layer), names in sorted(expected.items())]


def test_companies_citing_no_source_as_the_plain_query_answers(synthetic, ask):
    """MINUS for FILTER NOT EXISTS: the same rows, on the fixture (two companies) and the synthetic
    vault (where every company cites a source)."""
    plain = ("SELECT ?ticker ?company ?path WHERE { ?page a vc:Ticker ; vc:path ?path ; skos:prefLabel ?company . "
             "FILTER NOT EXISTS { ?page vc:cites ?s } OPTIONAL { ?page schema:tickerSymbol ?ticker } } "
             "ORDER BY ?ticker ?path")
    assert ask("--name", "companies-citing-no-source") == ask(plain) == CANNED["companies-citing-no-source"]
    assert synthetic(canned("companies-citing-no-source")) == synthetic(plain)


def test_synthetic_constraint_exposure(synthetic):
    expected = defaultdict(list)
    for constraint, path, company in synthetic(
            "SELECT ?constraint ?path ?company WHERE { ?page a vc:Ticker ; vc:exposedTo ?c ; skos:prefLabel ?company . "
            "?c skos:prefLabel ?constraint ; vc:path ?path }"):
        expected[constraint, path].append(company)
    rows = synthetic(canned("constraint-exposure"))
    assert {(c, p, int(n), tuple(sorted(names.split(", ")))) for c, p, n, names in rows} == {
        (c, p, len(s), tuple(sorted(s))) for (c, p), s in expected.items()}
    counts = [int(n) for _, _, n, _ in rows]
    assert counts == sorted(counts, reverse=True)


def test_synthetic_most_linked_pages(synthetic):
    """vc:backlinkCount is the number of other pages whose vc:linksTo names the page; the top 25,
    ties by IRI."""
    counted = synthetic("SELECT ?page (COUNT(DISTINCT ?from) AS ?n) WHERE { ?from vc:linksTo ?page . "
                        "?page a vc:Page FILTER (?from != ?page) } GROUP BY ?page")
    stated = synthetic("SELECT ?page ?n WHERE { ?page vc:backlinkCount ?n }")
    assert sorted(stated) == sorted(counted)
    top = sorted(((int(n), page) for page, n in counted), key=lambda pair: (-pair[0], ID + pair[1]))[:25]
    rows = synthetic(canned("most-linked-pages"))
    assert [(page, int(n)) for _, _, page, n in rows] == [(page, n) for n, page in top]
    paths = dict(synthetic("SELECT ?page ?path WHERE { ?page vc:path ?path }"))
    assert all(path == paths[page] for path, _, page, _ in rows)


@pytest.mark.parametrize("status, name", [("stale", "stale-claims-by-company"),
                                          ("overdue", "overdue-claims-by-company")])
def test_synthetic_claims_by_company(synthetic, status, name):
    counted = synthetic(f'SELECT ?page (COUNT(?c) AS ?n) WHERE {{ ?page vc:hasClaim ?c . ?c vc:status "{status}" }} '
                        "GROUP BY ?page")
    assert sorted(synthetic(f"SELECT ?page ?n WHERE {{ ?page vc:{status}ClaimCount ?n }}")) == sorted(counted)
    claims = defaultdict(list)
    for _, ticker, company, path, end, line, text in synthetic(
            f"SELECT ?page ?ticker ?company ?path ?end ?line ?text WHERE {{ ?page a vc:Ticker ; vc:hasClaim ?c ; "
            f'vc:path ?path ; skos:prefLabel ?company . ?c vc:status "{status}" ; vc:end ?end ; vc:line ?line ; '
            f"vc:text ?text . OPTIONAL {{ ?page schema:tickerSymbol ?ticker }} }}"):
        claims[ticker, company, path].append((end, int(line), text))
    expected = {(ticker, company, str(len(found)), min(found)[0], str(min(found)[1]), min(found)[2], path)
                for (ticker, company, path), found in claims.items()}
    rows = synthetic(canned(name))
    assert len(rows) == min(100, len(expected))
    assert set(rows) <= expected  # every row right for its company
    # ... and the hundred with the most such claims (ties at the cut may go either way), in order
    counts = sorted((int(row[2]) for row in expected), reverse=True)
    assert [int(row[2]) for row in rows] == counts[:100]
    assert rows == sorted(rows, key=lambda row: (-int(row[2]), row[0] or "", row[6]))


def test_list_names_every_canned_query_with_its_summary(run):
    code, out, _ = run("query", VAULT, "--list")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert names == sorted(CANNED)
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
    assert "@prefix vc: <https://w3id.org/vaultc#> ." in out and "vc:inLayer" in out
    code, out, _ = run("query", VAULT, "CONSTRUCT { ?c vc:inLayer ?l } WHERE { ?c vc:inLayer ?l }", "--format", "json")
    assert code == 0 and len(rdflib.Graph().parse(data=out, format="json-ld")) == 4


def test_query_runs_on_oxigraph_not_on_rdflibs_engine(run, monkeypatch):
    """Every query is Oxigraph's, as on the endpoint: with rdflib's own (many times slower) engine
    broken, queries still answer."""
    from rdflib.plugins.sparql import processor

    def refuse(*args, **kwargs):
        raise AssertionError("rdflib's own SPARQL engine was used")

    monkeypatch.setattr(processor.SPARQLProcessor, "query", refuse)
    monkeypatch.setattr(processor, "prepareQuery", refuse)
    for name in CANNED:  # subqueries, MINUS, GRAPH, UNION, HAVING: all of it Oxigraph's
        code, out, err = run("query", VAULT, "--name", name, "--format", "json", "--today", "2026-11-22")
        assert code == 0, err
        assert json.loads(out)["results"]["bindings"], name


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


def test_from_names_the_dataset_in_vaultc_query(run):
    from conftest import FIXTURES

    vault = FIXTURES / "rdf" / "vault"
    count = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"
    _, whole, _ = run("query", vault, count.format(""), "--format", "json", "--no-cache")
    _, nvda, _ = run("query", vault, count.format("FROM <https://w3id.org/vaultc/id/tickers/NVDA>"),
                     "--format", "json", "--no-cache")
    value = lambda out: int(json.loads(out)["results"]["bindings"][0]["n"]["value"])  # noqa: E731
    assert 0 < value(nvda) < value(whole)
    code, out, _ = run("query", vault, "ASK FROM <http://nonexistent.invalid/> { ?s ?p ?o }", "--format", "json",
                       "--no-cache")
    assert code == 0 and json.loads(out)["boolean"] is False


def test_select_star_columns_in_query_order(run):
    code, out, err = run("query", VAULT, "SELECT * WHERE { ?zebra vc:inLayer ?apple . ?apple skos:notation ?mango }",
                         "--format", "json")
    assert code == 0, err
    assert json.loads(out)["head"]["vars"] == ["zebra", "apple", "mango"]

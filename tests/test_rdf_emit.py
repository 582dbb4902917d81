"""The RDF emitter (compiler/rdf/emit.py) against VAULT-SPEC §3, the shipped vocabulary and SHACL
shapes, and `vaultc export` in every format."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Literal, URIRef

from compiler.analyse import compile_vault
from compiler.config import load_config
from compiler.rdf.emit import PageGraph, page_graphs, quads
from compiler.rdf.export import export
from compiler.rdf.validate import validate
from compiler.rdf.vocab import DCTERMS, PROV, RDF, RDFS, SCHEMA, SKOS, VC, XSD, resource_text
from conftest import FIXTURES

VAULT = FIXTURES / "rdf" / "vault"
GOLDEN = FIXTURES / "rdf" / "expected.nt"
TODAY = dt.date(2026, 11, 22)
ID = "https://w3id.org/vaultc/id/"


def iri(path: str) -> URIRef:
    return URIRef(ID + path)


@pytest.fixture(scope="module")
def graphs() -> list[PageGraph]:
    return page_graphs(compile_vault(VAULT, load_config(VAULT), TODAY))


@pytest.fixture(scope="module")
def union(graphs) -> rdflib.Graph:
    graph = rdflib.Graph()
    for page in graphs:
        for triple in page.triples:
            graph.add(triple)
    return graph


def test_the_whole_graph_matches_the_reviewed_golden_file(graphs):
    """tests/fixtures/rdf/expected.nt is the fixture's graph, sorted N-Triples, read and checked by
    hand. Regenerate with `vaultc export tests/fixtures/rdf/vault --format ntriples --today
    2026-11-22 | sort` after a deliberate change, and review the diff."""
    got = set(export(graphs, "ntriples").decode().splitlines())
    expected = set(GOLDEN.read_text(encoding="utf-8").splitlines())
    assert sorted(got - expected) == [] and sorted(expected - got) == []


def test_one_named_graph_per_page_named_by_the_page_iri(graphs):
    assert len(graphs) == 15 + 1  # and the compilation's
    assert graphs[-1].name == URIRef(ID + "vaultc") and graphs[-1].path == ""
    for page in graphs[:-1]:
        assert page.name == iri(page.path[:-3].replace(" ", "%20"))
        # a page's graph speaks only about the page and its claims
        assert {s for s, _, _ in page.triples} <= {page.name} | {s for s in _claims(page)}


def _claims(page: PageGraph):
    return {o for s, p, o in page.triples if p == VC.hasClaim}


def test_every_page(union):
    me = iri("notes/Reading%20list")
    assert set(union.objects(me, RDF.type)) == {VC.Page}  # a note has no class of its own
    assert union.value(me, VC.path) == Literal("notes/Reading list.md")
    assert union.value(me, DCTERMS.title) == Literal("Reading list")
    assert union.value(me, SKOS.prefLabel) == Literal("Reading list")
    assert set(union.objects(me, VC.danglingLink)) == {Literal("Missing page")}
    assert set(union.objects(me, VC.linksTo)) == {iri("sources/TrendForce%20HBM%20report")}
    sector = iri("sectors/Semiconductors")
    assert union.value(sector, DCTERMS.modified) == Literal("2026-10-01", datatype=XSD.date)
    assert (sector, VC.linksTo, sector) not in union  # [[#Heading]] is a place in the page, not a link


def test_ticker(union):
    nvda = iri("tickers/NVDA")
    assert set(union.objects(nvda, RDF.type)) == {VC.Page, VC.Ticker, SCHEMA.Corporation}
    assert union.value(nvda, SCHEMA.tickerSymbol) == Literal("NVDA")
    assert union.value(nvda, SCHEMA.name) == Literal("NVIDIA Corporation")
    assert union.value(nvda, SKOS.prefLabel) == Literal("NVIDIA Corporation")  # `name`, not the H1
    assert union.value(nvda, DCTERMS.title) == Literal("NVIDIA")
    assert set(union.objects(nvda, SCHEMA.alternateName)) == {Literal("NVIDIA")}
    assert union.value(iri("tickers/TSM"), SCHEMA.tickerSymbol) == Literal("2330")  # a string, not a number


def test_frontmatter_edges_resolve_through_aliases(union):
    nvda = iri("tickers/NVDA")
    assert set(union.objects(nvda, VC.inSector)) == {iri("sectors/Semiconductors")}
    assert set(union.objects(nvda, VC.inLayer)) == {iri("layers/Compute")}
    # [[HBM]] and [[Grid power]] are aliases of the two constraint pages
    assert set(union.objects(nvda, VC.exposedTo)) == {iri("constraints/HBM%20supply"), iri("constraints/Power")}
    assert set(union.objects(iri("compare/NVDA%20vs%20AMD"), VC.compares)) == {nvda, iri("tickers/AMD")}
    amd = iri("tickers/AMD")
    assert set(union.objects(amd, VC.exposedTo)) == {iri("constraints/HBM%20supply")}
    assert set(union.objects(amd, VC.danglingLink)) == {Literal("Financing")}  # the dangling constraint


def test_links_cites_and_inline_fields(union):
    nvda = iri("tickers/NVDA")
    sources = {iri("sources/TrendForce%20HBM%20report"), iri("sources/SemiAnalysis%20GB200%20BOM")}
    assert set(union.objects(nvda, VC.cites)) == sources
    assert iri("assets/chart.png") in set(union.objects(nvda, VC.linksTo))  # an attachment keeps its extension
    assert sources <= set(union.objects(nvda, VC.linksTo))
    assert set(union.objects(nvda, VC["supplier"])) == {iri("tickers/MU")}
    assert set(union.objects(nvda, VC["competes_with"])) == {iri("tickers/AMD")}  # spaces become _
    assert set(union.objects(iri("tickers/MU"), VC["main_rival"])) == {iri("tickers/AMD")}  # [key:: [[X]]]
    for typed in (VC.inSector, VC.inLayer, VC.exposedTo, VC.compares, VC.cites, VC["supplier"]):
        for s, o in union.subject_objects(typed):
            assert (s, VC.linksTo, o) in union


def test_layers_constraints_sources(union):
    layer = iri("layers/Compute")
    assert set(union.objects(layer, RDF.type)) == {VC.Page, VC.Layer, SKOS.Concept}
    assert union.value(layer, SKOS.notation) == Literal("L1")
    constraint = iri("constraints/HBM%20supply")
    assert set(union.objects(constraint, RDF.type)) == {VC.Page, VC.Constraint, SKOS.Concept}
    bom = iri("sources/SemiAnalysis%20GB200%20BOM")
    assert set(union.objects(bom, RDF.type)) == {VC.Page, VC.Source, PROV.Entity}
    assert union.value(bom, DCTERMS.creator) == iri("sources/Dylan%20Patel")  # author given as a link
    assert union.value(bom, DCTERMS.publisher) == Literal("SemiAnalysis")
    assert union.value(bom, DCTERMS.issued) == Literal("2025-07-14", datatype=XSD.date)
    assert union.value(bom, SCHEMA.url) == URIRef("https://example.org/gb200-bom")
    report = iri("sources/TrendForce%20HBM%20report")
    assert union.value(report, DCTERMS.creator) == Literal("Avril Wu")


def claim_iri(page: str, text: str) -> URIRef:
    """VAULT-SPEC §3: the page's IRI + #claim- + 12 hex digits of the SHA-256 of the text."""
    import hashlib

    return URIRef(ID + page + "#claim-" + hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:12])


def test_claims(union):
    claim = claim_iri("tickers/NVDA", "The Blackwell Ultra ramp is expected by Q2 2026 per SemiAnalysis GB200 BOM.")
    assert (iri("tickers/NVDA"), VC.hasClaim, claim) in union
    assert union.value(claim, RDF.type) == VC.Claim
    assert union.value(claim, VC.kind) == Literal("forecast")
    assert union.value(claim, VC.status) == Literal("overdue")
    assert union.value(claim, VC.line) == Literal(17, datatype=XSD.integer)
    assert union.value(claim, VC.start) == Literal("2026-04-01", datatype=XSD.date)
    assert union.value(claim, VC.end) == Literal("2026-06-30", datatype=XSD.date)
    assert "expected by Q2 2026" in union.value(claim, VC.text)
    # the source linked on the claim's own line, and only that one
    assert set(union.objects(claim, PROV.wasDerivedFrom)) == {iri("sources/SemiAnalysis%20GB200%20BOM")}
    stale = claim_iri("tickers/NVDA", "As of March 2025, data-centre revenue share was 88%.")
    assert union.value(stale, VC.status) == Literal("stale")
    assert set(union.objects(stale, PROV.wasDerivedFrom)) == set()


def test_base_iri_is_configurable_and_paths_are_percent_encoded(make_vault):
    vault = make_vault({
        "vaultc.toml": 'base_iri = "https://example.org/kg/"\n',
        "Ünïcode page (draft).md": "# Draft\n\nSee [[Other]].\n",
        "Other.md": "# Other\n",
    })
    graphs = page_graphs(compile_vault(vault, load_config(vault), TODAY))
    names = {g.path: str(g.name) for g in graphs}
    assert names["Other.md"] == "https://example.org/kg/Other"
    assert names["Ünïcode page (draft).md"] == "https://example.org/kg/%C3%9Cn%C3%AFcode%20page%20%28draft%29"


def test_shacl_validation_passes(graphs):
    result = validate(graphs)
    assert result.conforms, result.report


def test_shacl_shapes_catch_a_malformed_graph(graphs):
    bad = URIRef(ID + "bad")
    broken = PageGraph("bad.md", bad, (
        (bad, RDF.type, VC.Page), (bad, VC.path, Literal("bad.md")),  # no title, no label
        (bad, VC.hasClaim, URIRef(ID + "bad#claim-1")),
        (URIRef(ID + "bad#claim-1"), RDF.type, VC.Claim),
        (URIRef(ID + "bad#claim-1"), VC.kind, Literal("guess")),
        (bad, VC.inLayer, iri("layers/Compute")),  # a typed edge without its vc:linksTo
    ))
    result = validate([*graphs, broken])
    assert not result.conforms
    for expected in ("dcterms:title", "vc:kind", "vc:start", "typed edge without the matching vc:linksTo"):
        assert expected in result.report


def test_vocabulary_declares_every_term_with_a_label_and_comment():
    vocabulary = rdflib.Graph().parse(data=resource_text("vaultc.ttl"), format="turtle")
    for name in VC.names:
        term = VC[name]
        assert vocabulary.value(term, RDFS.label), f"vc:{name} has no rdfs:label"
        assert vocabulary.value(term, RDFS.comment), f"vc:{name} has no rdfs:comment"
    declared = {s for s in vocabulary.subjects() if str(s).startswith(VC.iri)}
    assert declared == {VC[name] for name in VC.names}
    # and both shipped Turtle files parse in Oxigraph too
    for name in ("vaultc.ttl", "shapes.ttl"):
        assert list(ox.parse(resource_text(name), format=ox.RdfFormat.TURTLE))


@pytest.mark.parametrize("fmt, ox_format, rdflib_format", [
    ("turtle", ox.RdfFormat.TURTLE, "turtle"),
    ("ntriples", ox.RdfFormat.N_TRIPLES, "nt"),
])
def test_triple_exports_load_into_oxigraph_and_rdflib_alike(graphs, fmt, ox_format, rdflib_format):
    data = export(graphs, fmt)
    in_oxigraph = ox.Store()
    in_oxigraph.load(data, format=ox_format)
    in_rdflib = rdflib.Graph().parse(data=data, format=rdflib_format)
    assert len(in_oxigraph) == len(in_rdflib) == sum(len(g.triples) for g in graphs)


@pytest.mark.parametrize("fmt, ox_format, rdflib_format", [
    ("trig", ox.RdfFormat.TRIG, "trig"),
    ("jsonld", ox.RdfFormat.JSON_LD, "json-ld"),
])
def test_dataset_exports_keep_one_named_graph_per_page(graphs, fmt, ox_format, rdflib_format):
    data = export(graphs, fmt)
    expected = {(str(s), str(p), str(o), str(g)) for s, p, o, g in quads(graphs)}
    in_oxigraph = ox.Store()
    in_oxigraph.load(data, format=ox_format)
    assert {(q.subject.value, q.predicate.value, q.object.value, q.graph_name.value) for q in in_oxigraph} == expected
    in_rdflib = rdflib.Dataset().parse(data=data, format=rdflib_format)
    assert {(str(s), str(p), str(o), str(g)) for s, p, o, g in in_rdflib.quads()} == expected
    assert len({q.graph_name for q in in_oxigraph}) == len(graphs)


def test_export_command_writes_the_file_atomically_and_validates(run, tmp_path):
    out = tmp_path / "out" / "graph.ttl"
    code, stdout, stderr = run("export", VAULT, "--format", "turtle", "-o", out, "--today", "2026-11-22", "--validate")
    assert code == 0, stderr
    assert stdout == ""
    assert sorted(p.name for p in out.parent.iterdir()) == ["graph.ttl"]  # no temporary file left
    loaded = rdflib.Graph().parse(out, format="turtle")
    assert len(loaded) == len(GOLDEN.read_text().splitlines())


def test_export_command_to_stdout(run):
    code, stdout, _ = run("export", VAULT, "--format", "ntriples", "--today", "2026-11-22")
    assert code == 0
    assert set(stdout.splitlines()) == set(GOLDEN.read_text(encoding="utf-8").splitlines())


def test_export_refuses_an_unknown_format(run):
    code, _, stderr = run("export", VAULT, "--format", "rdfxml")
    assert code == 2 and stderr.count("\n") == 1


def test_turtle_export_uses_the_declared_prefixes(graphs):
    text = export(graphs, "turtle").decode()
    assert "@prefix vc: <https://w3id.org/vaultc#> ." in text
    assert "vc:inLayer" in text and "schema:tickerSymbol" in text
    assert io.StringIO(text).readline().startswith("@prefix")


def test_vault_without_pages_exports_an_empty_graph(make_vault):
    vault = make_vault({"assets/a.png": b"\x89PNG"})
    graphs = page_graphs(compile_vault(vault, load_config(vault), TODAY))
    assert [g.name for g in graphs] == [URIRef(ID + "vaultc")]  # the compilation alone: 0 pages
    assert b"pageCount" in export(graphs, "ntriples")


def test_a_ticker_without_its_symbol_is_a_shacl_warning_not_a_failure(make_vault):
    vault = make_vault({"NoSymbol.md": "---\ntype: ticker\nname: Nameless Inc\n---\n# Nameless\n"})
    result = validate(page_graphs(compile_vault(vault, load_config(vault), TODAY)))
    assert result.conforms
    assert "a ticker page without frontmatter `ticker`" in result.report


# --- VAULT-SPEC §3 values, identity and the compilation: competency questions --------------------

def _competency_vault(make_vault, nvda_top: str = ""):
    return make_vault({
        "tickers/NVDA.md": nvda_top + "---\ntype: ticker\nticker: NVDA\nexchange: NASDAQ\nfiscal_year_end: January\n"
                           "market_cap: 3.2T\nemployees: 36000\ntags: [ai, gpu]\n---\n# NVIDIA\n\nrating:: buy\n"
                           "target:: 175.5\n\nAs of March 2026 the backlog was $320B per [[Note]].\n",
        "tickers/AMD.md": "---\ntype: ticker\nticker: AMD\nexchange: NASDAQ\nemployees: 26000\n---\n# AMD\n\n"
                          "rating:: hold\n",
        "tickers/TSM.md": "---\ntype: ticker\nticker: TSM\nexchange: NYSE\nemployees: 76000\ntags: [foundry]\n---\n# TSMC\n\n"
                          "rating:: buy\npath:: [[Note]]\nkind:: custom\n",
        "Note.md": "---\ntype: source\naliases: [A note]\n---\n# Note\n",
    })


def _select(vault: Path, sparql: str, today: str = "2026-11-22") -> list[tuple[str, ...]]:
    from compiler.analyse import compile_vault
    from compiler.config import load_config
    from compiler.rdf.emit import page_graphs, quads
    from compiler.rdf.query import run
    from compiler.rdf.store import oxigraph_store

    compiled = compile_vault(vault, load_config(vault), dt.date.fromisoformat(today))
    answer = run(oxigraph_store(quads(page_graphs(compiled))), sparql, compiled.config.base_iri)
    return sorted(tuple(cell[1] for cell in row) for row in answer.rows)  # each cell: (kind, value, type, lang)


def test_competency_tickers_by_exchange_rating_and_a_number(make_vault):
    vault = _competency_vault(make_vault)
    rows = _select(vault, 'SELECT ?t WHERE { ?c vc:exchange "NASDAQ" ; vc:rating "buy" ; schema:tickerSymbol ?t }')
    assert rows == [("NVDA",)]
    rows = _select(vault, "SELECT ?t WHERE { ?c vc:employees ?n ; schema:tickerSymbol ?t FILTER(?n > 30000) }")
    assert rows == [("NVDA",), ("TSM",)]
    rows = _select(vault, "SELECT ?t WHERE { ?c vc:target ?p ; schema:tickerSymbol ?t FILTER(?p > 100.0) }")
    assert rows == [("NVDA",)]
    assert _select(vault, 'SELECT ?t WHERE { ?c vc:tag "gpu" ; schema:tickerSymbol ?t }') == [("NVDA",)]
    assert _select(vault, "SELECT ?m WHERE { ?c schema:tickerSymbol 'NVDA' ; vc:fiscalYearEndMonth ?m }") == [("1",)]
    assert _select(vault, "SELECT ?a WHERE { ?p skos:altLabel ?a }") == [("A note",)]


def test_a_claim_keeps_its_iri_when_lines_move(make_vault, tmp_path):
    query = "SELECT ?c WHERE { ?p vc:hasClaim ?c }"
    before = _select(_competency_vault(make_vault), query)
    moved = _competency_vault(lambda files: make_vault(files, name="moved"), nvda_top="")
    (moved / "tickers/NVDA.md").write_text("\n" + (moved / "tickers/NVDA.md").read_text().replace("# NVIDIA", "\n\n# NVIDIA"))
    assert before and _select(moved, query) == before
    sources = _select(moved, "SELECT ?s WHERE { ?c a vc:Claim ; prov:wasDerivedFrom ?s }")
    assert sources == [(ID + "Note",)]


def test_the_compilation_says_the_day_its_statuses_were_judged_on(make_vault):
    vault = _competency_vault(make_vault)
    rows = _select(vault, "SELECT ?d ?n WHERE { GRAPH ?g { ?x a vc:Compilation ; vc:today ?d ; vc:pageCount ?n } }",
                   today="2027-01-05")
    assert rows == [("2027-01-05", "4")]


def test_reserved_fields_are_findings_and_not_exported(make_vault, check_json):
    vault = _competency_vault(make_vault)
    found = [(f["rule"], f["path"], f["line"]) for f in check_json(vault, "--select", "reserved-field")["findings"]]
    assert found == [("reserved-field", "tickers/TSM.md", 11), ("reserved-field", "tickers/TSM.md", 12)]
    assert _select(vault, "SELECT ?o WHERE { ?s vc:path ?o FILTER(?o != 'tickers/TSM.md' && STRSTARTS(STR(?s), 'x')) }") == []
    assert _select(vault, "SELECT ?o WHERE { ?s vc:kind ?o FILTER(?o = 'custom') }") == []


def test_typed_edges_must_lead_to_pages_of_their_kind(make_vault):
    """`layers: [[X]]` naming a note, `constraints:` naming a ticker: SHACL says so; the same
    edges to a layer and a constraint page conform."""
    vault = make_vault({
        "L1.md": "---\ntype: layer\n---\n# L1\n",
        "Power.md": "---\ntype: constraint\n---\n# Power\n",
        "Some note.md": "# Some note\n",
        "AAA.md": '---\ntype: ticker\nticker: AAA\nlayers: ["[[L1]]"]\nconstraints: ["[[Power]]"]\n---\n# AAA\n',
        "BBB.md": '---\ntype: ticker\nticker: BBB\nlayers: ["[[Some note]]"]\nconstraints: ["[[AAA]]"]\n---\n# BBB\n',
    })
    result = validate(page_graphs(compile_vault(vault, load_config(vault), TODAY)))
    assert not result.conforms
    focus = [line for line in result.report.splitlines() if "Focus Node" in line]
    assert len(focus) == 2 and all(line.strip().endswith("/BBB>") for line in focus), result.report
    assert "vc:Layer" in result.report and "vc:Constraint" in result.report


def test_vocabulary_axioms_version_and_licence():
    vocabulary = rdflib.Graph().parse(data=resource_text("vaultc.ttl"), format="turtle")
    ontology = URIRef("https://w3id.org/vaultc")
    OWL = rdflib.Namespace("http://www.w3.org/2002/07/owl#")
    assert vocabulary.value(ontology, OWL.versionIRI) == URIRef("https://w3id.org/vaultc/1")
    assert vocabulary.value(ontology, URIRef("http://purl.org/dc/terms/license")) == URIRef("https://spdx.org/licenses/MIT")
    concept = URIRef("http://www.w3.org/2004/02/skos/core#Concept")
    for cls, parent in ((VC.Ticker, URIRef("http://schema.org/Corporation")), (VC.Layer, concept),
                        (VC.Source, URIRef("http://www.w3.org/ns/prov#Entity")), (VC.Constraint, concept)):
        assert (cls, rdflib.RDFS.subClassOf, parent) in vocabulary
    for edge, target in ((VC.inSector, VC.Sector), (VC.inLayer, VC.Layer), (VC.exposedTo, VC.Constraint),
                         (VC.compares, VC.Ticker)):
        assert vocabulary.value(edge, rdflib.RDFS.range) == target

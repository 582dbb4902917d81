"""What the endpoint shows without a query: a minimal HTML query page for people, and a SPARQL 1.1
Service Description for tools.
"""
from __future__ import annotations

import html as _html
import json
from collections.abc import Mapping

import pyoxigraph as ox

from .vocab import PREFIXES

_SD_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD, "ntriples": ox.RdfFormat.N_TRIPLES}


def service_description(endpoint: str, triples: int, fmt: str, named: list[tuple[str, int]] = ()) -> bytes:
    """The SPARQL 1.1 Service Description: what the endpoint answers, its default graph (the union)
    and each page's named graph with its size (`named`: (graph IRI, triples))."""
    graphs = "".join(f" ;\n        sd:namedGraph [ a sd:NamedGraph ; sd:name <{name}> ; "
                     f"sd:graph [ a sd:Graph ; void:triples {count} ] ]" for name, count in named)
    turtle = f"""
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix formats: <http://www.w3.org/ns/formats/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{endpoint}> a sd:Service ;
    rdfs:comment "vaultc: the vault's knowledge graph, read-only. Every page is a named graph; the default graph is their union. Updates, LOAD and SERVICE are refused." ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph ;
    sd:resultFormat formats:SPARQL_Results_JSON, formats:SPARQL_Results_XML, formats:SPARQL_Results_CSV,
        formats:SPARQL_Results_TSV, formats:Turtle, formats:JSON-LD, formats:N-Triples, formats:RDF_XML ;
    sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ; void:triples {triples} ]{graphs} ] .
"""
    graph = ox.parse(turtle, format=ox.RdfFormat.TURTLE)
    prefixes = {"sd": "http://www.w3.org/ns/sparql-service-description#", "void": "http://rdfs.org/ns/void#",
                "formats": "http://www.w3.org/ns/formats/", "rdfs": PREFIXES["rdfs"]}
    return ox.serialize(graph, format=_SD_FORMATS[fmt], prefixes=prefixes) or b""


def html(canned: Mapping[str, str]) -> str:
    """One page: a query box, the canned queries to start from, results as a table. The results
    are written with textContent, never as HTML, so vault text cannot inject markup."""
    first = next(iter(canned.values()), "SELECT * WHERE { ?s ?p ?o } LIMIT 20")
    options = "".join(f"<option>{_html.escape(name)}</option>" for name in canned)
    data = json.dumps(dict(canned)).replace("</", "<\\/")
    prefixes = " ".join(f"{p}:" for p in PREFIXES)
    return _PAGE.format(options=options, query=_html.escape(first), data=data, prefixes=_html.escape(prefixes))


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>vaultc SPARQL</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; }}
textarea {{ width: 100%; height: 14em; font: 13px ui-monospace, monospace; }}
table {{ border-collapse: collapse; margin-top: 1em; }}
th, td {{ border: 1px solid #ccc; padding: 2px 8px; text-align: left; vertical-align: top; }}
#status {{ color: #555; margin-left: 1em; }}
</style></head>
<body>
<h1>vaultc SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 over the vault's knowledge graph; the default graph is the union of the page
graphs. Declared prefixes: <code>{prefixes}</code>.
Canned queries: <select id="canned">{options}</select></p>
<form id="form" action="sparql" method="get">
<textarea id="query" name="query" spellcheck="false">{query}</textarea>
<p><button type="submit">Run</button><span id="status"></span></p>
</form>
<div id="out"></div>
<script>
const canned = {data};
const $ = (id) => document.getElementById(id);
$("canned").onchange = () => {{ $("query").value = canned[$("canned").value]; }};
$("form").onsubmit = async (event) => {{
  event.preventDefault();
  $("status").textContent = "running…";
  const out = $("out"); out.replaceChildren();
  const started = performance.now();
  const response = await fetch("sparql?partial=true", {{ method: "POST", body: $("query").value,
    headers: {{ "Content-Type": "application/sparql-query",
               "Accept": "application/sparql-results+json, text/turtle;q=0.9" }} }});
  const took = Math.round(performance.now() - started);
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok || !type.includes("json")) {{
    const pre = document.createElement("pre"); pre.textContent = await response.text(); out.append(pre);
    $("status").textContent = response.ok ? `${{took}} ms` : `error ${{response.status}}`;
    return;
  }}
  const data = await response.json();
  if ("boolean" in data) {{ out.textContent = String(data.boolean); $("status").textContent = `${{took}} ms`; return; }}
  const table = document.createElement("table");
  const head = table.insertRow();
  for (const name of data.head.vars) {{ const th = document.createElement("th"); th.textContent = name; head.append(th); }}
  for (const row of data.results.bindings) {{
    const tr = table.insertRow();
    for (const name of data.head.vars) {{ tr.insertCell().textContent = row[name] ? row[name].value : ""; }}
  }}
  out.append(table);
  const cut = response.headers.get("Vaultc-Truncated") ? " (the first rows only: the answer has more)" : "";
  $("status").textContent = `${{data.results.bindings.length}} rows${{cut}}, ${{took}} ms`;
}};
</script>
</body></html>
"""

"""Query blocks (VAULT-SPEC §1): ```sparql fences run at compile time with ?this bound to the page;
`check` reports the ones that do not answer, the site shows the answers, and an answer is run
again only when the triples its query reads change."""
from __future__ import annotations

import datetime as dt
import re

from compiler.cache import open_cache
from compiler.compile import compile
from compiler.config import load_config

TODAY = dt.date(2026, 11, 22)
BASE = "https://w3id.org/vaultc/id/"

LAYER = """---
type: layer
title: "L1: Chips"
---
# L1: Chips

Companies on this layer:

```sparql
SELECT ?company ?name WHERE { ?company vc:inLayer ?this ; dcterms:title ?name } ORDER BY ?name
```

```sparql
ASK { ?c vc:inLayer ?this }
```

```sparql
CONSTRUCT { ?c vc:inLayer ?this } WHERE { ?c vc:inLayer ?this }
```

```sparql
SELEC ?broken
```

```sparql
SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r }
```

Written as code, not run:

```sql
SELECT 1
```
"""


def ticker(symbol: str, layer: str = "L1") -> str:
    return f"---\ntype: ticker\nticker: {symbol}\nlayers: [\"[[{layer}]]\"]\n---\n# {symbol} Corp\n\nMakes chips.\n"


def vault_files() -> dict[str, str]:
    return {
        "vaultc.toml": "query_timeout = 1\n",
        "layers/L1.md": LAYER,
        "layers/L2.md": "---\ntype: layer\n---\n# L2\n",
        "tickers/AAA.md": ticker("AAA"),
        "tickers/BBB.md": ticker("BBB"),
        "notes/Unrelated.md": "# Unrelated\n\nSome prose.\n",
    }


def compiled(root, store=None):
    return compile(root, load_config(root), TODAY, store=store)


def test_check_reports_the_blocks_that_do_not_answer(make_vault, check_json):
    vault = make_vault(vault_files())
    for extra in ((), ("--no-cache",)):
        data = check_json(vault, *extra)
        errors = [(f["path"], f["line"], f["message"].split(":")[0]) for f in data["findings"]
                  if f["rule"] == "query-error"]
        assert errors == [("layers/L1.md", 21, "query syntax error"),
                          ("layers/L1.md", 25, "the query ran past its time limit of 1 s")]


def test_answers_stand_where_the_blocks_stand(make_vault):
    vault = compiled(make_vault(vault_files()))
    answers = vault.answers.by_block
    assert sorted(answers) == [("layers/L1.md", n) for n in (9, 13, 17, 21, 25)]
    select = answers[("layers/L1.md", 9)]
    assert select.variables == ("company", "name")
    assert [(row[0][1], row[1][1]) for row in select.rows] == [
        (BASE + "tickers/AAA", "AAA Corp"), (BASE + "tickers/BBB", "BBB Corp")]
    assert answers[("layers/L1.md", 13)].boolean is True
    triples = answers[("layers/L1.md", 17)].rows
    assert sorted(t[0][1] for t in triples) == [BASE + "tickers/AAA", BASE + "tickers/BBB"]
    assert {t[2][1] for t in triples} == {BASE + "layers/L1"}


def test_an_answer_runs_again_only_when_what_it_reads_changes(make_vault):
    root = make_vault(vault_files())
    store = open_cache(root, load_config(root))
    first = compiled(root, store).answers
    assert len(first.ran) == 5
    store.next_run()
    assert compiled(root, store).answers.ran == []  # nothing changed
    (root / "notes/Unrelated.md").write_text("# Unrelated\n\nOther prose, no triple changes.\n")
    store.next_run()
    assert compiled(root, store).answers.ran == []
    (root / "tickers/BBB.md").write_text(ticker("BBB", layer="L2"))  # BBB leaves L1
    store.next_run()
    vault = compiled(root, store)
    # the three queries reading vc:inLayer, and the one reading every triple; the one rdflib
    # cannot read is taken to read every triple too
    assert sorted(vault.answers.ran) == [("layers/L1.md", n) for n in (9, 13, 17, 21, 25)]
    rows = vault.answers.by_block[("layers/L1.md", 9)].rows
    assert [row[1][1] for row in rows] == ["AAA Corp"]


def test_the_site_shows_the_answers(make_vault, tmp_path):
    from compiler.site.emitter import emit_site

    vault = compiled(make_vault(vault_files()))
    emit_site(vault, tmp_path / "docs", jobs=1)
    page = (tmp_path / "docs/layers/L1.md").read_text()
    assert ('<tr><td><a href="../tickers/AAA.md">AAA Corp</a></td><td>AAA Corp</td></tr>\n'
            '<tr><td><a href="../tickers/BBB.md">BBB Corp</a></td><td>BBB Corp</td></tr>') in page
    assert '<p class="vaultc-ask">Yes</p>' in page
    assert '<td><a href="../tickers/AAA.md">AAA Corp</a></td><td><code>vc:inLayer</code></td>' in page
    assert re.search(r'<p class="admonition-title">Query error</p><p>query syntax error', page)
    assert "ran past its time limit of 1 s" in page
    assert page.count('<details class="quote"><summary>SPARQL query</summary>') == 5
    assert '<code class="language-sql">SELECT 1' in page  # other code stays code


def test_a_shared_vault_s_blocks_cannot_reach_out_or_write(make_vault):
    vault = compiled(make_vault({
        "a.md": "```sparql\nSELECT * WHERE { # x\rSERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }\n```\n\n"
                "```sparql\nINSERT DATA { <a> <b> <c> }\n```\n\n"
                "```sparql\nSELECT (STRLEN(GROUP_CONCAT(?o)) AS ?n) WHERE { ?s ?p ?o }\n```\n",
    }))
    errors = {line: message for path, line, message in vault.query_errors}
    assert "SERVICE (federated query) is refused" in errors[1]
    assert "SPARQL Update (INSERT) is refused" in errors[6]  # the \r ended a line: one more before it
    assert 10 not in errors and len(errors) == 2


def test_select_star_answers_keep_the_query_s_column_order(make_vault):
    vault = compiled(make_vault({**vault_files(), "layers/L2.md": "# L2\n\n```sparql\n"
                                 "SELECT * WHERE { ?zebra vc:inLayer ?apple . ?apple dcterms:title ?mango }\n```\n"}))
    assert vault.answers.by_block[("layers/L2.md", 3)].variables == ("zebra", "apple", "mango")

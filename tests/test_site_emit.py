"""The site emitter on the `features` fixture vault, without running MkDocs: link rewriting, toc
anchors, embeds and their cycles, callouts, media, tags, dangling text, claim markers, generated
pages, and rewriting only what changed."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from compiler.analyse import compile_vault
from compiler.cache import ParseCache
from compiler.config import Config
from compiler.site.emitter import emit_site
from compiler.site.context import Site
from compiler.site.emitter import RENDER_KEYS
from compiler.site.writer import DocsDirError
from conftest import FIXTURES

VAULT = FIXTURES / "site" / "features"
TODAY = dt.date(2026, 11, 22)


def compiled(root: Path = VAULT):
    return compile_vault(root, Config(), TODAY)


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("features") / "docs"
    emit_site(compiled(), out)
    return out


def read(docs: Path, rel: str) -> str:
    return (docs / rel).read_text(encoding="utf-8")


def body(docs: Path, rel: str) -> str:
    """A vault page's HTML, after its metadata."""
    return read(docs, rel).split("\n---\n", 1)[1]


def test_wikilinks_become_relative_links_with_toc_anchors(docs):
    links = body(docs, "notes/Links.md")
    assert 'Plain: <a href="Some%20Page.md">Some Page</a>.' in links
    assert 'Shown: <a href="Some%20Page.md">the page</a>.' in links
    assert '<a href="Some%20Page.md#section-one">Some Page &gt; Section One</a>' in links
    assert '<a href="Some%20Page.md#dup">Some Page &gt; Parent &gt; Dup</a>' in links  # the Dup inside Parent
    assert '<a href="Some%20Page.md#uber-emphasis-with-a-link">Some Page &gt; Über emphasis with a link</a>' in links
    assert 'Alias: <a href="Some%20Page.md">Alias Name</a>.' in links  # resolved, shown as written
    assert 'Same page: <a href="#local">Local</a>.' in links
    assert 'Block: <a href="Target.md#block:block1">Target &gt; ^block1</a>.' in links
    assert '<span id="block:block1"></span>' in body(docs, "notes/Target.md")
    assert '<td>AAA</td>\n<td><a href="../tickers/AAA.md">Triple A</a></td>' in links  # `[[AAA\\|Triple A]]`
    assert "[[" not in links.split("<pre>")[0]  # every wikilink outside code was rewritten
    assert "<pre><code>[[InFence]] and #notatag" in links  # code is left alone
    # Without an alias a link shows its page's title, not the file name
    assert '<a href="../tickers/AAA.md">Triple A Holdings (AAA)</a>' in body(docs, "notes/Some Page.md") or \
        "Triple A Holdings (AAA)" in body(docs, "tickers/AAA.md")


def test_markdown_links_get_new_destinations_only(docs):
    links = body(docs, "notes/Links.md")
    assert '<a href="Some%20Page.md">md</a>,' in links
    assert '<a href="Some%20Page.md#section-one">md heading</a>,' in links  # `#Section%20One` -> its id
    assert '<a href="Some%20Page.md#section-one_1">slug</a>.' in links  # already an id: kept


def test_heading_ids_are_the_ones_toc_renders(docs):
    """The ids are toc's slugs of the headings' text, as MkDocs gave them when it rendered pages."""
    site = Site(compiled())
    html = body(docs, "notes/Some Page.md")
    rendered = re.findall(r'<h[1-6] id="([^"]+)"', html)
    expected = site.slugs("notes/Some Page.md")
    assert rendered[:len(expected)] == expected
    assert expected == ["some-page", "section-one", "parent", "dup", "dup_1", "uber-emphasis-with-a-link",
                        "code-code_span-bold-under_score", "section-one_1"]
    toc = read(docs, "notes/Some Page.md").split("vaultc_toc: ", 1)[1].split("\n", 1)[0]
    assert [slug for _, slug, _ in json.loads(toc)][:len(expected)] == expected


def test_embeds_are_transcluded_and_cycles_stop(docs):
    embeds = body(docs, "notes/Embeds.md")
    assert ('<div class="admonition embed"><p class="admonition-title"><a href="Cycle%20A.md">Cycle A</a></p>\n'
            '<p>Text of A.</p>') in embeds
    assert "<p>Text of B.</p>" in embeds
    assert '<p class="vaultc-heading"><strong>Inside A</strong></p>' in embeds  # not in the toc
    assert embeds.count("Not shown again: Cycle A is already embedded above.") == 1
    assert "Not shown again: Embeds is already embedded above." in embeds  # a page embedding itself
    assert '<a href="Some%20Page.md#section-one">Some Page › Section One</a></p>\n<p>Text of section one' in embeds
    assert "second Dup" not in embeds  # only that section
    assert '<a href="Target.md#block:block1">Target › ^block1</a></p>\n<p>A paragraph carrying a block id.</p>' in embeds
    quoted = embeds.split("<blockquote>", 1)[1].split("</blockquote>", 1)[0]  # inside a blockquote
    assert '<a href="Target.md">Target</a>' in quoted and "<li>a list item with its own id</li>" in quoted
    assert 'Inline: see ↪ <a href="Target.md">Target</a> here.' in embeds
    assert 'id="block:' not in embeds  # ids are never repeated by transclusion
    # A whole note: its title is the admonition's, so its H1 is not repeated (frontmatter or not).
    assert '<a href="../sectors/semis.md">Semiconductors</a></p>\n<p>The sector page.</p>' in embeds


def test_callouts_become_material_admonitions(docs):
    links = body(docs, "notes/Links.md")
    assert ('<div class="admonition note"><p class="admonition-title">Note</p><p>A plain note callout linking '
            '<a href="Some%20Page.md">Some Page</a>.</p></div>') in links
    assert ('<details class="warning"><summary>Folded with a <a href="Target.md">link</a> in the title</summary>'
            '<p>Body line one.</p>') in links
    assert '<div class="admonition tip"><p class="admonition-title">Tip</p><p>A nested tip.</p></div>\n</details>' in links
    assert '<div class="admonition note"><p class="admonition-title">Custom</p><p>An unknown type becomes a note.' in links
    assert "[!" not in links


def test_dangling_links_are_visible_missing_text_never_links(docs):
    links = body(docs, "notes/Links.md")
    assert '<span class="vaultc-missing" title="Missing page: Nowhere">Nowhere</span>' in links
    assert '<span class="vaultc-missing" title="Missing page: Gone.md">gone</span>' in links
    assert '<span class="vaultc-missing" title="Missing page: NoSuchTicker">shown</span>' in links
    assert "Nowhere In Frontmatter</span>" in links  # in the frontmatter panel
    assert '<a class="vaultc-missing-anchor" href="Some%20Page.md" title="Missing: Some Page#Nope">' in links
    everything = "\n".join(p.read_text() for p in docs.rglob("*.md"))
    assert not re.search(r"(\]\(|href=\")[^)\"]*(Nowhere|Gone|NoSuchTicker)", everything)
    assert 'class="vaultc-missing"' in body(docs, "notes/Embeds.md")  # a dangling embed


def test_comments_are_hidden(docs):
    links = body(docs, "notes/Links.md")
    assert "Hidden:  done." in links
    assert "Nowhere Hidden" not in links and "Nowhere Block" not in links and "%%" not in links


def test_media_embeds_keep_their_sizes(docs):
    links = body(docs, "notes/Links.md")
    assert '<img src="../assets/chart.png" alt="chart.png" width="300">' in links
    assert '<img src="../assets/chart.png" alt="alt text" width="200" height="100">' in links
    assert '<a href="../assets/report.pdf">report.pdf</a>' in links
    assert (docs / "assets" / "chart.png").read_bytes() == (VAULT / "assets" / "chart.png").read_bytes()
    assert ('<object class="vaultc-pdf" data="../assets/report.pdf#page=1" type="application/pdf" '
            'width="400" height="600"><a href="../assets/report.pdf#page=1">report.pdf</a></object>') in links


def test_tags_are_shown_once_and_link_to_a_page_per_tag(docs):
    links = read(docs, "notes/Links.md")
    front = links.split("\n---\n", 1)[0]
    assert '- "alpha"' in front and '- "beta/gamma"' in front and '- "fixture"' in front
    assert ('<a class="vaultc-tag" href="../vaultc/tags/alpha.md">#alpha</a> and '
            '<a class="vaultc-tag" href="../vaultc/tags/betagamma.md">#beta/gamma</a>') in links
    assert "not <code>#incode</code>" in links
    # shown once, under the title, as links to each tag's own page
    assert links.count('class="vaultc-tag-chip"') == 3 and "<strong>Tags</strong>" not in links
    assert '<a class="vaultc-tag-chip" href="../vaultc/tags/fixture.md">#fixture</a>' in links
    tags = read(docs, "vaultc/tags.md")
    assert '<li><a href="tags/betagamma.md">#beta/gamma</a> (1)</li>' in tags
    tag = read(docs, "vaultc/tags/betagamma.md")
    assert '<h1 id="betagamma">#beta/gamma' in tag and '<li><a href="../../notes/Links.md">Every link form</a></li>' in tag


def test_stale_and_overdue_claims_are_marked_where_they_stand(docs):
    ticker = body(docs, "tickers/AAA.md")
    assert re.search(r'<span id="line:14"></span>As of March 2025, AAA held 40% share of the market\. '
                     r'<mark class="vaultc-claim vaultc-stale" title="[^"]*">stale</mark>', ticker)
    assert ('<span id="line:16"></span>Capacity will double by Q2 2026, the company guided. '
            '<mark class="vaultc-claim vaultc-overdue"') in ticker
    health = read(docs, "vaultc/health.md")
    assert ('<td><a href="../tickers/AAA.md">Triple A Holdings (AAA)</a></td>\n'
            '<td><a href="../tickers/AAA.md#line:14">14</a></td>\n<td>March 2025 (stale)') in health
    # a dangling link's line, and one in the frontmatter
    assert '<td><a href="../notes/Links.md#line:14">14</a></td>\n<td><code>Nowhere</code></td>' in health
    assert ('<td><a href="../notes/Links.md#frontmatter">3</a></td>\n'
            '<td><code>Nowhere In Frontmatter</code></td>') in health


def test_ticker_panel_indexes_companies_and_backlinks(docs):
    ticker = body(docs, "tickers/AAA.md")
    panel = ticker.split("<span class='vaultc-panel-head' id='frontmatter'></span>", 1)[1].split("</table>", 1)[0]
    assert '<td><strong>Sector</strong></td>\n<td><a href="../sectors/semis.md">Semiconductors</a></td>' in panel
    assert '<td><strong>Layers</strong></td>\n<td><a href="../layers/L1.md">L1: Chips</a></td>' in panel
    assert '<td><strong>Constraints</strong></td>\n<td><a href="../constraints/power.md">Power</a></td>' in panel
    assert ticker.index("</h1>") < ticker.index("vaultc-panel-head")  # under the title
    tickers = read(docs, "vaultc/tickers.md")
    header = ("Ticker", "Name", "Exchange", "Layers", "Constraints", "Last reviewed", "Stale claims")
    assert "\n".join(f"<th>{name}</th>" for name in header) in tickers
    assert ('<td><a href="../tickers/AAA.md">AAA</a></td>\n<td>Triple A Holdings</td>\n<td>NYSE</td>\n'
            '<td><a href="../layers/L1.md">L1</a></td>\n<td><a href="../constraints/power.md">Power</a></td>\n'
            '<td>2026-01-15</td>\n<td>2</td>') in tickers
    for page in ("layers/L1.md", "constraints/power.md", "sectors/semis.md"):
        text = body(docs, page)
        assert '<h2 id="companies-on-this' in text and '<a href="../tickers/AAA.md">AAA</a>' in text
    power = body(docs, "constraints/power.md")
    assert ('<li><strong>ticker</strong> (1): <a href="../tickers/AAA.md">Triple A Holdings (AAA)</a></li>'
            in power)
    assert "No other page links here yet." in body(docs, "notes/Embeds.md")
    assert "<div class='vaultc-graph vaultc-local' data-root='../' data-page='constraints/power.html'>" in power
    for name in ("sectors", "sources", "layers", "constraints", "comparisons", "notes", "health", "graph", "tags"):
        assert (docs / "vaultc" / f"{name}.md").is_file()
    home = read(docs, "index.md")
    assert "<strong>13 pages</strong>" in home
    assert '<td><a href="vaultc/tickers.md">Tickers</a></td>\n<td>1</td>' in home


def test_layout_moves_only_what_mkdocs_would_skip_or_clash(docs):
    assert "A root <code>index.md</code> must not replace" in read(docs, "index-2.md")  # home page is ours
    assert (docs / "templates-vault" / "Template.md").is_file()  # MkDocs skips /templates/
    assert (docs / "notes" / "Some Page.md").is_file()  # everything else keeps its path


def test_graph_data_has_every_node_and_faint_missing_targets(docs):
    data = read(docs, "vaultc/assets/graph-data.js")
    assert data.startswith("window.VAULTC_GRAPH = {")
    import json
    graph = json.loads(data.split("=", 1)[1].strip().rstrip(";"))
    missing = [n for n in graph["nodes"] if graph["types"][n[1]] == "missing"]
    assert {n[0] for n in missing} >= {"Nowhere", "Gone.md", "NoSuchTicker"} and all(n[2] is None for n in missing)
    assert len(graph["nodes"]) >= 13 + 2
    assert {"cytoscape.min.js", "vaultc.js", "vaultc.css", "iframe-worker-shim.js"} <= {
        p.name for p in (docs / "vaultc" / "assets").iterdir()}


def test_only_changed_files_are_rewritten(tmp_path):
    vault = tmp_path / "vault"
    shutil.copytree(VAULT, vault)
    out = tmp_path / "docs"
    first = emit_site(compiled(vault), out)
    assert "notes/Links.md" in first.written
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    second = emit_site(compiled(vault), out)
    assert second.written == () and second.removed == ()
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == stamps
    target = vault / "notes" / "Target.md"
    target.write_text(target.read_text().replace("A paragraph", "An edited paragraph"))
    third = emit_site(compiled(vault), out)
    # The page and the pages that transclude it change; nothing else does.
    assert set(third.written) == {"notes/Target.md", "notes/Embeds.md"}
    (vault / "notes" / "Cycle B.md").unlink()
    fourth = emit_site(compiled(vault), out)
    assert "notes/Cycle B.md" in fourth.removed and not (out / "notes" / "Cycle B.md").exists()


def test_a_prose_edit_makes_no_generated_page_again(tmp_path, monkeypatch):
    """The index, health and tag pages and the graph data read the whole vault: an edit that
    changes nothing they show keeps them without making them; one that does makes them again."""
    import compiler.site.emitter as emitter

    vault = tmp_path / "vault"
    shutil.copytree(VAULT, vault)
    out = tmp_path / "docs"
    emit_site(compiled(vault), out)
    target = vault / "notes" / "Target.md"
    target.write_text(target.read_text().replace("A paragraph", "An edited paragraph"))
    with monkeypatch.context() as patched:
        for name in ("generated_pages", "graph_script"):
            patched.setattr(emitter, name, lambda site: pytest.fail("made again"))
        kept = emit_site(compiled(vault), out)
    assert set(kept.written) == {"notes/Target.md", "notes/Embeds.md"} and kept.removed == ()
    target.write_text(target.read_text().replace("# Target", "# Retitled target", 1))
    made = emit_site(compiled(vault), out)
    assert "vaultc/notes.md" in made.written and "vaultc/assets/graph-data.js" in made.written


def test_a_new_day_rewrites_only_what_it_changes(tmp_path):
    """A stale claim's marker says since when, not how many days: the next morning its page is
    kept, and only the pages that list findings with their ages (health, home) are rewritten."""
    out = tmp_path / "docs"
    emit_site(compiled(), out)
    ticker = body(out, "tickers/AAA.md")
    assert 'title="snapshot as of March 2025 stale since ' in ticker and "days old" not in ticker
    next_day = emit_site(compile_vault(VAULT, Config(), TODAY + dt.timedelta(days=1)), out)
    assert "tickers/AAA.md" not in next_day.written
    assert all(doc.startswith("vaultc/") or doc == "index.md" for doc in next_day.written), next_day.written
    assert body(out, "tickers/AAA.md") == ticker


def test_a_folder_vaultc_did_not_write_is_never_overwritten(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "precious.md").write_text("mine")
    with pytest.raises(DocsDirError):
        emit_site(compiled(), tmp_path / "docs")
    assert (tmp_path / "docs" / "precious.md").read_text() == "mine"
    with pytest.raises(DocsDirError):  # nor a folder inside the vault, which the next run would read
        emit_site(compiled(), VAULT / "build")
    assert not (VAULT / "build").exists()


def test_unreadable_pages_and_clashing_names(make_vault, tmp_path):
    vault = make_vault({
        "a/index.md": "# Index of a\n\n[[README]] and [[secret]] and [[broken]]\n",
        "a/README.md": "# Readme of a\n",
        ".hidden/secret.md": "# Secret\n",
        "broken.md": b"\x00\x01 not text",
    })
    out = tmp_path / "docs"
    emit_site(compile_vault(vault, Config(), TODAY), out)
    index = read(out, "a/index.md")
    assert '<a href="README-2.md">Readme of a</a>' in index  # MkDocs would serve both as a/index.html
    assert "vaultc-missing" in index and "secret" in index  # dot-folders are no pages, as in Obsidian
    assert not (out / "_hidden").exists() and not (out / ".hidden").exists()
    assert '<a href="../broken.md">broken</a>' in index
    assert "This file could not be read" in read(out, "broken.md")


def test_pages_rendered_by_worker_processes_are_the_ones_one_process_renders(tmp_path):
    """A vault above the pool's threshold has its pages, generated pages and Query page graph made
    by forked workers; the docs tree is byte for byte the one a single process writes."""
    from compiler.analyse import PARALLEL_MIN_PAGES
    from compiler.commands.site import query_data
    from compiler.compile import compile
    from synthetic import generate

    made = generate(tmp_path / "vault", PARALLEL_MIN_PAGES + 50)
    shutil.copytree(VAULT, made.root / "features")
    vault = compile(made.root, Config(), TODAY)
    serial = emit_site(vault, tmp_path / "serial", jobs=1, query=query_data(vault))
    pooled = emit_site(vault, tmp_path / "pooled", jobs=2, query=query_data(vault))
    assert serial.pages == pooled.pages > PARALLEL_MIN_PAGES
    assert sorted(serial.written) == sorted(pooled.written)
    files = sorted(p.relative_to(tmp_path / "serial") for p in (tmp_path / "serial").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "pooled") for p in (tmp_path / "pooled").rglob("*") if p.is_file())
    for rel in files:
        if rel.name == RENDER_KEYS:  # the written files' keys, and their modification times
            continue
        assert (tmp_path / "serial" / rel).read_bytes() == (tmp_path / "pooled" / rel).read_bytes(), rel


def test_home_is_a_landing_page(tmp_path):
    out = tmp_path / "docs"
    emit_site(compiled(), out, recent=[("notes/Links.md", "2026-11-20"), ("gone.md", "2026-11-19")])
    home = read(out, "index.md")
    assert '<h2 id="the-thesis">' in home and '<strong><a href="sectors/semis.md">Semiconductors</a></strong>' in home
    assert '<strong>The value chain</strong>, layer by layer: <a href="layers/L1.md">L1: Chips</a>' in home
    assert '<strong>What binds it</strong>: <a href="constraints/power.md">Power</a>' in home
    assert '<a href="tickers/AAA.md">Triple A Holdings (AAA)</a>' in home.split("most-linked companies")[1]
    # what git saw change, pages only (a file gone since is left out)
    assert '<li><a href="notes/Links.md">Every link form</a> <small>2026-11-20 (git)</small></li>' in home
    assert "gone.md" not in home
    # the health line counts what the health page counts
    line = re.search(r"<p>(\d+ findings: [^<]*)", home).group(1)
    assert line in read(out, "vaultc/health.md")


def test_recent_changes_come_from_git_history(tmp_path):
    import os
    import subprocess

    from compiler.commands.site import recent_changes

    vault = tmp_path / "repo" / "vault"
    vault.mkdir(parents=True)
    assert recent_changes(vault) == []  # not a repository
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    (vault / "a.md").write_text("# A\n")
    (vault / "b.md").write_text("# B\n")
    subprocess.run(["git", "init", "-q"], cwd=vault.parent, check=True)
    subprocess.run([*git, "add", "-A"], cwd=vault.parent, check=True)
    subprocess.run([*git, "commit", "-qm", "one", "--date", "2026-01-02T00:00:00"], cwd=vault.parent, check=True,
                   env={**os.environ, "GIT_COMMITTER_DATE": "2026-01-02T00:00:00"})
    (vault / "b.md").write_text("# B changed\n")
    subprocess.run([*git, "commit", "-qam", "two"], cwd=vault.parent, check=True,
                   env={**os.environ, "GIT_COMMITTER_DATE": "2026-03-04T00:00:00"})
    assert recent_changes(vault) == [("b.md", "2026-03-04"), ("a.md", "2026-01-02")]


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name != RENDER_KEYS}


def _edit(root: Path, rel: str, old: str | None, new: str) -> None:
    path = root / rel
    if old is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new, encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


EDITS = [  # (what, page, text replaced (None: the page is written whole), new text)
    ("prose", "tickers/NVDA.md", "\n## ", "\nA sentence added to the prose.\n\n## "),
    ("a layer's title, shown in panels and company tables", "layers/L1-chip-design.md",
     'title: "L1: Chip Design"', 'title: "L1: Chip design and EDA"'),
    ("a ticker's exchange, shown in company tables", "tickers/NVDA.md", 'exchange: "NASDAQ"', 'exchange: "NYSE"'),
    ("a heading renamed", "constraints/hbm-memory-bandwidth.md", "## Why it binds", "## Why it binds today"),
    ("a new page linking to others, with a new tag", "notes/added.md", None,
     "# Added\n\nOn [[NVDA]] and [[L1-chip-design]]. #Fresh-tag\n\n## Section\n\nText to embed. ^blk\n"),
    ("a page embedding a section and a block", "notes/embedder.md", None,
     "# Embedder\n\n![[added#Section]]\n\n![[added#^blk]]\n"),
    ("the embedded section edited", "notes/added.md", "Text to embed.", "Text to embed, rewritten."),
    ("a claim turned stale", "tickers/NVDA.md", "\n## ", "\nRevenue was $1B as of March 2020.\n\n## "),
    ("the stale claim reworded, quoted on the health page", "tickers/NVDA.md", "Revenue was $1B", "Sales were $1B"),
    ("lines added above the claims, moving every finding of the page", "tickers/NVDA.md", "\n## ",
     "\nOne line.\n\nAnother line.\n\n## "),
    ("a sector's opening prose, on the home page", "sectors/ai-infrastructure-datacenter.md",
     "means everything underneath", "means everything below"),
    ("a page removed", "notes/added.md", None, ""),
]


def test_an_emit_that_keeps_files_writes_the_tree_a_first_emit_writes(tmp_path):
    """After each kind of edit, the docs tree emitted over the last one (keeping the files whose
    render key is unchanged) is byte for byte the tree a first emit into an empty folder writes."""
    vault = tmp_path / "vault"
    shutil.copytree(Path(__file__).parent.parent / "vault", vault)
    from compiler.commands.site import query_data
    from compiler.compile import compile

    def compiled(root, store=None):  # the Vault every command reads: with its RDF graph
        return compile(root, Config(), TODAY, store=store)

    def kept_emit():  # as `vaultc site` does: with the store, which keeps each page's digests
        cache = ParseCache(tmp_path / "store")
        vault_now = compiled(vault, cache)
        cache.next_run()
        emit_site(vault_now, kept, jobs=1, query=query_data(vault_now))  # the Query page's graph too
        cache.flush()

    kept = tmp_path / "kept"
    kept_emit()
    for n, (what, rel, old, new) in enumerate(EDITS):
        if new == "":
            (vault / rel).unlink()
        else:
            _edit(vault, rel, old, new)
        kept_emit()
        vault_now = compiled(vault)
        fresh = tmp_path / f"fresh-{n}"
        emit_site(vault_now, fresh, jobs=1, query=query_data(vault_now))
        first, second = _tree(kept), _tree(fresh)
        assert first.keys() == second.keys(), what
        assert [doc for doc in first if first[doc] != second[doc]] == [], what

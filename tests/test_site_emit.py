"""The site emitter on the `features` fixture vault, without running MkDocs: link rewriting, toc
anchors, embeds and their cycles, callouts, media, tags, dangling text, claim markers, generated
pages, and rewriting only what changed."""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import markdown
import pytest

from compiler.analyse import compile_vault
from compiler.config import Config
from compiler.site import emit_site
from compiler.site.context import Site
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


def test_wikilinks_become_relative_links_with_toc_anchors(docs):
    links = read(docs, "notes/Links.md")
    assert "Plain: [Some Page](Some%20Page.md)." in links
    assert "Shown: [the page](Some%20Page.md)." in links
    assert "[Some Page > Section One](Some%20Page.md#section-one)" in links
    assert "[Some Page > Parent > Dup](Some%20Page.md#dup)" in links  # the Dup inside Parent
    assert "[Some Page > Über emphasis with a link](Some%20Page.md#uber-emphasis-with-a-link)" in links
    assert "Alias: [Alias Name](Some%20Page.md)." in links  # aliases resolve at compile time
    assert "Same page: [Local](#local)." in links
    assert "Block: [Target > ^block1](Target.md#block:block1)." in links
    assert "<span id='block:block1'></span>" in read(docs, "notes/Target.md")
    assert "| AAA | [Triple A](../tickers/AAA.md) |" in links  # `[[AAA\|Triple A]]` in a table
    assert "[[" not in links.split("```")[0]  # every wikilink outside code was rewritten
    assert "[[InFence]] and #notatag" in links  # code is left alone


def test_markdown_links_get_new_destinations_only(docs):
    links = read(docs, "notes/Links.md")
    assert "[md](Some%20Page.md)," in links
    assert "[md heading](Some%20Page.md#section-one)," in links  # `#Section%20One` -> toc id
    assert "[slug](Some%20Page.md#section-one_1)." in links  # already a toc id: kept


def test_heading_ids_are_the_ones_toc_renders(docs):
    """Render the emitted page with Python-Markdown's toc (as MkDocs does) and compare ids."""
    site = Site(compiled())
    text = read(docs, "notes/Some Page.md").split("\n---\n", 1)[1]
    md = markdown.Markdown(extensions=["toc", "attr_list", "md_in_html", "admonition", "tables"])
    html = md.convert(text)
    rendered = re.findall(r'<h[1-6] id="([^"]+)"', html)
    expected = site.slugs("notes/Some Page.md")
    assert rendered[:len(expected)] == expected
    assert expected == ["some-page", "section-one", "parent", "dup", "dup_1", "uber-emphasis-with-a-link",
                        "code-code_span-bold-under_score", "section-one_1"]


def test_embeds_are_transcluded_and_cycles_stop(docs):
    embeds = read(docs, "notes/Embeds.md")
    assert '!!! embed "[Cycle A](Cycle%20A.md)"' in embeds
    assert "    Text of A." in embeds and "        Text of B." in embeds
    assert "    **Inside A**" in embeds  # headings inside an embed are demoted, not added to the toc
    assert embeds.count("Not shown again: Cycle A is already embedded above.") == 1
    assert "Not shown again: Embeds is already embedded above." in embeds  # a page embedding itself
    assert '!!! embed "[Some Page › Section One](Some%20Page.md#section-one)"' in embeds
    assert "    Text of section one, shown by a section embed." in embeds
    assert "    Text of section one" in embeds and "second Dup" not in embeds  # only that section
    assert '!!! embed "[Target › ^block1](Target.md#block:block1)"' in embeds
    assert "    A paragraph carrying a block id." in embeds
    assert "> !!! embed \"[Target](Target.md)\"" in embeds  # inside a blockquote
    assert ">     - a list item with its own id" in embeds
    assert "Inline: see ↪ [Target](Target.md) here." in embeds
    assert "id='block:" not in embeds  # ids are never repeated by transclusion
    # A whole note: its title is the admonition's, so its H1 is not repeated (frontmatter or not).
    assert '!!! embed "[Semiconductors](../sectors/semis.md)"\n\n    The sector page.' in embeds


def test_callouts_become_material_admonitions(docs):
    links = read(docs, "notes/Links.md")
    assert "!!! note\n    A plain note callout linking [Some Page](Some%20Page.md)." in links
    assert '??? warning "Folded with a [link](Target.md) in the title"\n    Body line one.\n\n' in links
    assert "    !!! tip\n        A nested tip." in links
    assert '!!! note "Custom"\n    An unknown type becomes a note.' in links
    assert "[!" not in links


def test_dangling_links_are_visible_missing_text_never_links(docs):
    links = read(docs, "notes/Links.md")
    assert "<span class='vaultc-missing' title='Missing page: Nowhere'>Nowhere</span>" in links
    assert "<span class='vaultc-missing' title='Missing page: Gone.md'>gone</span>" in links
    assert "<span class='vaultc-missing' title='Missing page: NoSuchTicker'>shown</span>" in links
    assert "Nowhere In Frontmatter</span>" in links  # in the frontmatter panel
    assert "[Some Page > Nope](Some%20Page.md){ .vaultc-missing-anchor" in links  # page exists, heading not
    everything = "\n".join(p.read_text() for p in docs.rglob("*.md"))
    assert not re.search(r"\]\([^)]*(Nowhere|Gone|NoSuchTicker)", everything)
    assert "<span class='vaultc-missing'" in read(docs, "notes/Embeds.md")  # a dangling embed


def test_comments_are_hidden(docs):
    links = read(docs, "notes/Links.md")
    assert "Hidden:  done." in links
    assert "Nowhere Hidden" not in links and "Nowhere Block" not in links and "%%" not in links


def test_media_embeds_keep_their_sizes(docs):
    links = read(docs, "notes/Links.md")
    assert "![chart.png](../assets/chart.png){ width='300' }" in links
    assert "![alt text](../assets/chart.png){ width='200' height='100' }" in links
    assert "[report.pdf](../assets/report.pdf)" in links
    assert (docs / "assets" / "chart.png").read_bytes() == (VAULT / "assets" / "chart.png").read_bytes()
    assert ("<object class='vaultc-pdf' data='../assets/report.pdf#page=1' type='application/pdf' "
            "width='400' height='600'><a href='../assets/report.pdf#page=1'>report.pdf</a></object>") in links


def test_inline_tags_become_material_tags_and_links(docs):
    links = read(docs, "notes/Links.md")
    front = links.split("\n---\n", 1)[0]
    assert '- "alpha"' in front and '- "beta/gamma"' in front and '- "fixture"' in front
    assert "[#alpha](../vaultc/tags.md#alpha) and [#beta/gamma](../vaultc/tags.md#betagamma)" in links
    assert "not `#incode`" in links
    tags = read(docs, "vaultc/tags.md")
    assert "## #beta/gamma\n\n- [Every link form](../notes/Links.md)" in tags


def test_stale_and_overdue_claims_are_marked_where_they_stand(docs):
    ticker = read(docs, "tickers/AAA.md")
    assert re.search(r"As of March 2025, AAA held 40% share of the market\. <mark class='vaultc-claim "
                     r"vaultc-stale' id='line:14' title='[^']*'>stale</mark>", ticker)
    assert "the company guided. <mark class='vaultc-claim vaultc-overdue' id='line:16'" in ticker
    health = read(docs, "vaultc/health.md")
    assert ("| [Triple A Holdings (AAA)](../tickers/AAA.md) | [14](../tickers/AAA.md#line:14) | "
            "March 2025 (stale)") in health
    assert "[14](../notes/Links.md#line:14) | `Nowhere` |" in health  # a dangling link's line
    assert "[3](../notes/Links.md#frontmatter) | `Nowhere In Frontmatter` |" in health


def test_ticker_panel_indexes_companies_and_backlinks(docs):
    ticker = read(docs, "tickers/AAA.md")
    panel = ticker.split("| <span class='vaultc-panel-head' id='frontmatter'></span> |", 1)[1].split("\n\n", 1)[0]
    assert "| **Sector** | [Semiconductors](../sectors/semis.md) |" in panel
    assert "| **Layers** | [L1: Chips](../layers/L1.md) |" in panel
    assert "| **Constraints** | [Power](../constraints/power.md) |" in panel
    assert ticker.index("# Triple A Holdings (AAA)") < ticker.index("vaultc-panel-head")  # under the title
    tickers = read(docs, "vaultc/tickers.md")
    assert "| Ticker | Name | Exchange | Layers | Constraints | Last reviewed | Stale claims |" in tickers
    assert ("| [AAA](../tickers/AAA.md) | Triple A Holdings | NYSE | [L1](../layers/L1.md) | "
            "[Power](../constraints/power.md) | 2026-01-15 | 2 |") in tickers
    for page in ("layers/L1.md", "constraints/power.md", "sectors/semis.md"):
        text = read(docs, page)
        assert "## Companies on this" in text and "[AAA](../tickers/AAA.md)" in text
    power = read(docs, "constraints/power.md")
    assert "## Linked from\n\n- **ticker** (1): [Triple A Holdings (AAA)](../tickers/AAA.md)\n" in power
    assert "No other page links here yet." in read(docs, "notes/Embeds.md")
    assert "<div class='vaultc-graph vaultc-local' data-root='../' data-page='constraints/power.html'>" in power
    for name in ("sectors", "sources", "layers", "constraints", "comparisons", "notes", "health", "graph", "tags"):
        assert (docs / "vaultc" / f"{name}.md").is_file()
    home = read(docs, "index.md")
    assert "**13 pages**" in home and "[Tickers](vaultc/tickers.md) | 1 |" in home


def test_layout_moves_only_what_mkdocs_would_skip_or_clash(docs):
    assert "A root `index.md` must not replace" in read(docs, "index-2.md")  # home page is ours
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
    assert "[README](README-2.md)" in index  # MkDocs would serve both as a/index.html
    assert "vaultc-missing" in index and "secret" in index  # dot-folders are no pages, as in Obsidian
    assert not (out / "_hidden").exists() and not (out / ".hidden").exists()
    assert "[broken](../broken.md)" in index
    assert "This file could not be read" in read(out, "broken.md")


def test_pages_rendered_by_worker_processes_are_the_ones_one_process_renders(tmp_path):
    """A vault above the pool's threshold has its pages rendered by forked workers; the docs tree
    is byte for byte the one a single process writes."""
    from compiler.analyse import PARALLEL_MIN_PAGES
    from synthetic import generate

    made = generate(tmp_path / "vault", PARALLEL_MIN_PAGES + 50)
    shutil.copytree(VAULT, made.root / "features")
    vault = compiled(made.root)
    serial = emit_site(vault, tmp_path / "serial", jobs=1)
    pooled = emit_site(vault, tmp_path / "pooled", jobs=2)
    assert serial.pages == pooled.pages > PARALLEL_MIN_PAGES
    assert sorted(serial.written) == sorted(pooled.written)
    files = sorted(p.relative_to(tmp_path / "serial") for p in (tmp_path / "serial").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "pooled") for p in (tmp_path / "pooled").rglob("*") if p.is_file())
    for rel in files:
        assert (tmp_path / "serial" / rel).read_bytes() == (tmp_path / "pooled" / rel).read_bytes(), rel

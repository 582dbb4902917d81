"""`vaultc site` end to end: emit + `mkdocs build --strict` for the bundled vault and the features
fixture, then a crawler over each built site following every internal link and anchor."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from compiler.cli import main
from conftest import FIXTURES

ROOT = Path(__file__).parent.parent
TODAY = "2026-11-22"
# Attributes that make the browser follow or load a URL.
_URL_ATTRS = {"a": "href", "link": "href", "script": "src", "img": "src", "object": "data", "iframe": "src",
              "audio": "src", "video": "src", "source": "src"}


def build_site(tmp_path_factory, name: str, vault: Path) -> Path:
    """Build `vault` with the repository's mkdocs.yml (inherited, docs and site in a temporary
    folder). Built once per test session: the browser test reuses the bundled vault's site."""
    base = tmp_path_factory.getbasetemp() / f"site-{name}"
    site = base / "site"
    if not (site / "index.html").exists():
        base.mkdir(parents=True, exist_ok=True)
        config = base / "mkdocs.yml"
        config.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: docs\nsite_dir: site\n")
        # the store in the temporary folder too: never beside a fixture vault in the checkout
        assert main(["site", str(vault), "--today", TODAY, "--mkdocs-config", str(config),
                     "--cache-dir", str(base / "cache")]) == 0
    return site


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.urls: list[tuple[str, str]] = []  # (tag, url)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        url = attrs.get(_URL_ATTRS.get(tag, ""))
        if url is not None:
            self.urls.append((tag, url))


def _parse(path: Path) -> _Html:
    parser = _Html()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def crawl(site: Path) -> tuple[int, list[str], list[str]]:
    """(internal links followed, broken ones, resources loaded from another host)."""
    pages = {path.resolve(): _parse(path) for path in site.rglob("*.html")}
    followed, broken, remote = 0, [], []
    for page, parsed in pages.items():
        for tag, url in parsed.urls:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                if tag != "a" and parts.scheme in ("http", "https", ""):
                    remote.append(f"{page.relative_to(site.resolve())}: {url}")
                continue
            followed += 1
            if parts.path.startswith("/"):  # the 404 page links from the site root
                target = (site / unquote(parts.path).lstrip("/")).resolve()
            else:
                target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(site.resolve())} -> {url}"
            if not target.is_file():
                broken.append(f"{where}: no such file")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in pages[target].ids:
                broken.append(f"{where}: no such anchor")
    return followed, broken, remote


@pytest.mark.parametrize("name, vault, minimum", [("bundled", ROOT / "vault", 5000),
                                                  ("features", FIXTURES / "site" / "features", 300)])
def test_every_internal_link_and_anchor_resolves(tmp_path_factory, name, vault, minimum):
    site = build_site(tmp_path_factory, name, vault)
    followed, broken, remote = crawl(site)
    assert broken == []
    assert remote == []  # nothing from a CDN: the site works offline
    assert followed >= minimum


def test_the_site_has_what_a_reader_needs(tmp_path_factory):
    site = build_site(tmp_path_factory, "features", FIXTURES / "site" / "features")
    ticker = (site / "tickers" / "AAA.html").read_text()
    assert "vaultc-panel-head" in ticker and "Linked from" in ticker and "vaultc-stale" in ticker
    assert 'class="vaultc-graph vaultc-local"' in ticker.replace("'", '"')
    links = (site / "notes" / "Links.html").read_text()
    assert 'class="admonition note"' in links and 'class="admonition tip"' in links
    assert '<details class="warning">' in links  # the folded callout
    assert 'class="vaultc-missing"' in links.replace("'", '"')
    embeds = (site / "notes" / "Embeds.html").read_text()
    assert 'class="admonition embed"' in embeds and "Text of B." in embeds
    graph = (site / "vaultc" / "graph.html").read_text()
    # the graph page holds a graph box; vaultc.js loads the library and the data for it (only there)
    assert "vaultc-graph vaultc-global" in graph.replace("'", '"') and "vaultc.js" in graph
    assert "cytoscape.min.js" not in graph and "graph-data.js" not in graph
    assert (site / "vaultc" / "assets" / "cytoscape.min.js").is_file()
    assert (site / "vaultc" / "assets" / "graph-data.js").is_file()
    assert (site / "search" / "search_index.js").is_file()  # search from file:// (offline plugin)
    home = (site / "index.html").read_text()
    nav = {url for url in re.findall(r'<a href="([^"#]+)" class="md-nav__link', home)}
    # A compact navigation: the home page and the generated index pages, not every vault page.
    assert nav == {"index.html"} | {f"vaultc/{name}.html" for name in (
        "tickers", "sectors", "layers", "constraints", "comparisons", "sources", "notes", "graph", "query", "health", "tags")}


def test_strict_means_strict_a_warning_fails_the_site_and_is_shown(make_vault, tmp_path, capsys):
    """`mkdocs build --strict -q` counted no warning it hid: a build that warns must exit 2, with
    the warning printed."""
    vault = make_vault({"a.md": "# A\n"})
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: docs\nsite_dir: site\n"
                      "nav:\n  - Home: index.md\n  - Gone: no-such-page.md\n")
    code = main(["site", str(vault), "--today", TODAY, "--mkdocs-config", str(config)])
    err = capsys.readouterr().err
    assert code == 2 and "no-such-page.md" in err and "WARNING" in err


def test_findings_on_embed_lines_have_their_anchors(make_vault, tmp_path):
    """The health page links every finding to `#line:N`; an embed alone on its line, which the
    site replaces by what it embeds, still carries that anchor (a strict build failed on it)."""
    vault = make_vault({
        "host.md": "# Host\n\n![[Other#No such heading]]\n\n![[Other#^gone]]\n\n![[Other]]\n",
        "Other.md": "# Other\n\nText.\n",
    })
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: docs\nsite_dir: site\n")
    assert main(["site", str(vault), "--today", TODAY, "--mkdocs-config", str(config), "--no-cache"]) == 0
    followed, broken, _ = crawl(tmp_path / "site")
    assert followed and broken == []


def test_search_reads_the_prose_and_ranks_vault_pages_first(tmp_path_factory):
    import json

    site = build_site(tmp_path_factory, "features", FIXTURES / "site" / "features")
    docs = json.loads((site / "search" / "search_index.json").read_text())["docs"]
    ticker = " ".join(d["text"] for d in docs if d["location"].startswith("tickers/AAA.html"))
    assert "NYSE" not in ticker and "Triple A Holdings" in " ".join(d["title"] for d in docs)  # no panel text
    assert "›" not in ticker  # nor the breadcrumbs
    boosts = {d["location"].split("#")[0]: d.get("boost") for d in docs}
    assert boosts["vaultc/tickers.html"] == boosts["index.html"] == 0.3 and boosts["tickers/AAA.html"] is None


def test_the_whole_build_on_every_core_is_what_mkdocs_build_makes(make_vault, tmp_path, monkeypatch):
    """whole.py builds the pages in worker processes: the site is byte for byte what `mkdocs build
    --strict` makes of the same docs, and a warning a worker logs fails the build."""
    import subprocess
    import sys

    from compiler import analyse
    from compiler.site import whole

    vault = make_vault({f"notes/n{i}.md": f"# Note {i}\n\nSee [[n{(i + 1) % 30}]] and [[n{(i + 7) % 30}#Part]].\n\n"
                                          f"## Part\n\n- one\n- two\n\n| a | b |\n|---|---|\n| [[n{i}]] | {i} |\n"
                        for i in range(30)})
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: docs\nsite_dir: site\n")
    assert main(["site", str(vault), "--today", TODAY, "--mkdocs-config", str(config), "--emit-only"]) == 0
    monkeypatch.setattr(analyse, "PARALLEL_MIN_PAGES", 2)  # a pool of workers for these few pages

    def tree(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    assert whole.build(str(config), str(tmp_path / "ours"), jobs=2) == 0
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(config), "-d",
                    str(tmp_path / "theirs")], check=True, capture_output=True)
    ours, theirs = tree(tmp_path / "ours"), tree(tmp_path / "theirs")
    assert len(ours) > 30 and ours == theirs
    page = tmp_path / "docs" / "notes" / "n17.md"
    text = page.read_text()
    page.write_text(text + '\n<p><a href="gone.md">a link to no page</a></p>\n')
    assert whole.build(str(config), str(tmp_path / "warned"), jobs=2) == 1  # logged in a worker
    page.write_text(text + '\n<p><a href="n3.md#nowhere">a link to no anchor</a></p>\n')
    assert whole.build(str(config), str(tmp_path / "warned-2"), jobs=2) == 1  # found by the anchor check here

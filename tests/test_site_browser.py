"""The built site in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium,
headless; never `playwright install`). The bundled vault's site is served on 127.0.0.1 from the
test; every request to another host is refused and reported. Screenshots go to the test's tmp
folder."""
from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from test_site_build import ROOT, build_site

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
MIN_GRAPH_NODES = 80  # the bundled vault has 85 pages

playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the test extra)")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install chromium")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    site = build_site(tmp_path_factory, "bundled", ROOT / "vault")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", site
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    tab = context.new_page()
    tab.remote, tab.errors = [], []

    def only_local(route):
        parts = urlsplit(route.request.url)
        if parts.scheme in ("file", "data", "blob", "about") or parts.hostname == "127.0.0.1":
            route.continue_()
        else:
            tab.remote.append(route.request.url)
            route.abort()

    tab.route("**/*", only_local)
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.shots = tmp_path
    yield tab
    assert tab.remote == [], "the site must load nothing from another host"
    assert tab.errors == []
    context.close()


def wait_for_nodes(tab, selector: str, minimum: int) -> int:
    """Wait until the graph in `selector` has drawn at least `minimum` nodes (null-safe: the
    check also runs while a click is still loading the page)."""
    tab.wait_for_function("([selector, minimum]) => { const box = document.querySelector(selector);"
                          " return !!box && Number(box.getAttribute('data-nodes')) >= minimum; }",
                          arg=[selector, minimum], timeout=15000)
    return int(tab.locator(selector).get_attribute("data-nodes"))


def shot(tab, name: str, full: bool = False) -> None:
    tab.screenshot(path=str(tab.shots / f"{name}.png"), full_page=full)


def test_home_and_search(page, served):
    base, _ = served
    page.goto(f"{base}/index.html")
    assert "pages" in page.locator("article").inner_text()
    shot(page, "home")
    page.wait_for_load_state("networkidle")  # the search worker has fetched its index
    page.locator(".md-search__input").first.click()
    page.locator(".md-search__input").press_sequentially("HBM", delay=80)
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=15000)
    assert results.count() > 0
    shot(page, "search")
    # Every word, anywhere on the page (assets/search.js): NVDA holds "Nvidia" in its title and
    # "backlog" in its Key numbers, so it is found and nothing is marked missing.
    box = page.locator(".md-search__input").first
    box.fill("")
    box.press_sequentially("Nvidia backlog", delay=60)
    page.wait_for_function("() => [...document.querySelectorAll('.md-search-result__item h1')]"
                           ".some(h => h.textContent.includes('NVIDIA'))", timeout=15000)
    items = page.locator(".md-search-result__item")
    nvda = items.filter(has=page.locator("h1", has_text="NVIDIA")).first
    assert nvda.locator(".md-search-result__terms").count() == 0  # no "Missing: backlog"
    assert page.locator(".md-search-result__terms").count() == 0  # no page listed lacks a word
    assert 0 < items.count() < 30  # pages holding both words, not the 67 holding either
    shot(page, "search-all-words")
    # The same from disk, where Material searches through its iframe shim instead of a Worker.
    _, site = served
    page.goto((site / "index.html").as_uri())
    page.locator(".md-search__input").first.click()
    page.locator(".md-search__input").first.press_sequentially("Nvidia backlog", delay=60)
    page.wait_for_function("() => [...document.querySelectorAll('.md-search-result__item h1')]"
                           ".some(h => h.textContent.includes('NVIDIA'))", timeout=15000)
    assert page.locator(".md-search-result__terms").count() == 0
    assert 0 < page.locator(".md-search-result__item").count() < 30


def test_ticker_page_has_panel_backlinks_stale_marker_and_local_graph(page, served):
    base, _ = served
    page.goto(f"{base}/tickers/NVDA.html")
    panel = page.locator("table:has(.vaultc-panel-head)")
    assert panel.locator("a", has_text="L1: Chip Design").count() == 1
    assert panel.locator("a", has_text="HBM and memory bandwidth").count() == 1
    assert page.locator("#linked-from + ul a").count() >= 5
    stale = page.locator("mark.vaultc-stale").first
    assert stale.is_visible() and stale.inner_text().strip().lower() == "stale"
    local = page.locator(".vaultc-graph.vaultc-local")
    local.scroll_into_view_if_needed()
    wait_for_nodes(page, ".vaultc-local", 4)
    shot(page, "ticker")
    shot(page, "ticker-full", full=True)


def test_constraint_page_lists_its_companies(page, served):
    base, _ = served
    page.goto(f"{base}/constraints/hbm-memory-bandwidth.html")
    companies = page.locator("#companies-on-this-constraint + div table")
    assert companies.locator("a", has_text="NVDA").count() == 1
    assert page.locator("#linked-from + ul a").count() >= 3
    assert page.locator("mark.vaultc-claim").count() >= 1
    # The index tables sort when a column heading is clicked.
    shot(page, "constraint", full=True)
    page.goto(f"{base}/vaultc/tickers.html")
    first = lambda: page.locator("table[data-vaultc-sort] tbody tr td:first-child").first.inner_text()  # noqa: E731
    page.locator("table[data-vaultc-sort] th", has_text="Ticker").click()
    ascending = first()
    page.locator("table[data-vaultc-sort] th", has_text="Ticker").click()
    assert first() != ascending
    shot(page, "tickers")


def test_lists_and_tables_render_as_in_obsidian(page, served):
    """A list right after a paragraph is a list; a table cell's aliased link is one link."""
    base, _ = served
    page.goto(f"{base}/layers/L2-memory-interconnect.html")
    facts = page.locator("p:has-text('Two facts make it') + ul > li")
    assert facts.count() == 2
    assert facts.nth(0).locator("a", has_text="memory wall").count() == 1
    page.goto(f"{base}/compare/santec-vs-jem-vs-anritsu-and-more-versus.html")
    head = page.locator("table:not(:has(.vaultc-panel-head)) thead th").nth(1)
    link = head.locator("a", has_text="Santec")
    assert link.count() == 1 and link.get_attribute("href").endswith("6777.html")
    assert "[[" not in page.locator("article").inner_text()
    shot(page, "compare")


def test_graph_page_draws_filters_and_opens_pages(page, served):
    base, _ = served
    page.goto(f"{base}/vaultc/graph.html")
    nodes = wait_for_nodes(page, ".vaultc-global", MIN_GRAPH_NODES)
    visible = "document.querySelector('.vaultc-global').vaultcGraph.nodes(':visible').length"
    page.locator(".vaultc-filters input[value='ticker']").uncheck()
    assert page.evaluate(visible) < nodes
    page.locator(".vaultc-filters input[value='ticker']").check()
    assert page.evaluate(visible) == nodes
    shot(page, "graph")
    # Click the node of a page: the browser opens it.
    box = page.locator(".vaultc-global").bounding_box()
    x, y = page.evaluate("""() => {
        const cy = document.querySelector('.vaultc-global').vaultcGraph;
        const node = cy.nodes().filter(n => n.data('url') && n.data('label').startsWith('HBM'))[0];
        const p = node.renderedPosition();
        return [p.x, p.y];
    }""")
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)
    assert page.url.endswith("/constraints/hbm-memory-bandwidth.html")


def test_the_site_works_from_disk(page, served, tmp_path):
    """Opened as plain files, with no server at all, pages link to pages and the graphs draw."""
    _, site = served
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    page.goto((copy / "vaultc" / "graph.html").as_uri())
    wait_for_nodes(page, ".vaultc-global", MIN_GRAPH_NODES)
    page.locator(".md-nav__link", has_text="Tickers").first.click()
    page.wait_for_url("**/vaultc/tickers.html")
    page.locator("article table a", has_text="NVDA").first.click()
    page.wait_for_url("**/tickers/NVDA.html")
    wait_for_nodes(page, ".vaultc-local", 4)
    assert page.url == (copy / "tickers" / "NVDA.html").as_uri()
    shot(page, "from-disk")


def test_query_page_answers_sparql_in_the_browser(page, served):
    """Oxigraph's WebAssembly build answers over the vault's graph shipped with the site: a canned
    query and a typed one, with page IRIs linked to the pages; nothing leaves 127.0.0.1 (the
    page fixture refuses and reports any other host)."""
    base, _ = served
    page.goto(f"{base}/vaultc/query.html")
    page.locator(".vaultc-query-run").wait_for(timeout=30000)
    assert "triples of the vault's graph are loaded" in page.locator(".vaultc-query > p").inner_text()
    page.select_option(".vaultc-query-examples", label=page.locator(
        ".vaultc-query-examples option", has_text="companies-by-layer").inner_text())
    page.locator(".yasr table tbody tr").first.wait_for(timeout=15000)
    layers = page.locator(".yasr table tbody tr").all_inner_texts()
    assert any("L1: Chip Design" in row and "NVIDIA Corporation" in row for row in layers)
    shot(page, "query-canned")

    typed = "SELECT ?page ?title WHERE { ?page vc:inLayer <layers/L2-memory-interconnect> ; dcterms:title ?title } ORDER BY ?title"
    page.evaluate("text => document.querySelector('.vaultc-query .CodeMirror').CodeMirror.setValue(text)", typed)
    page.locator(".vaultc-query-run").click()
    page.wait_for_function("() => document.querySelector('.vaultc-query > p').textContent.startsWith('Answered')")
    micron = page.locator(".yasr table a", has_text="tickers/MU")
    micron.first.wait_for(timeout=15000)
    assert micron.first.get_attribute("href") == "../tickers/MU.html"  # the page, not its IRI
    assert "Micron Technology" in page.locator(".yasr table").inner_text()
    micron.first.click()
    page.wait_for_url("**/tickers/MU.html")
    shot(page, "query-typed")


def test_query_page_says_why_it_cannot_run_from_disk(page, served, tmp_path):
    _, site = served
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    page.goto((copy / "vaultc" / "query.html").as_uri())
    message = page.locator(".vaultc-query-status")
    page.wait_for_function("() => document.querySelector('.vaultc-query-status').textContent.includes('HTTP')")
    assert "Serve the site" in message.inner_text()


def requested(page, url: str) -> list[str]:
    """The URLs the page at `url` fetched until the network went quiet."""
    loaded = []
    page.on("request", lambda request: loaded.append(request.url))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return loaded


def test_pages_without_a_query_box_load_no_query_engine(page, served):
    base, _ = served
    loaded = requested(page, f"{base}/tickers/NVDA.html")
    assert not [url for url in loaded if "oxigraph" in url or "yas" in url or "vault.trig" in url]


def test_the_graph_library_loads_only_where_a_graph_is_drawn(page, served):
    base, _ = served
    loaded = requested(page, f"{base}/vaultc/tickers.html")
    assert not [url for url in loaded if "cytoscape" in url or "graph-data" in url]
    loaded = requested(page, f"{base}/tickers/NVDA.html")
    wait_for_nodes(page, ".vaultc-local", 4)
    assert [url for url in loaded if url.endswith("cytoscape.min.js")]


def test_dark_mode_follows_the_toggle_and_recolours_the_graph(browser, served, tmp_path):
    base, _ = served
    context = browser.new_context(viewport={"width": 1366, "height": 900}, color_scheme="dark")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/vaultc/graph.html")
    wait_for_nodes(page, ".vaultc-global", MIN_GRAPH_NODES)
    scheme = "() => document.body.getAttribute('data-md-color-scheme')"
    assert page.evaluate(scheme) == "slate"  # the system's setting, followed
    assert page.locator(".vaultc-global").get_attribute("data-scheme") == "slate"
    label = "() => document.querySelector('.vaultc-global').vaultcGraph.nodes()[0].style('color')"
    dark_label = page.evaluate(label)
    page.screenshot(path=str(tmp_path / "graph-dark.png"))
    page.locator("form[data-md-component='palette'] label:visible").first.click()  # the header's toggle
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'default'")
    page.wait_for_function("() => document.querySelector('.vaultc-global').getAttribute('data-scheme') === 'default'")
    assert page.evaluate(label) != dark_label
    page.screenshot(path=str(tmp_path / "graph-light.png"))
    assert errors == []
    context.close()


def test_tags_show_once_and_lead_to_their_page(page, served):
    base, _ = served
    page.goto(f"{base}/tickers/NVDA.html")
    chips = page.locator("article .vaultc-tag-chip")
    assert chips.count() == 6 and page.locator(".md-tag").count() == 0  # ours only, not Material's too
    page.locator("article .vaultc-tag-chip", has_text="#cuda").click()
    page.wait_for_url("**/vaultc/tags/cuda.html")
    assert page.locator("article a", has_text="NVIDIA Corporation (NVDA)").count() == 1


def test_hover_previews_breadcrumbs_and_the_navigation(page, served):
    base, _ = served
    page.goto(f"{base}/tickers/NVDA.html")
    page.locator("article table a", has_text="L1: Chip Design").first.hover()
    preview = page.locator(".vaultc-preview")
    preview.wait_for(timeout=5000)
    assert preview.locator("strong").inner_text() == "L1: Chip Design"
    assert "seven-layer" in preview.inner_text()  # the target's first paragraph
    shot(page, "hover-preview")
    assert page.locator(".md-nav--primary .md-nav__link--active").all_inner_texts() == ["Tickers"]
    wait_for_nodes(page, ".vaultc-local", 4)  # beside the page, under the contents
    assert page.locator(".md-sidebar--secondary .vaultc-local").count() == 1
    assert "of 47 linked pages shown" in page.locator(".md-sidebar--secondary .vaultc-graph-note").inner_text()
    page.locator(".vaultc-crumbs a").click()
    page.wait_for_url("**/vaultc/tickers.html")


def test_phones_get_the_table_of_contents_under_the_title(browser, served):
    base, _ = served
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(f"{base}/tickers/NVDA.html")
    toc = page.locator(".vaultc-phone-toc")
    assert toc.is_visible()
    wait_for_nodes(page, ".vaultc-local", 4)
    assert page.locator("article .vaultc-local").count() == 1  # no sidebar: at the end of the page
    toc.locator("summary").click()
    toc.locator("a", has_text="Key numbers").click()
    page.wait_for_url("**/tickers/NVDA.html#key-numbers")
    context.close()
    desktop = browser.new_context(viewport={"width": 1366, "height": 900})
    wide = desktop.new_page()
    wide.goto(f"{base}/tickers/NVDA.html")
    assert not wide.locator(".vaultc-phone-toc").is_visible()  # Material's sidebar shows it there
    desktop.close()


GRAPH_STATE = """() => { const cy = document.querySelector('.vaultc-global').vaultcGraph;
  const boxes = cy.nodes('.labelled').map(n => n.renderedBoundingBox(
      {includeNodes: false, includeEdges: false, includeLabels: true}));
  return {zoom: cy.zoom(), positions: cy.nodes().map(n => [n.data('label'), n.position('x'), n.position('y')]),
          boxes: boxes.map(b => [b.x1, b.y1, b.x2, b.y2]), found: cy.nodes('.found').map(n => n.data('label'))}; }"""


def _overlapping(boxes):
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])]


def test_the_graph_is_placed_labelled_and_steerable(browser, served):
    base, _ = served
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    states = []
    for _ in range(2):  # the same picture on every load
        page.goto(f"{base}/vaultc/graph.html")
        wait_for_nodes(page, ".vaultc-global", MIN_GRAPH_NODES)
        states.append(page.evaluate(GRAPH_STATE))
    assert states[0]["positions"] == states[1]["positions"]
    state = states[1]
    assert len(state["boxes"]) >= 20 and _overlapping(state["boxes"]) == []
    page.locator(".vaultc-graph-controls button", has_text="+").click()
    page.wait_for_function(f"() => document.querySelector('.vaultc-global').vaultcGraph.zoom() > {state['zoom'] * 1.3}")
    page.locator(".vaultc-graph-controls button", has_text="Fit").click()
    page.wait_for_function(f"() => Math.abs(document.querySelector('.vaultc-global').vaultcGraph.zoom() - {state['zoom']}) < 0.01")
    find = page.locator(".vaultc-graph-find")
    find.fill("Micron Technology (MU)")
    find.press("Enter")
    find.dispatch_event("change")
    page.wait_for_function("() => document.querySelector('.vaultc-global').vaultcGraph.nodes('.found').length === 1")
    assert page.evaluate(GRAPH_STATE)["found"] == ["Micron Technology (MU)"]
    page.wait_for_timeout(400)  # the move to it
    assert _overlapping(page.evaluate(GRAPH_STATE)["boxes"]) == []  # labels re-placed at the new zoom
    page.screenshot(path=str(served[1].parent / "graph-find.png"))
    context.close()


def test_a_swipe_over_the_graph_on_a_phone_scrolls_the_page(browser, served):
    base, _ = served
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(f"{base}/vaultc/graph.html")
    wait_for_nodes(page, ".vaultc-global", MIN_GRAPH_NODES)
    box = page.locator(".vaultc-global").bounding_box()
    before = page.evaluate("() => window.scrollY")
    cdp = context.new_cdp_session(page)
    x, y = box["x"] + box["width"] / 2, min(box["y"] + box["height"] / 2, 700)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 11):  # a finger moving up the screen over the graph
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y - 25 * step}]})
        page.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.scrollY") > before + 100  # the page moved, not the graph
    assert page.url.endswith("/vaultc/graph.html")  # and no node took it for a tap
    page.locator(".vaultc-graph-cover").tap()  # a tap hands the gestures to the graph
    assert page.evaluate("() => document.querySelector('.vaultc-global').vaultcGraph.userPanningEnabled()")
    context.close()


def test_every_page_loads_without_console_errors_or_warnings(page, served):
    """Each vault page and generated page (and a sample of the tag pages) as a reader opens it: no
    script error and no console error or warning (cytoscape's style warnings included)."""
    base, site = served
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                   if "assets" not in p.parts and p.name != "404.html" and "tags" not in p.parent.parts)
    pages += sorted(p.relative_to(site).as_posix() for p in (site / "vaultc" / "tags").glob("*.html"))[:3]
    assert len(pages) > 90
    messages = []
    page.on("console", lambda m: messages.append((page.url, m.type, m.text)) if m.type in ("error", "warning") else None)
    for rel in pages:
        page.goto(f"{base}/{rel}")
        if page.locator(".vaultc-graph").count():
            page.wait_for_function("() => [...document.querySelectorAll('.vaultc-graph')]"
                                   ".every(g => g.getAttribute('data-labels') !== null)", timeout=15000)
        if page.locator(".vaultc-query").count():
            page.wait_for_function("() => /loaded|could not/.test(document.querySelector('.vaultc-query').textContent)",
                                   timeout=30000)
            assert page.locator(".vaultc-query-run").count() == 1, page.locator(".vaultc-query").inner_text()
    assert messages == []


def test_the_graph_narrows_to_one_layer_or_constraint(page, served):
    base, _ = served
    page.goto(f"{base}/vaultc/graph.html")
    total = wait_for_nodes(page, ".vaultc-global", MIN_GRAPH_NODES)
    visible = "() => document.querySelector('.vaultc-global').vaultcGraph.nodes(':visible').map(n => n.data('label'))"
    page.select_option(".vaultc-graph-around", label="Cooling")
    around = page.evaluate(visible)
    assert "Cooling" in around and "Vertiv Holdings (VRT)" in around and 5 < len(around) < total
    assert "Micron Technology (MU)" not in around  # linked with neither
    page.locator(".vaultc-filters label", has_text="ticker").locator("input").uncheck()
    assert "Vertiv Holdings (VRT)" not in page.evaluate(visible)  # the type filter still holds
    page.select_option(".vaultc-graph-around", index=0)
    assert len(page.evaluate(visible)) == total - 31  # every page again, but the unticked tickers


def test_the_local_graph_reaches_two_links_out_on_demand(page, served):
    base, _ = served
    page.goto(f"{base}/tickers/MU.html")
    one = wait_for_nodes(page, ".vaultc-local", 4)
    note = page.locator(".vaultc-local ~ .vaultc-graph-note, .vaultc-graph-note").first
    assert "linked pages shown" in note.inner_text()
    note.locator("button.vaultc-depth", has_text="2").click()
    page.wait_for_function(f"() => Number(document.querySelector('.vaultc-local').getAttribute('data-nodes')) > {one}")
    note = page.locator(".vaultc-graph-note").first
    assert "pages within two links shown" in note.inner_text()
    assert note.locator("button.vaultc-depth", has_text="2").get_attribute("aria-pressed") == "true"
    page.locator(".vaultc-graph-note button.vaultc-depth", has_text="1").click()
    page.wait_for_function(f"() => Number(document.querySelector('.vaultc-local').getAttribute('data-nodes')) === {one}")
    assert page.locator(".vaultc-graph-note").count() == 1


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_ticker_page_in_light_and_dark_on_desktop_and_phone(browser, served, tmp_path, device):
    """What a reader sees first, in each of the four ways: the OS's scheme is followed, the page's
    own colours (text, local graph) change with it, and nothing errs. Screenshots are kept."""
    base, _ = served
    size = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}[device]
    seen = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport=size, color_scheme=scheme, is_mobile=device == "phone",
                                      has_touch=device == "phone")
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type in ("error", "warning") else None)
        page.goto(f"{base}/tickers/NVDA.html")
        page.wait_for_load_state("networkidle")
        seen[scheme] = page.evaluate("() => [document.body.getAttribute('data-md-color-scheme'),"
                                     " getComputedStyle(document.querySelector('article')).color]")
        page.screenshot(path=str(tmp_path / f"NVDA-{device}-{scheme}.png"))
        assert errors == [], errors
        context.close()
    assert seen["light"][0] == "default" and seen["dark"][0] == "slate"
    assert seen["light"][1] != seen["dark"][1]  # the text colour follows the scheme


def test_a_page_open_under_vaultc_serve_reloads_itself_after_a_save(page, tmp_path):
    """`vaultc serve`: the reader's open tab shows a saved edit without being reloaded by hand (the
    save re-renders the page alone, and MkDocs' live-reload server tells the tab)."""
    from conftest import fetch_text, start_serve, stop_session

    server, url = start_serve(tmp_path)
    vault = tmp_path / "vault"
    try:
        page.wait_for_timeout(200)
        for _ in range(120):
            if "A paragraph carrying a block id." in fetch_text(url):
                break
            page.wait_for_timeout(500)
        page.goto(url)
        target = vault / "notes" / "Target.md"
        target.write_text(target.read_text().replace("A paragraph", "A saved, live-reloaded paragraph"))
        page.wait_for_function("document.body.innerText.includes('live-reloaded paragraph')", timeout=30000)
        page.screenshot(path=str(page.shots / "serve-reloaded.png"))
    finally:
        stop_session(server)

"""Generated parts of each vault page (emit stage): its metadata for Material, the frontmatter panel,
the companies on a layer or constraint, "Linked from", and the local graph.
"""
from __future__ import annotations

import html
import json

from ..model import Page
from .cells import cell, frontmatter_links, page_link, resolved_links, table
from .context import Site
from .layout import html_url, root_of

_NOT_IN_PANEL = {"title", "type", "tags", "max_age_days"}
PANEL_MARKER = "<span class='vaultc-panel-head' id='frontmatter'></span>"
# Which frontmatter key puts a company on a page of this type.
COMPANY_KEY = {"layer": "layers", "constraint": "constraints", "sector": "sector"}


def metadata(page: Page, toc: list[tuple[int, str, str]]) -> list[str]:
    """YAML frontmatter for MkDocs and Material: the title, the tags (for search), and the table of
    contents of the page's HTML, which follows (the vaultc plugin reads `vaultc_toc`)."""
    # JSON is YAML's flow style: escaping for free, and far faster than a dump.
    lines = ["---", f"title: {json.dumps(page.title, ensure_ascii=False)}"]
    tags = list(dict.fromkeys(t for t in page.tags if t))
    if tags:
        lines += ["tags:", *[f"  - {json.dumps(t, ensure_ascii=False)}" for t in tags]]
    return lines + [f"vaultc_toc: {json.dumps(toc)}", "---", ""]


def panel(site: Site, page: Page, host_doc: str) -> list[str]:
    """Every frontmatter value as a row, link values as links (tickers always get one)."""
    rows = []
    for key, value in page.meta.items():
        if key in _NOT_IN_PANEL:
            continue
        links = frontmatter_links(site, page.path, key)
        if links:
            shown = resolved_links(site, host_doc, links)
        elif key == "url" and isinstance(value, str) and value.startswith(("http://", "https://")):
            shown = f"<{value}>"
        else:
            shown = cell(value)
        rows.append([f"**{cell(key.replace('_', ' ').capitalize())}**", shown])
    # The page's tags, once, as links to their pages (Material's own tag chips are not links).
    chips = [f'<a class="vaultc-tag-chip" href="{html.escape(site.tags.href(host_doc, t))}">'
             f'#{html.escape(t)}</a>' for t in dict.fromkeys(page.tags)]
    head = [f'<p class="vaultc-tags" data-search-exclude>{" ".join(chips)}</p>', ""] if chips else []
    if not rows:
        return head
    # The marker in the (hidden) header row gives the table its style and the id the health page
    # links frontmatter lines to: a table can carry no class of its own in Markdown.
    return [*head, *table([PANEL_MARKER, " "], rows), ""]


def companies(site: Site, page: Page, host_doc: str) -> list[str]:
    """On a layer, constraint or sector page: the companies whose frontmatter names it."""
    key = COMPANY_KEY.get(page.type)
    if key is None:
        return []
    paths = [p for p in site.related_by(page.path, key) if site.pages[p].type == "ticker"]
    lines = ["", f"## Companies on this {page.type}", ""]
    if not paths:
        return lines + [f"No ticker page names this {page.type} in its `{key}` yet.", ""]
    rows = [ticker_row(site, host_doc, site.pages[p]) for p in paths]
    # ticker, name, exchange and last reviewed: the layer or constraint is this page
    return lines + table(["Ticker", "Name", "Exchange", "Last reviewed"], [r[:3] + [r[5]] for r in rows]) + [""]


def ticker_row(site: Site, host_doc: str, page: Page) -> list[str]:
    """Ticker, name, exchange, layers, constraints, last reviewed, stale claims."""
    meta = page.meta
    return [
        page_link(site, host_doc, page.path, str(meta.get("ticker") or page.name)),
        cell(meta.get("name") or page.title),
        cell(meta.get("exchange")),
        resolved_links(site, host_doc, frontmatter_links(site, page.path, "layers"), short=True),
        resolved_links(site, host_doc, frontmatter_links(site, page.path, "constraints")),
        cell(meta.get("updated")),
        str(site.claim_counts.get(page.path, 0)),
    ]


def linked_from(site: Site, page: Page, host_doc: str) -> list[str]:
    """The pages linking here, grouped by type: one line per type keeps hub pages readable (and
    cheap for MkDocs to render, unlike hundreds of list items)."""
    sources = [p for p in site.backlinks(page.path) if p in site.pages]
    lines = ["", "## Linked from", ""]
    if not sources:
        return lines + ["<p class='vaultc-none'>No other page links here yet.</p>", ""]
    groups: dict[str, list[str]] = {}
    for path in sorted(sources, key=lambda p: site.pages[p].title.casefold()):
        groups.setdefault(site.pages[path].type, []).append(page_link(site, host_doc, path))
    lines += [f"- **{cell(kind)}** ({len(links)}): {' · '.join(links)}" for kind, links in sorted(groups.items())]
    return lines + [""]


def local_graph_section(site: Site, page: Page, host_doc: str) -> list[str]:
    """A box the site's script fills with this page's neighbourhood (from graph-data.js)."""
    return ["", "## Local graph", "",
            f"<div class='vaultc-graph vaultc-local' data-root='{root_of(host_doc)}' "
            f"data-page='{html.escape(html_url(host_doc), quote=True)}'></div>", ""]

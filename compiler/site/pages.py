"""The generated pages (emit stage): home, one index per page type, vault health, graph and tags.
Each is a function of the Site returning Markdown lines; the navigation in mkdocs.yml lists them.
"""
from __future__ import annotations

import datetime as dt
import html
import json
from collections import Counter

from ..model import Finding, Page
from .anchors import toc_slugs
from .cells import cell, frontmatter_links, page_link, resolved_links, table
from .context import CLAIM_RULES, Site
from .layout import HOME, generated, relative, root_of
from ..names import NAME_CLOSE, NAME_OPEN
from .links import label
from .sections import COMPANY_KEY, ticker_row
from .tags import TITLE as TAG_TITLE

# type -> (index page name, heading)
INDEXES = {
    "ticker": ("tickers", "Tickers"),
    "sector": ("sectors", "Sectors"),
    "layer": ("layers", "Layers"),
    "constraint": ("constraints", "Constraints"),
    "compare": ("comparisons", "Comparisons"),
    "source": ("sources", "Sources"),
    "note": ("notes", "Notes"),
}
HEALTH, GRAPH, TAGS = generated("health"), generated("graph"), generated("tags")
_SECTIONS = [("dangling-link", "Dangling links"), ("missing-heading", "Missing headings and blocks"),
             ("stale-claim", "Stale claims"), ("overdue-claim", "Overdue claims")]
_HEALTH_TITLE = "Vault health"
# The health page's headings, in order, as toc will number them: the home page links to them.
_HEALTH_IDS = dict(zip([rule for rule, _ in _SECTIONS] + ["other"],
                       toc_slugs([_HEALTH_TITLE] + [h for _, h in _SECTIONS] + ["Other findings"])[1:], strict=True))


def generated_pages(site: Site) -> dict[str, list[str]]:
    """docs path -> Markdown lines of every generated page."""
    pages = {HOME: home(site), HEALTH: health(site), GRAPH: graph_page(), TAGS: tags_page(site)}
    pages.update((site.tags.doc(key), tag_page(site, key)) for key in site.tags.order)
    for kind, (name, heading) in INDEXES.items():
        pages[generated(name)] = type_index(site, kind, heading, generated(name))
    return pages


def _front(title: str, hide: tuple[str, ...] = ()) -> list[str]:
    lines = ["---", f"title: {title}"]
    if hide:
        lines += ["hide:", *[f"  - {h}" for h in hide]]
    return lines + ["---", ""]


def _by_type(site: Site, kind: str) -> list[Page]:
    known = {k for k in INDEXES}
    return sorted((p for p in site.pages.values() if (p.type if p.type in known else "note") == kind),
                  key=lambda p: p.title.casefold())


# --- home ------------------------------------------------------------------------------------------

def home(site: Site) -> list[str]:
    """A landing page: the thesis, where to start, what changed lately, the vault's health in one
    line (the health page's own count), and what the vault holds."""
    vault = site.vault
    lines = _front("Home") + ["# Home", ""]
    sectors = _by_type(site, "sector")
    if sectors:
        lines += ["## The thesis", ""]
        for page in sectors:
            lines += [f"**{page_link(site, HOME, page.path)}** — {cell(_first_paragraph(page))}", ""]
    lines += ["## Where to start", ""]
    layers = sorted(_by_type(site, "layer"), key=lambda p: (str(p.meta.get("code") or ""), p.title.casefold()))
    if layers:
        lines += ["- **The value chain**, layer by layer: " + " → ".join(page_link(site, HOME, p.path) for p in layers)]
    constraints = _by_type(site, "constraint")
    if constraints:
        lines += ["- **What binds it**: " + ", ".join(page_link(site, HOME, p.path) for p in constraints)]
    linked = site.by_target  # the graph's in-degree: every link in, a page's own included
    tickers = sorted((p.path for p in _by_type(site, "ticker")), key=lambda p: (-len(linked.get(p, ())), p))[:8]
    if tickers:
        lines += ["- **The most-linked companies**: " + ", ".join(page_link(site, HOME, p) for p in tickers)]
    lines += [f"- Or browse the [graph]({relative(HOME, GRAPH)}), the [tags]({relative(HOME, TAGS)}), or "
              f"[ask it in SPARQL]({relative(HOME, generated('query'))}).", ""]
    changed = [(path, day) for path, day in site.recent if path in site.pages][:10]
    if changed:
        lines += ["## What changed recently", "",
                  *[f"- {page_link(site, HOME, path)} <small>{day} (git)</small>" for path, day in changed], ""]
    else:
        recent = sorted((p for p in site.pages.values() if _reviewed(p)), key=lambda p: (_reviewed(p), p.path),
                        reverse=True)[:10]
        if recent:
            lines += ["## Recently reviewed", "",
                      *[f"- {page_link(site, HOME, p.path)} <small>{_reviewed(p)}</small>" for p in recent], ""]
    lines += ["## Health", "", f"{_health_line(site)} [Vault health]({relative(HOME, HEALTH)}) lists them.", ""]
    counts = Counter(f.rule for f in site.findings)
    health_page = relative(HOME, HEALTH)
    lines += table(["Check", "Count"], [[f"[{heading}]({health_page}#{_HEALTH_IDS[rule]})", str(counts[rule])]
                                        for rule, heading in _SECTIONS])
    lines += ["", "## What it holds", "",
              f"The vault `{html.escape(vault.root.resolve().name)}/` holds **{len(site.pages)} pages** and "
              f"**{len(vault.attachments)} attachments**, joined by **{len(vault.resolutions)} links**. "
              f"Judged as of {vault.today.isoformat()}.", ""]
    rows = [[f"[{heading}]({relative(HOME, generated(name))})", str(len(_by_type(site, kind)))]
            for kind, (name, heading) in INDEXES.items()]
    return lines + table(["Index", "Pages"], rows) + [""]


def _health_line(site: Site) -> str:
    """The findings in one sentence, counted as the health page counts them."""
    counts = Counter(f.severity.label for f in site.findings)
    if not site.findings:
        return "No findings: every link resolves and no dated claim has aged."
    parts = [f"{counts[level]} {level if level == 'info' else level + ('s' if counts[level] != 1 else '')}"
             for level in ("error", "warning", "info") if counts[level]]
    return f"{len(site.findings)} findings: {', '.join(parts)}."


def _first_paragraph(page: Page, limit: int = 600) -> str:
    """The page's first paragraph of prose, cut at a sentence end near `limit` characters."""
    text = next((b.text for b in page.blocks if b.kind == "paragraph" and len(b.text) > 80), "")
    text = " ".join(text.replace(NAME_OPEN, "").replace(NAME_CLOSE, "").split())
    if len(text) <= limit:
        return text
    cut = text.rfind(". ", 0, limit)
    return text[:cut + 1] if cut > limit // 3 else text[:limit].rsplit(" ", 1)[0] + " …"


def _reviewed(page: Page) -> str:
    value = page.meta.get("updated")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return ""


# --- type indexes ----------------------------------------------------------------------------------

def type_index(site: Site, kind: str, heading: str, doc: str) -> list[str]:
    pages = _by_type(site, kind)
    lines = _front(heading, hide=("toc",)) + [f"# {heading}", "", f"{len(pages)} {heading.lower()} in the vault. "
                               "Click a column heading to sort.", ""]
    if not pages:
        return lines + [f"No page of type `{kind}` yet.", ""]
    if kind == "ticker":
        header = ["Ticker", "Name", "Exchange", "Layers", "Constraints", "Last reviewed", "Stale claims"]
        pages.sort(key=lambda p: str(p.meta.get("ticker") or p.name).casefold())
        rows = [ticker_row(site, doc, p) for p in pages]
    elif kind == "source":
        header = ["Source", "Author", "Publisher", "Published", "Cited by"]
        rows = [[page_link(site, doc, p.path), cell(p.meta.get("author")), cell(p.meta.get("publisher")),
                 cell(p.meta.get("published")), str(_cited_by(site, p))] for p in pages]
    elif kind in COMPANY_KEY:
        header = (["Code"] if kind == "layer" else []) + [heading[:-1], "Companies", "Last reviewed"]
        rows = [([cell(p.meta.get("code"))] if kind == "layer" else []) +
                [page_link(site, doc, p.path), str(_companies(site, p)), _reviewed(p)] for p in pages]
    elif kind == "compare":
        header = ["Comparison", "Companies", "Last reviewed"]
        rows = [[page_link(site, doc, p.path), resolved_links(site, doc, frontmatter_links(site, p.path, "companies")),
                 _reviewed(p)] for p in pages]
    else:
        header = ["Page", "Folder", "Linked from", "Last reviewed"]
        rows = [[page_link(site, doc, p.path), cell(p.folder), str(_cited_by(site, p)), _reviewed(p)]
                for p in pages]
    return lines + table(header, rows) + [""]


def _cited_by(site: Site, page: Page) -> int:
    return len(site.backlinks(page.path))


def _companies(site: Site, page: Page) -> int:
    return sum(1 for p in site.related_by(page.path, COMPANY_KEY[page.type])
               if site.pages[p].type == "ticker")



# --- health ----------------------------------------------------------------------------------------

def health(site: Site) -> list[str]:
    """Every finding, grouped; dangling links and dated claims link to the line they stand on."""
    lines = _front(_HEALTH_TITLE) + [f"# {_HEALTH_TITLE}", "",
                                      f"Checked as of {site.vault.today.isoformat()}. {_health_line(site)} "
                                      "Dangling links are shown in the "
                                      "pages as <span class='vaultc-missing'>missing text</span>; stale "
                                      "and overdue claims carry a marker where they stand.", ""]
    by_rule: dict[str, list[Finding]] = {}
    for finding in site.findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    for rule, heading in _SECTIONS:
        found = by_rule.pop(rule, [])
        lines += [f"## {heading}", ""]
        if not found:
            lines += ["None.", ""]
            continue
        header = ["Page", "Line", "Target" if rule in ("dangling-link", "missing-heading") else "Claim"]
        rows = [[page_link(site, HEALTH, f.path), _line_link(site, f), _what(site, f)] for f in found]
        lines += table(header, rows) + [""]
    lines += ["## Other findings", ""]
    rest = [f for found in by_rule.values() for f in found]
    if not rest:
        return lines + ["None.", ""]
    rows = [[cell(f.rule), cell(f.severity.label), _page_or_file(site, f), str(f.line), cell(f.message)]
            for f in sorted(rest, key=lambda f: (-f.severity, f.rule, f.path, f.line))]
    return lines + table(["Rule", "Severity", "Page", "Line", "Message"], rows) + [""]


def _line_link(site: Site, finding: Finding) -> str:
    anchor = site.line_anchor(finding.path, finding.line)
    return f"[{finding.line}]({site.href(HEALTH, finding.path, anchor)})"


def _what(site: Site, finding: Finding) -> str:
    if finding.rule in CLAIM_RULES:
        claim = _claim_at(site, finding)
        return cell(claim or finding.message)
    return f"`{cell(finding.target or '')}`" if finding.target else cell(finding.message)


def _claim_at(site: Site, finding: Finding) -> str | None:
    verdict = site.flagged(finding)
    if verdict is None:
        return None
    text = verdict.claim.text
    return f"{verdict.claim.expression} ({verdict.status}): {text[:160]}{'…' if len(text) > 160 else ''}"


def _page_or_file(site: Site, finding: Finding) -> str:
    if finding.path in site.pages:
        return page_link(site, HEALTH, finding.path)
    return cell(finding.path)


# --- graph and tags --------------------------------------------------------------------------------

def graph_page() -> list[str]:
    return _front("Graph", hide=("toc",)) + [
        "# Graph", "",
        "Every page and attachment, and every link between them, coloured by type; missing link "
        "targets are faint. Untick a type to hide it, pick a layer or constraint to see only what "
        "links with it, find a page by its title; click a node to open its page.", "",
        "<noscript>The graph needs JavaScript.</noscript>", "",
        f"<div class='vaultc-graph vaultc-global' data-root='{root_of(GRAPH)}'></div>", ""]


def tags_page(site: Site) -> list[str]:
    """Every tag with how many pages carry it, each a link to the tag's own page."""
    index = site.tags
    lines = _front(TAG_TITLE) + [f"# {TAG_TITLE}", "",
                                 f"{len(index.order)} tags, from frontmatter `tags` and inline `#tags`.", ""]
    lines += [f"- [{label(index.heading(key))}]({relative(TAGS, index.doc(key))}) ({len(index.pages[key])})"
              for key in index.order]
    return lines + [""]


def tag_page(site: Site, key: str) -> list[str]:
    """One tag's page: the pages that carry it."""
    index = site.tags
    doc = index.doc(key)
    heading = label(index.heading(key))
    count = len(index.pages[key])
    return _front(json.dumps(index.heading(key), ensure_ascii=False)) + [
        f"# {heading}", "", f"{count} page{'s' if count != 1 else ''} tagged {heading}; "
        f"[all tags]({relative(doc, TAGS)}).", "",
        *[f"- {page_link(site, doc, path)}" for path in index.pages[key]], ""]


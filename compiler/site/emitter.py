"""The site emitter's entry point (emit stage): CompiledVault -> a MkDocs docs tree of plain Markdown.

Each vault page becomes its rewritten body plus generated sections; attachments are copied; the
generated pages, the graph data and the site's scripts and styles are written beside them.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..analyse import CompiledVault, parallel_map
from ..model import Page, gc_paused
from .anchors import plain_text, slugify, toc_slugs, unique
from .context import Site
from .keys import render_keys
from .query import CONFIG, DATASET, QUERY, QueryData, config_json, query_page
from .graphdata import graph_script
from .layout import ASSETS, generated, html_url, relative, root_of
from .pages import INDEXES, generated_pages
from .render import SEARCH_SECTIONS, PageHtml, esc, html_renderer
from .sections import companies, linked_from, local_graph_section, metadata, panel
from .writer import DocsDirError, Writer, write_file

STATIC = ("vaultc.css", "vaultc.js", "query.js", "search.js")
# Installed from package-lock.json by `npm ci` (make install) and shipped inside the site, so that
# nothing is fetched from a CDN: the graph library, and the shim Material's offline search needs.
VENDOR = {
    "cytoscape.min.js": "node_modules/cytoscape/dist/cytoscape.min.js",
    "iframe-worker-shim.js": "node_modules/iframe-worker/shim/index.js",
    # the Query page's engine, editor and result tables (query.py)
    "oxigraph/web.js": "node_modules/oxigraph/web.js",
    "oxigraph/web_bg.wasm": "node_modules/oxigraph/web_bg.wasm",
    "yasqe.min.js": "node_modules/@zazuko/yasqe/build/yasqe.min.js",
    "yasqe.min.css": "node_modules/@zazuko/yasqe/build/yasqe.min.css",
    "yasr.min.js": "node_modules/@zazuko/yasr/build/yasr.min.js",
    "yasr.min.css": "node_modules/@zazuko/yasr/build/yasr.min.css",
}


class AssetError(Exception):
    pass


@dataclass(frozen=True)
class EmitResult:
    docs_dir: Path
    pages: int
    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]
    seconds: float


def emit_site(vault: CompiledVault, docs_dir: Path, jobs: int | None = None,
              query: QueryData | None = None, recent: list[tuple[str, str]] | None = None) -> EmitResult:
    """`jobs`: processes rendering the pages (default: one per core, for a big vault). `query`:
    the graph and queries the Query page serves (without it, the page says it has no graph).
    `recent`: (page, day) of the pages git saw change lately, newest first, for the home page."""
    # As in compile: the site's look-ups and texts are many objects and no cycles worth collecting,
    # and every collection of the cyclic GC would walk the whole compiled vault again.
    with gc_paused():
        return _emit(vault, docs_dir, jobs, query, recent or [])


def _emit(vault: CompiledVault, docs_dir: Path, jobs: int | None, query: QueryData | None,
          recent: list[tuple[str, str]]) -> EmitResult:
    started = time.perf_counter()
    if Path(docs_dir).resolve().is_relative_to(vault.root.resolve()):
        # The next compile would read the emitted tree back as vault pages.
        raise DocsDirError(f"docs_dir {docs_dir} is inside the vault {vault.root}; put it elsewhere")
    vendor = {name: find_vendor(rel) for name, rel in VENDOR.items()}
    site = Site(vault)
    site.recent = recent
    writer = Writer(Path(docs_dir))
    # docs path -> digest of what its file was made from. Before a keyed file is made again, the
    # file of last run's keys is removed until this run ends: a killed run leaves no key beside a
    # file it did not make.
    written = _written_keys(writer.root)
    page_keys, generated_key = render_keys(site)
    keys = {site.doc(path): key for path, key in page_keys.items()}
    making = _Making(site, query, writer)
    work: list[tuple] = []  # ("file", docs path) of the files below to make
    if query is not None:
        for doc, key in ((DATASET, query.dataset_key), (CONFIG, query.config_key)):
            keys[doc] = key
            if not _kept(writer, doc, key, written):
                work.append(("file", doc))
    made = _kept_generated(writer, generated_key, written)
    if made is None:  # something they show changed: make them, and write those whose Markdown did
        making.generated = generated_pages(site)
        making.generated[QUERY] = query_page(root_of(QUERY))
        for doc, lines in sorted(making.generated.items(), key=lambda item: -len(item[1])):  # the longest first
            keys[doc] = hashlib.blake2b("\n".join(lines).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
            if not _kept(writer, doc, keys[doc], written):
                work.append(("file", doc))
        work.append(("file", GRAPH_DATA))
        keys[GRAPH_DATA] = generated_key
        made = sorted([*making.generated, GRAPH_DATA])
    else:
        keys.update((doc, written[doc][0]) for doc in made)
    todo = [path for path in sorted(site.pages) if not _kept(writer, site.doc(path), keys[site.doc(path)], written)]
    if work or todo:
        writer.discard(RENDER_KEYS)  # until this run ends: a killed run leaves no key beside a file it did not make
    for files in _made(making, work, todo, jobs):
        for doc, stamp in files:
            writer.record(doc, stamp)
    for path in vault.attachments:
        try:
            writer.copy(site.doc(path), vault.open_file(path))
        except OSError:  # gone, or swapped for something outside the vault since it was listed
            continue
    for name in STATIC:
        writer.bytes(f"{ASSETS}/{name}", resources.files(__package__).joinpath("assets", name).read_bytes())
    for name, source in vendor.items():
        writer.copy(f"{ASSETS}/{name}", source)
    stamps = {doc: [key, *(writer.stamp(doc) or [])] for doc, key in sorted(keys.items())}
    writer.text(RENDER_KEYS, json.dumps({**stamps, GENERATED: [generated_key, *made]}, separators=(",", ":")))
    if RENDER_KEYS in writer.written:
        writer.written.remove(RENDER_KEYS)  # no file of the site
    writer.prune()
    return EmitResult(Path(docs_dir), len(site.pages) + len(made) - 1, tuple(writer.written), writer.unchanged,
                      tuple(writer.removed), time.perf_counter() - started)


class _Making:
    """What this run makes its files from, as forked workers see it (they are handed docs paths)."""

    def __init__(self, site: Site, query: QueryData | None, writer: Writer) -> None:
        self.site, self.query, self.writer = site, query, writer
        self.generated: dict[str, list[str]] = {}  # generated page -> its Markdown lines

    def make(self, doc: str) -> bytes:
        """The Query page's files, a generated page or the graph data."""
        site = self.site
        if doc == DATASET:
            return self.query.dataset()
        if doc == CONFIG:
            return config_json(self.query.config(), lambda path: html_url(site.doc(path)))
        if doc == GRAPH_DATA:
            return graph_script(site).encode("utf-8")
        return generated_doc(self.generated[doc]).encode("utf-8")


_MAKING: _Making | None = None  # as forked workers see it


def _made(making: _Making, files: list[tuple], pages: list[str], jobs: int | None):
    """Make and write each of `files`, then the pages in batches: [(docs path, its stamp or None
    when unchanged: writer.write_file)] of each, in that order. Each depends only on the site
    (whose caches only memoise), so on a big vault every core makes and writes them: the Query
    page's graph and the generated pages (the health page of 10,000 pages alone took four
    seconds) beside the vault's pages, and the files (two seconds). Not when other
    threads run (`vaultc serve`): a forked child could inherit a lock one of them holds."""
    global _MAKING
    if threading.active_count() > 1:
        jobs = 1
    size = max(1, min(64, len(pages) // 16))
    work = files + [("pages", *pages[lo:lo + size]) for lo in range(0, len(pages), size)]
    # a pool pays for itself on many pages, or on the vault-wide files (the graph, the indexes)
    weight = len(pages) + (len(making.site.pages) if any(doc != CONFIG for _, doc in files) else 0)
    _MAKING = making
    try:
        yield from parallel_map(_make, work, jobs, pages=weight)
    finally:
        _MAKING = None


def _make(item: tuple) -> list[tuple[str, list[int] | None]]:
    kind, *names = item
    site, writer = _MAKING.site, _MAKING.writer
    made = [(names[0], _MAKING.make(names[0]))] if kind == "file" else \
        [(site.doc(path), page_markdown(site, path).encode("utf-8")) for path in names]
    return [(doc, write_file(writer.root, doc, data, writer.stamp(doc))) for doc, data in made]


# docs path -> [digest of what it was made from (keys.py), size, mtime_ns] of the files last written
RENDER_KEYS = ".vaultc-render.json"


def _written_keys(docs_dir: Path) -> dict[str, list]:
    try:
        keys = json.loads((docs_dir / RENDER_KEYS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return keys if isinstance(keys, dict) else {}


# in RENDER_KEYS: [digest of what the generated pages show (keys.py), their docs paths...]
GENERATED = "(generated)"
GRAPH_DATA = f"{ASSETS}/graph-data.js"


def _kept_generated(writer: Writer, key: str, written: dict[str, list]) -> list[str] | None:
    """The docs paths of the generated pages and graph data, kept as the last run wrote them, if
    they were made from `key` and are still as written; else None. The index and health pages
    read the whole vault: making them again was most of an emit after an edit to one page."""
    entry = written.get(GENERATED)
    if not isinstance(entry, list) or entry[:1] != [key]:
        return None
    docs = entry[1:]
    if not all(isinstance(written.get(doc), list) and writer.stamp(doc) == written[doc][1:] for doc in docs):
        return None
    for doc in docs:
        writer.keep(doc, written[doc][1:])
    return docs


def _kept(writer: Writer, doc: str, key: str, written: dict[str, list]) -> bool:
    """Whether the docs file was made from `key` and is still as it was written: then it is kept."""
    entry = written.get(doc)
    return isinstance(entry, list) and entry[:1] == [key] and writer.keep(doc, entry[1:])


def page_markdown(site: Site, path: str) -> str:
    """A vault page's docs file: Material's metadata, then the page as HTML, rendered here from the
    parser's tokens (render.py); the vaultc plugin hands it to MkDocs as the page's content."""
    page = site.pages[path]
    host = site.doc(path)
    toc: list[tuple[int, str, str]] = []
    # Search reads the page's prose: the panel, breadcrumbs and folded contents are left out of it.
    panel_html = _markdown_html(panel(site, page, host)).replace("<table>", "<table data-search-exclude>", 1)
    if path in site.unreadable:
        reason = site.unreadable[path]
        body = (f'<h1 id="{esc(toc_slugs([page.title])[0])}">{esc(page.title)}</h1>\n'
                f'<div class="admonition failure"><p class="admonition-title">This file could not be read</p>'
                f'<p>{esc(reason.message)}</p></div>\n')
        toc.append((1, toc_slugs([page.title])[0], esc(page.title)))
    else:
        renderer = PageHtml(site, path, host)
        body = renderer.render(page.body_line, len(site.body_lines(path)) - 1)
        toc += renderer.toc[:SEARCH_SECTIONS]  # the contents of a page of 100,000 headings: see SEARCH_SECTIONS
        first = page.headings[0] if page.headings else None
        if first is not None and first.level == 1 and "</h1>" in body:
            # The panel goes under the title, where Obsidian shows a page's properties.
            head, _, rest = body.partition("</h1>\n")
            body = head + "</h1>\n" + panel_html + rest
        else:
            body = panel_html + body
    used = {slug for _, slug, _ in toc}
    for lines in (companies(site, page, host), linked_from(site, page, host), local_graph_section(site, page, host)):
        body += _markdown_html(lines, used, toc)
    return "\n".join(metadata(page, toc)) + _breadcrumbs(page, host) + _phone_toc(body, toc)


def _breadcrumbs(page: Page, host: str) -> str:
    """Where the page sits: its type's index (vaultc.js also marks that entry in the navigation)."""
    name, heading = INDEXES.get(page.type if page.type in INDEXES else "note")
    return (f'<nav class="vaultc-crumbs" aria-label="Breadcrumb" data-search-exclude><a href="{esc(relative(host, generated(name)))}">'
            f'{esc(heading)}</a> <span aria-hidden="true">›</span> {esc(page.title)}</nav>\n')


def _phone_toc(body: str, toc: list[tuple[int, str, str]]) -> str:
    """The page with its table of contents folded under the title, for screens too narrow for
    Material's sidebar (vault pages are not in the navigation, where Material puts it there)."""
    entries = [(level, slug, name) for level, slug, name in toc if level in (2, 3)]
    if len(entries) < 2:
        return body
    items = "".join(f'<li class="vaultc-toc-{level}"><a href="#{esc(slug)}">{name}</a></li>'
                    for level, slug, name in entries)
    folded = f'<details class="vaultc-phone-toc" data-search-exclude><summary>On this page</summary><ul>{items}</ul></details>\n'
    head, found, rest = body.partition("</h1>\n")
    return head + found + folded + rest if found else folded + body


def _markdown_html(lines: list[str], used: set[str] | None = None, toc: list | None = None) -> str:
    """Generated Markdown as HTML; each `#`/`##` heading gets toc's id, unique on the page (the ids
    pages.py and tags.py link to are computed the same way)."""
    out, chunk = [], []
    md = html_renderer()
    for line in lines + ["## "]:
        level = 1 if line.startswith("# ") else 2 if line.startswith("## ") else 0
        if not level:
            chunk.append(line)
            continue
        out.append(md.render("\n".join(chunk)))
        chunk = []
        title = line[level + 1:].strip()
        if title and used is not None and toc is not None:
            name = plain_text(title)
            slug = unique(slugify(name, "-"), used)
            toc.append((level, slug, esc(name)))
            out.append(f'<h{level} id="{slug}">{md.renderInline(title)}<a class="headerlink" href="#{slug}" '
                       f'title="Permanent link">&para;</a></h{level}>\n')
    return "".join(out)


# Search ranks the generated pages (indexes, health, tags) below the vault's own pages.
GENERATED_BOOST = 0.3


def generated_doc(lines: list[str]) -> str:
    """A generated page (frontmatter, then Markdown) as its docs file: frontmatter and HTML."""
    end = lines.index("---", 1)
    toc: list[tuple[int, str, str]] = []
    body = _markdown_html(lines[end + 1:], set(), toc)
    return "\n".join([*lines[:end], f"vaultc_toc: {json.dumps(toc)}", "search:", f"  boost: {GENERATED_BOOST}",
                      "---", ""]) + body


def find_vendor(rel: str) -> Path:
    """A file of node_modules/: under $VAULTC_NODE_MODULES' parent, the working folder, or the
    checkout this package runs from."""
    roots = [Path(os.environ["VAULTC_NODE_MODULES"]).parent] if os.environ.get("VAULTC_NODE_MODULES") else []
    roots += [Path.cwd(), Path(__file__).resolve().parents[2]]
    for root in roots:
        if (root / rel).is_file():
            return root / rel
    raise AssetError(f"{rel} is missing: run `npm ci` in the vaultc checkout (make install), "
                     "or set VAULTC_NODE_MODULES to a node_modules folder that has it")

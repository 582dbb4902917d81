"""Rebuilding only the pages whose docs changed (emit stage, inside `vaultc site` and `serve`).

A built site carries a stamp: the MkDocs configuration it was built with and the size and
modification time of every docs file it was built from. The emitter rewrites a docs file only when
its content changes, so on the next run the files whose stamp entry differs (or that are new) are
exactly the pages to render again, and the files gone from the stamp are the pages to remove. When
the configuration is the same and fixes the navigation (its own `nav:`, so that a page that comes
or goes changes no other page's menu), MkDocs renders just those pages, in this process, into a
staging folder; their HTML, the search index with their entries swapped in (and the sitemap, when
pages came or went) then replace the old files. Anything else (the first build, a changed
mkdocs.yml, most of the pages changed, a plugin that gathers from every page) is a full build.

MkDocs has no public call for building some pages (mkdocs/mkdocs #990, #1705, #2220, #3695: its
`--dirty` rebuilds by file time but keeps a stale navigation and fails --strict), so this runs the
steps of its own `build()` (mkdocs.commands.build) page by page: the same plugins, templates and
link checks, so a page comes out as a full build makes it (tests/test_site_partial.py compares
them byte for byte). What `build()` checks across pages is checked here for the pages rebuilt:
every link and anchor they hold, against the targets' anchors as their docs files have them; a
warning fails the build, as --strict does, and leaves the site as it was.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from pathlib import Path

from .writer import scan

STAMP = ".vaultc-built.json"  # in the site folder: hidden, so MkDocs and web servers leave it alone
# Above this share of the pages, a full build is about as fast and simpler to trust.
MOST = 0.25
# Plugins known to work page by page, beside their on_post_build (the search index is merged).
KNOWN_PLUGINS = frozenset({"material/search", "search", "material/offline", "offline", "vaultc-sanitize"})


class Unavailable(Exception):
    """The site cannot be brought up to date page by page: build it whole."""


def docs_state(docs_dir: Path) -> dict[str, list[int]]:
    """docs path -> [size, mtime_ns] of every file MkDocs would read (dot-files are excluded)."""
    return scan(docs_dir, hidden=False)


def config_digest(config_file: Path) -> str | None:
    """What a built page depends on besides its docs file: the configuration (with the files it
    INHERITs) and the versions of MkDocs, Material and vaultc. None when the configuration pulls in
    folders of its own (a theme's custom_dir, hooks), whose changes a stamp would not see."""
    from importlib.metadata import version

    digest = hashlib.blake2b(digest_size=16)
    config_file = Path(config_file).resolve()
    seen: set[Path] = set()
    while config_file not in seen:
        seen.add(config_file)
        text = config_file.read_bytes()
        if b"custom_dir" in text or b"hooks" in text:
            return None
        digest.update(str(config_file).encode() + b"\0" + text + b"\0")
        inherit = _INHERIT.search(text)
        if inherit is None:
            break
        config_file = (config_file.parent / inherit.group(1).decode().strip("'\"")).resolve()
    for package in ("mkdocs", "mkdocs-material", "vaultc"):
        digest.update(f"\0{package} {version(package)}".encode())
    return digest.hexdigest()


_INHERIT = re.compile(rb"^INHERIT:\s*(\S.*?)\s*$", re.MULTILINE)


def record(target: Path, config: str | None, state: dict[str, list[int]]) -> None:
    """Stamp a site just built from `state` (nothing, when it cannot be rebuilt page by page)."""
    stamp = target / STAMP
    if config is None:
        stamp.unlink(missing_ok=True)
        return
    staged = stamp.with_name(stamp.name + ".tmp")
    staged.write_text(json.dumps({"config": config, "docs": state}, separators=(",", ":")), encoding="utf-8")
    os.replace(staged, stamp)


def changed_pages(target: Path, config: str | None, state: dict[str, list[int]]) -> tuple[list[str], list[str]]:
    """(the docs files to render again, new ones included; the docs files gone), or Unavailable
    when the site must be built whole."""
    try:
        stamp = json.loads((target / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise Unavailable("no stamp") from None
    if config is None or not isinstance(stamp, dict) or stamp.get("config") != config:
        raise Unavailable("another configuration")
    old = stamp.get("docs")
    if not isinstance(old, dict):
        raise Unavailable("no stamp")
    changed = sorted(doc for doc, now in state.items() if old.get(doc) != now)
    gone = sorted(doc for doc in old if doc not in state)
    pages = sum(1 for doc in state if doc.endswith(".md"))
    if sum(1 for doc in changed + gone if doc.endswith(".md")) > max(20, MOST * pages):
        raise Unavailable("most pages changed")
    return changed, gone


def rebuild(config_file: Path, target: Path, changed: list[str], gone: list[str], staging: Path) -> None:
    """Render the `changed` docs files (pages, or files MkDocs copies) into `staging`, merge the
    search index (and write the sitemap again when pages came or went), then move them into
    `target` and delete what the `gone` docs files had made. A warning raises PageWarnings with
    the messages; `target` is then untouched."""
    from mkdocs.commands.build import _build_page, _build_theme_template, _populate_page
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files, set_exclusions
    from mkdocs.structure.nav import get_navigation
    from mkdocs.structure.pages import Page

    index_file = target / "search" / "search_index.json"
    if not index_file.is_file():
        raise Unavailable("no search index")
    warnings = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(warnings)
    try:
        config = load_config(str(config_file), site_dir=str(staging), strict=True)
        others = set(config.plugins) - KNOWN_PLUGINS
        if others:  # a plugin may gather from every page (a blog, a tags index): it needs them all
            raise Unavailable(f"plugins {sorted(others)}")
        came = [doc for doc in changed if not (target / _output(config, doc)).exists()]
        if (came or gone) and config.nav is None:
            raise Unavailable("pages came or went, and the navigation lists every page")
        config.plugins.on_startup(command="build", dirty=False)
        config = config.plugins.on_config(config)
        config.plugins.on_pre_build(config=config)
        files = get_files(config)
        env = config.theme.get_env()
        # (not files.add_files_from_theme: the theme's own files are in the site already, and
        # listing them took a quarter of an edit's rebuild)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        nav = config.plugins.on_nav(nav, config=config, files=files)
        env = config.plugins.on_env(env, config=config, files=files)
        wanted = set(changed)
        pages, copies = [], []
        for file in files:
            if file.src_uri not in wanted:
                continue
            if file.is_documentation_page():
                if file.page is None:
                    Page(None, file, config)
                pages.append(file.page)
            else:
                copies.append(file)
        if len(pages) + len(copies) != len(wanted):
            raise Unavailable("a changed file is not one MkDocs builds")
        for page in pages:
            _populate_page(page, config, files)
        for file in copies:
            file.copy_file()
        doc_files = files.documentation_pages()
        for page in pages:
            _build_page(page, config, doc_files, nav, env)
        _check_anchors(pages, files, config)
        if warnings.messages:
            raise PageWarnings(warnings.messages)
        _merge_search_index(config, index_file, pages, doc_files, reorder=bool(came or gone))
        if came or gone:
            for file in doc_files:  # the sitemap lists every page
                if file.page is None:
                    Page(None, file, config)
            _build_theme_template("sitemap.xml", env, files, config, nav)
        config.plugins.on_post_build(config=config)
        outputs = [_output(config, doc) for doc in gone]
    finally:
        logger.removeHandler(warnings)
    _move_into(staging, target)
    for output in outputs:
        (target / output).unlink(missing_ok=True)


def _output(config, doc: str) -> str:
    """Where the docs file `doc` lands in the site."""
    from mkdocs.structure.files import File

    return File(doc, config.docs_dir, config.site_dir, config.use_directory_urls).dest_uri


class PageWarnings(Exception):
    def __init__(self, messages: list[str]) -> None:
        super().__init__(f"{len(messages)} warning(s)")
        self.messages = messages


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname:<8}-  {record.getMessage()}")


def _check_anchors(pages, files, config) -> None:
    """MkDocs' anchor check for the rebuilt pages: a target page not rendered in this run has the
    anchors its docs file holds (vaultc writes every page's HTML into its docs file)."""
    from .sanitize import anchor_ids

    for page in pages:
        for to_file in page.links_to_anchors or {}:
            target = to_file.page
            if target is not None and target.present_anchor_ids is None:
                target.present_anchor_ids = anchor_ids(Path(to_file.abs_src_path).read_text(encoding="utf-8"))
    for page in pages:
        page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)


def _merge_search_index(config, index_file: Path, pages, doc_files, reorder: bool) -> None:
    """The site's search index: the rebuilt pages' new entries and every other page's old ones, in
    the order of the docs files (the order a full build adds them in); Material's search plugin
    writes it out in on_post_build.

    The old index is spliced as text, not parsed and written again (on 10,000 pages it is 24 MB:
    loading and dumping it was a third of an edit's MkDocs time). Material writes it with
    json.dumps and compact separators, each entry an object whose first key is "location"; inside
    a JSON string every quote is escaped, so `,{"location":` can only begin an entry, and a page's
    entries follow one another. When pages came or went (`reorder`), every page's entries are
    placed again in the docs files' order."""
    plugin = search_plugin(config)
    if plugin is None:
        return
    head, body = _index_parts(index_file.read_text(encoding="utf-8"))
    new: dict[str, list[str]] = {}
    for entry in plugin.search_index.entries:
        new.setdefault(entry["location"].split("#", 1)[0], []).append(
            "," + json.dumps(entry, separators=(",", ":"), default=str))
    spliced = body
    for page in pages if not reorder else ():
        spliced = _spliced(spliced, page.url, new.get(page.url, []))
        if spliced is None:  # a page with no entries before: place every page's entries in order
            break
    body = _regrouped(body, pages, new, doc_files) if reorder or spliced is None else spliced
    merged = head + body[1:] + "]}"
    plugin.search_index.generate_search_index = lambda prev: merged


_ENTRY = ',{"location":'


def search_plugin(config):
    """Material's (or MkDocs') search plugin of a loaded configuration, or None."""
    return next((p for name, p in config.plugins.items() if name.split("/")[-1] == "search"), None)


def _index_parts(text: str) -> tuple[str, str]:
    """(`{"config":{…},"docs":[`, the entries, each with its leading comma) of a search index
    Material wrote; Unavailable if it is not one."""
    head, sep, body = text.partition(',"docs":[')
    if not sep or not body.endswith("]}") or not (body == "]}" or body.startswith(_ENTRY[1:])):
        raise Unavailable("a search index vaultc cannot read")
    try:
        json.loads(head + "}")
    except ValueError:
        raise Unavailable("a search index vaultc cannot read") from None
    return head + sep, "," + body[:-2]


def _spliced(body: str, url: str, entries: list[str]) -> str | None:
    """`body` with the entries of the page at `url` replaced by `entries`; None when it has none."""
    marker = _ENTRY + json.dumps(url)[:-1]  # the location's opening quote and the page's URL
    starts = [at for at in (body.find(marker + '"'), body.find(marker + "#")) if at >= 0]
    if not starts:
        return None
    start = end = min(starts)
    while True:
        end = body.find(_ENTRY, end + 1)
        if end < 0 or not (body.startswith(marker, end) and body[end + len(marker)] in '"#'):
            end = len(body) if end < 0 else end
            break
    rest = body[end:]
    if rest.find(marker + '"') >= 0 or rest.find(marker + "#") >= 0:
        raise Unavailable("a page's search entries are apart")
    return body[:start] + "".join(entries) + rest


def _regrouped(body: str, pages, new: dict[str, list[str]], doc_files) -> str:
    """Every page's entries in the order of the docs files: the rebuilt pages' new ones, the old
    ones of the rest (a page that came or went moves every entry after it)."""
    by_page: dict[str, list[str]] = {}
    decode = json.JSONDecoder().raw_decode
    for entry in body.split(_ENTRY)[1:]:
        by_page.setdefault(decode(entry)[0].split("#", 1)[0], []).append(_ENTRY + entry)
    by_page.update((page.url, new.get(page.url, [])) for page in pages)
    return "".join(entry for file in doc_files for entry in by_page.get(file.url, ()))


def _move_into(staging: Path, target: Path) -> None:
    for folder, _, names in os.walk(staging):
        for name in names:
            source = Path(folder, name)
            destination = target / source.relative_to(staging)
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, destination)
    shutil.rmtree(staging, ignore_errors=True)

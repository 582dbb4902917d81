"""A whole build of the site (emit stage, inside `vaultc site` and `serve`): MkDocs' own build,
taken step by step as mkdocs.commands.build.build() takes them, with its longest step on every
core.

That step is the last loop: each page put into the theme's template, and Material's search
plugin reading the page's HTML back for the index (about two thirds of a build of vaultc's
pages, which vaultc has rendered already). MkDocs runs it one page after another; here the pages
are split among the worker processes of the one process pool (analyse.parallel_map), forked once
every page is read and rendered, so each worker sees the same pages, navigation and templates
that a serial build would. A worker writes its pages' HTML and hands back their search entries;
this process puts the entries in page order, checks the anchors and runs the plugins' last event,
as `build()` does. The site is byte for byte what `mkdocs build` makes
(tests/test_site_build.py).

MkDocs has no hook to build pages in parallel, so the steps are written out here, as partial.py
writes them out for some pages. With a plugin that is not known to work page by page (one may
gather from every page as they are built), MkDocs' own build() runs instead.

Run as `python -m compiler.site.whole MKDOCS_YML SITE_DIR` (build.py runs it in a process of its
own, under a time limit): strict, warnings printed as MkDocs prints them, exit 1 on any.
"""
from __future__ import annotations

import logging
import sys

from ..analyse import parallel_map
from .partial import KNOWN_PLUGINS, search_plugin

_BUILD = None  # (config, doc_files, nav, env, search plugin, counter): what forked workers see


def build(config_file: str, site_dir: str, jobs: int | None = None) -> int:
    """Build the site of `config_file` into `site_dir`, strict: the number of warnings (and
    errors) logged; the site is complete only when that is 0."""
    from mkdocs.commands import build as mkdocs_build
    from mkdocs.config import load_config

    counter = _Count()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(counter)
    try:
        config = load_config(config_file, site_dir=site_dir, strict=True)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            if set(config.plugins) - KNOWN_PLUGINS:
                mkdocs_build.build(config)
            else:
                _build(config, counter, jobs)
        except mkdocs_build.Abort:
            pass  # the warnings are counted (and were printed)
        finally:
            config.plugins.on_shutdown()
    finally:
        logger.removeHandler(counter)
    return counter.count


def _build(config, counter: _Count, jobs: int | None) -> None:
    """mkdocs.commands.build.build(config) of MkDocs 1.6, without --dirty or serve's drafts, the
    pages built by every core."""
    global _BUILD
    from mkdocs import utils
    from mkdocs.commands.build import _build_extra_template, _build_theme_template, _populate_page
    from mkdocs.exceptions import Abort, BuildError
    from mkdocs.structure.files import InclusionLevel, get_files, set_exclusions
    from mkdocs.structure.nav import get_navigation
    from mkdocs.structure.pages import Page

    log = logging.getLogger("mkdocs.commands.build")
    try:
        config = config.plugins.on_config(config)
        config.plugins.on_pre_build(config=config)
        utils.clean_directory(config.site_dir)
        files = get_files(config)
        env = config.theme.get_env()
        files.add_files_from_theme(env, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        nav = config.plugins.on_nav(nav, config=config, files=files)
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
        for file in doc_files:
            if file.page is None and file.inclusion.is_not_in_nav():
                Page(None, file, config)
        for page in nav.pages:  # what every page's template shows of the others: read them here
            _populate_page(page, config, files)
        env = config.plugins.on_env(env, config=config, files=files)
        files.copy_static_files(inclusion=InclusionLevel.is_included)
        for template in config.theme.static_templates:
            _build_theme_template(template, env, files, config, nav)
        for template in config.extra_templates:
            _build_extra_template(template, files, config, nav)
        search = search_plugin(config)
        _BUILD = (config, files, doc_files, nav, env, search, counter)
        entries = []
        try:
            for built, anchors, warned in parallel_map(_build_pages, _batches(len(doc_files)), jobs,
                                                       pages=len(doc_files)):
                entries += built
                counter.count += warned
                for src_uri, (present, links) in anchors.items():
                    page = files.get_file_from_path(src_uri).page
                    page.present_anchor_ids = present
                    page.links_to_anchors = {files.get_file_from_path(to): found for to, found in links.items()}
        finally:
            _BUILD = None
        if search is not None:
            search.search_index.entries = entries
        for file in doc_files:
            file.page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
        config.plugins.on_post_build(config=config)
        if counter.count:
            raise Abort(f"Aborted with {counter.count} warnings in strict mode!")
    except Exception as e:
        config.plugins.on_build_error(error=e)
        if isinstance(e, BuildError):
            log.error(str(e))
            raise Abort("Aborted with a BuildError!") from None
        raise


def _batches(count: int) -> list[range]:
    """Page numbers in runs of a few dozen: the workers take the next run when done, so they
    finish together."""
    size = max(8, min(64, count // 32 or 1))
    return [range(lo, min(lo + size, count)) for lo in range(0, count, size)]


def _build_pages(numbers: range) -> tuple[list[dict], dict, int]:
    """Read, render and build these pages (their HTML written into the site): (their search
    entries, in order; for each page, the anchors it holds and the anchors it links to, for the
    check that needs every page; how many warnings they logged: a forked worker's are not counted
    by its parent)."""
    from mkdocs.commands.build import _build_page, _populate_page

    config, files, doc_files, nav, env, search, counter = _BUILD
    before = counter.count
    if search is not None:
        search.search_index.entries = []
    anchors = {}
    for n in numbers:
        page = doc_files[n].page
        if page.content is None:  # (the navigation's pages were read before the workers started)
            _populate_page(page, config, files)
        _build_page(page, config, doc_files, nav, env)
        anchors[page.file.src_uri] = (page.present_anchor_ids, {
            to.src_uri: found for to, found in (page.links_to_anchors or {}).items()})
    entries = search.search_index.entries if search is not None else []
    warned = counter.count - before
    counter.count = before  # the caller adds it: the same whether this ran here or in a worker
    return entries, anchors, warned


class _Count(logging.Handler):
    """Counts warnings and errors, as MkDocs' strict mode does."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def main(argv: list[str]) -> int:
    config_file, site_dir = argv
    shown = logging.StreamHandler(sys.stderr)
    shown.setLevel(logging.WARNING)
    shown.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.setLevel(logging.INFO)
    logger.addHandler(shown)
    warnings = build(config_file, site_dir)
    if warnings:
        print(f"Aborted with {warnings} warning(s) in strict mode!", file=sys.stderr)
    return 1 if warnings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

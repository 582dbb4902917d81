"""Stage 4, analyse: run discover -> parse -> resolve, build the graph, judge the claims, and hand
back one immutable `CompiledVault`. Every emitter (reports, RDF, site) reads only this object.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping

from . import claims as claim_rules
from .cache import PageStore, ParseCache, unpickle_page
from .config import Config
from .discover import Discovery, discover, open_in_vault, read_page
from .graph import build_graph, orphans
from .model import ClaimVerdict, Finding, Page, Problem, Resolution, SourceFile, gc_paused, made
from .parse import parse_page, parse_pages
from .resolve import Index, resolve_all
from .rules import REGISTRY, run_rules

if TYPE_CHECKING:  # networkx is imported when a graph is built, not by every command's start
    import networkx as nx

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class CompiledVault:
    root: Path
    config: Config
    today: dt.date
    pages: Mapping[str, Page]
    attachments: tuple[str, ...]
    unreadable: tuple[tuple[str, Problem], ...]  # pages that could not be read at all
    resolutions: tuple[Resolution, ...]
    index: Index = field(compare=False)
    verdicts: tuple[ClaimVerdict, ...] = ()
    # Where the vault holds less than every page (an incremental check keeps each page's findings,
    # not the page: incremental.py), what its pages cannot tell: the orphans and every page's
    # inline suppressions. None: read from the pages and resolutions.
    orphan_paths: tuple[str, ...] | None = None
    all_suppressions: Mapping[str, tuple[tuple[int, str], ...]] | None = field(default=None, compare=False)

    @functools.cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The knowledge graph, built when first asked for: `vaultc check` never needs it."""
        return build_graph(self.pages, self.attachments, self.resolutions)

    def page_digests(self, make: Callable[[Page], bytes]) -> dict[str, bytes]:
        """make(page) of every page: a digest of what an emitter reads of one page alone (a
        compile with a store keeps them between runs: compile.Vault)."""
        return {path: make(page) for path, page in self.pages.items()}

    def orphans(self) -> list[str]:
        """Pages no other page links to."""
        if self.orphan_paths is not None:
            return list(self.orphan_paths)
        return orphans(self.pages, self.resolutions)

    def open_file(self, path: str) -> int:
        """A descriptor of one of the vault's files (an attachment to copy), opened as discovery's
        open_in_vault opens pages: it cannot lead out of the vault. Raises OSError."""
        abspath = str(self.root.resolve() / path)
        return open_in_vault(SourceFile(path, abspath, 0, path.lower().endswith(".md")))

    @functools.cached_property
    def findings(self) -> list[Finding]:
        """What every rule finds, at its configured severity, in report order."""
        return run_rules(self, list(REGISTRY))

    def suppressions(self, path: str) -> tuple[tuple[int, str], ...]:
        """The page's `<!-- vaultc: ignore … -->` comments as (line, rule or "*")."""
        if self.all_suppressions is not None:
            return self.all_suppressions.get(path, ())
        page = self.pages.get(path)
        return page.suppressions if page is not None else ()


def compile_vault(root: Path, config: Config, today: dt.date | None = None,
                  max_age_days: int | None = None, progress: Progress | None = None,
                  jobs: int | None = None, claims: bool = True, cache: ParseCache | None = None,
                  found: Discovery | None = None) -> CompiledVault:
    """`found`: the vault's files as discover() listed them (default: listed now)."""
    with gc_paused():
        return _compile(root, config, today or dt.date.today(), max_age_days, progress, jobs, claims, cache,
                        found or discover(root, config))


def _compile(root: Path, config: Config, today: dt.date, max_age_days: int | None, progress: Progress | None,
             jobs: int | None, claims: bool, cache: ParseCache | None, found: Discovery) -> CompiledVault:
    pages: dict[str, Page] = {}
    unreadable = list(found.rejected)
    sources = [f for f in found.files if f.is_page]
    parsed = parse_sources(sources, config.max_file_bytes, jobs, claims, cache)
    # Each page is indexed and its claims judged as it arrives, while the workers parse the next
    # ones; what needs every page (resolving links) waits for the last. Pages arrive in path order.
    index = Index({}, ())
    verdicts: list[ClaimVerdict] = []
    for done, (path, page, problem) in enumerate(parsed, 1):
        if problem is not None:
            unreadable.append((path, problem))
        else:
            pages[path] = page
            index.add(page)
            verdicts += judge_page(page, config, today, max_age_days)
        if progress is not None:
            progress(done, len(sources))
    if cache is not None:
        cache.save_manifest()
    attachments = tuple(f.path for f in found.files if not f.is_page)
    # A page that exists but cannot be read is still a link target; index it by name only.
    readable = list(pages.values())
    for path, _ in unreadable:
        if path.lower().endswith(".md") and path not in pages:
            pages[path] = parse_page(path, "")
            index.add(pages[path])
    for path in attachments:
        index.add_attachment(path)
    resolutions = tuple(resolve_all(index, readable))
    return CompiledVault(root, config, today, MappingProxyType(pages), attachments, tuple(unreadable),
                         resolutions, index, tuple(verdicts))


# Below this many pages a process pool costs more than it saves.
PARALLEL_MIN_PAGES = 400


def parse_sources(sources: list[SourceFile], max_bytes: int, jobs: int | None = None, claims: bool = True,
                  cache: ParseCache | None = None):
    """(path, Page or None, Problem or None) for each source, in order. Pages the cache already
    holds (same path and text) are loaded, the rest parsed; parsing is a pure function of one file,
    so a big vault's misses are spread over every core."""
    store = cache.store if cache is not None else None
    done: dict[int, tuple[str, Page | None, Problem | None]] = {}
    todo: list[tuple[int, SourceFile]] = []
    trusted = cache.trusted(sources) if cache is not None else {}
    known = [trusted.get(source.path) for source in sources]
    stored = cache.recall_all((d, s.path) for d, s in zip(known, sources) if d) if cache is not None else {}
    for i, (source, digest) in enumerate(zip(sources, known)):
        page = stored.get(digest) if digest else None
        if page is not None:
            done[i] = (source.path, page, None)
        else:
            todo.append((i, source))
    batches = [([source for _, source in todo[lo:lo + BATCH]], max_bytes, claims, store)
               for lo in range(0, len(todo), BATCH)]
    results = _unbatched(parallel_map(read_and_parse_batch, batches, jobs, pages=len(todo)))
    pending = iter(todo)
    for i, source in enumerate(sources):
        while i not in done:
            at, todo_source = next(pending)
            path, digest, parsed, problem = next(results)
            if isinstance(parsed, bytes):
                parsed = unpickle_page(parsed, path) or parse_page(path, read_page(todo_source, max_bytes)[0], claims)
            if digest is not None:
                cache.record(todo_source, digest)
                cache.remember(digest, parsed)
            done[at] = (path, parsed, problem)
        yield done.pop(i)


def _workers_for(pages: int, jobs: int | None) -> int:
    """How many processes parse this many pages: one per core (or `jobs`), or just this one when
    a pool would cost more than it saves."""
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    return 1 if pages < PARALLEL_MIN_PAGES else max(jobs, 1)


def parallel_map(func, work: list, jobs: int | None = None, pages: int | None = None):
    """`map(func, work)`, in order, over a pool of forked processes (one per core, or `jobs`) when
    the work is big enough to pay for one: `pages` (a page per item unless given). A forked
    worker sees the parent's memory as it was."""
    batched = pages is not None
    jobs = _workers_for(pages if batched else len(work), jobs)
    if jobs <= 1:
        yield from map(func, work)
        return
    # Imported here: a check that parses a few pages (most incremental runs) starts without them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_become_worker) as pool:
        # Small chunks: the cores finish together (the last chunk of 625 pages left one core idle
        # for up to half a second on 10k pages); more chunks cost next to nothing.
        chunk = 1 if batched else min(64, max(16, len(work) // (jobs * 8)))
        yield from pool.map(func, work, chunksize=chunk)


_IN_WORKER = False  # set in the pool's worker processes


def _become_worker() -> None:
    global _IN_WORKER
    _IN_WORKER = True


BATCH = 64  # pages read, parsed and stored together (see parse_pages, PageStore.put_many)


def _unbatched(batches):
    """The results of read_and_parse_batch's batches, one by one."""
    for results in batches:
        yield from results


def read_and_parse_batch(batch: tuple[list[SourceFile], int, bool, PageStore | None]):
    """[(path, digest or None, Page — or its pickle, when it crosses a process boundary anyway —,
    problem)] for each source. The batch's pages are parsed together (parse_pages); with a store,
    the ones parsed here are stored together, in one transaction."""
    sources, max_bytes, claims, store = batch
    results: list = [None] * len(sources)
    read: list[tuple[int, str, str]] = []
    for i, source in enumerate(sources):
        text, problem = read_page(source, max_bytes)
        if problem is not None:
            results[i] = (source.path, None, None, problem)
        else:
            read.append((i, source.path, text))
    texts = [(path, text) for _, path, text in read]
    if store is None:
        for (i, path, _), page in zip(read, parse_pages(texts, claims)):
            results[i] = (path, None, page, None)
        return results
    for (i, path, _), (digest, parsed) in zip(read, stored_or_parsed(store, texts, claims, _IN_WORKER)):
        results[i] = (path, digest, parsed, None)
    return results


def stored_or_parsed(store: PageStore, texts: list[tuple[str, str]], claims: bool,
                     pickled: bool = False) -> list[tuple[str, Any]]:
    """(digest, page) of each (path, text): the page the store holds for it, or the text parsed now
    (with the others, parse_pages) and stored (whole: the site reads its prose), all in one
    transaction. `pickled`: the page as its blob, for a worker whose answer is pickled anyway (a
    stored page is then not even unpickled here)."""
    found: list[tuple[str, Any]] = []
    missing: list[tuple[int, str, str]] = []
    for path, text in texts:
        digest = store.digest(path, text)
        blob = store.get_blob(digest)
        if blob is not None and pickled:
            found.append((digest, blob))
            continue
        page = unpickle_page(blob, path) if blob is not None else None
        if page is None:  # not stored yet, or corrupt
            missing.append((len(found), path, text))
        found.append((digest, page))
    new: list[tuple[str, bytes]] = []
    for (i, _, _), page in zip(missing, parse_pages([(path, text) for _, path, text in missing], claims)):
        digest = found[i][0]
        blob = pickle.dumps(page, protocol=pickle.HIGHEST_PROTOCOL)
        new.append((digest, blob))
        found[i] = (digest, blob if pickled else page)
    if new:
        store.put_many(new)
    return found


def max_age_for(page: Page, config: Config, override: int | None = None) -> int:
    """Most specific wins: the page's `max_age_days`, then its type's, then the vault's (which
    `--max-age` replaces)."""
    own = page.meta.get("max_age_days")
    if isinstance(own, int) and not isinstance(own, bool) and own > 0:
        return own
    if page.type in config.max_age_by_type:
        return config.max_age_by_type[page.type]
    return override or config.max_age_days


def judge_claims(pages, config: Config, today: dt.date, override: int | None) -> list[ClaimVerdict]:
    """The verdicts on every page's claims, pages in path order."""
    return [v for page in sorted(pages, key=lambda p: p.path) for v in judge_page(page, config, today, override)]


def judge_page(page: Page, config: Config, today: dt.date, override: int | None) -> list[ClaimVerdict]:
    return judge(page.path, page.claims, max_age_for(page, config, override), today)


def judge(path: str, claims, max_age: int, today: dt.date) -> list[ClaimVerdict]:
    """The verdicts on one page's claims (given with the page's max age)."""
    verdicts = []
    for claim in claims:  # (made: every run judges every claim of the vault again, 50,000 on 10,000 pages)
        status = claim_rules.verdict(claim, today, max_age)
        verdicts.append(made(ClaimVerdict, {"path": path, "claim": claim, "status": status, "max_age_days": max_age,
                                            "message": claim_rules.message(claim, status, today, max_age)}))
    return verdicts


def stderr_progress(label: str = "parsing") -> Progress | None:
    """A one-line progress bar on stderr, only when a person is watching it."""
    if not sys.stderr.isatty():
        return None

    def report(done: int, total: int) -> None:
        if total < 300:
            return
        if done == total or done % 50 == 0:
            width = 30
            filled = width * done // total
            sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            if done == total:
                sys.stderr.write("\r" + " " * (width + len(label) + 30) + "\r")
            sys.stderr.flush()

    return report

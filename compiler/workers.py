"""A cold check on every core, without moving pages between processes.

compile_vault (analyse.py) parses in worker processes and sends every page back, because the site,
the RDF graph and the claims listing need all of them in one place. A check needs only findings.
Here each worker keeps the pages it parsed: the main process builds the link index from the names,
aliases, headings and block ids the workers report, hands the finished index to each of them, and
each resolves and checks its own pages against it — as an incremental check re-checks the pages an
edit affects — and sends back their diagnostics and the pages they link to. Orphans, the one rule
that needs every page's links, are found from those. On 10k pages, pickling every page out of its
worker and back in cost about 1.1 s of CPU, twice what resolving and checking them takes; and
those two steps, which ran on one core after the last page was parsed, now run on every core.
The findings are compile_vault's + run_rules's (tests/test_workers.py).

With a cache (`state_on_workers`), the workers also load the pages the parse cache holds and store
the ones they parse, and check their pages into the tables of the incremental check's state, which
the main process joins (tests/test_incremental.py runs every edit from such a state).
"""
from __future__ import annotations

import datetime as dt
import os
import pickle
import traceback
from pathlib import Path

from .analyse import PARALLEL_MIN_PAGES, Progress, compile_vault, judge_claims, read_and_parse_batch
from .cache import PageStore, ParseCache
from .rules import diagnose
from .config import Config
from .discover import Discovery, discover
from . import incremental
from .incremental import GLOBAL_RULES, CheckResult, CheckState, PartialVault, check_pages
from .model import Page, Problem, SourceFile
from .parse import parse_page
from .resolve import Index, resolve_all

CHUNK = 64  # pages per request: small, so that the workers finish together
IN_FLIGHT = 2  # requests queued per worker, so that none waits for the next


def check_vault(root: Path, config: Config, today: dt.date | None, max_age: int | None, claims: bool,
                cache: ParseCache, progress: Progress | None = None, jobs: int | None = None) -> CheckResult:
    """incremental.check_vault, with a cold start on every core (state_on_workers)."""
    return incremental.check_vault(root, config, today, max_age, claims, cache, progress, jobs, state_on_workers)


def check_cold(root: Path, config: Config, today: dt.date, max_age: int | None, rule_ids: list[str],
               progress: Progress | None = None, jobs: int | None = None) -> CheckResult:
    """The selected rules' diagnostics on the whole vault, parsing every page (no cache)."""
    claims = any(r in rule_ids for r in ("stale-claim", "overdue-claim"))
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    found = discover(root, config)
    sources = [f for f in found.files if f.is_page]
    if jobs <= 1 or len(sources) < PARALLEL_MIN_PAGES or not _can_fork():
        vault = compile_vault(root, config, today, max_age, progress, jobs, claims, prose=False)
        diagnostics = diagnose(vault, rule_ids)
        return CheckResult(diagnostics, tuple(vault.pages), len(vault.resolutions), today, len(sources),
                           len(vault.pages), tuple(path for path, page in vault.pages.items() if page.queries))
    attachments = tuple(f.path for f in found.files if not f.is_page)
    share = _Share(today, max_age, config, [r for r in rule_ids if r not in GLOBAL_RULES], attachments)
    with _Pool(jobs, sources, config.max_file_bytes, claims, share) as pool:
        index, unread, _ = pool.parse(progress)
        refused = _complete(index, found, unread, attachments)
        shares = pool.check(index)
    shares.append(share.check(index, refused, dict(found.rejected)))
    diagnostics, linked, links, suppressions, queried = [], set(), 0, {}, []
    for found_here, linked_here, links_here, suppressions_here, queried_here in shares:
        diagnostics += found_here
        linked |= linked_here
        links += links_here
        suppressions.update(suppressions_here)
        queried += queried_here
    paths = [s.path for s in sources if s.path not in unread] + list(refused) + list(unread)
    unreadable = (*found.rejected, *unread.items())
    view = PartialVault(root=root, config=config, today=today, pages={}, attachments=attachments,
                        unreadable=unreadable, resolutions=(), index=index,
                        orphan_paths=tuple(p for p in sorted(paths) if p not in linked), all_suppressions=suppressions)
    diagnostics += diagnose(view, [r for r in rule_ids if r in GLOBAL_RULES])
    return CheckResult(diagnostics, tuple(paths), links, today, len(sources), len(paths), tuple(sorted(queried)))


def state_on_workers(found: Discovery, config: Config, today: dt.date, max_age: int | None, claims: bool,
                     cache: ParseCache, key: tuple, progress: Progress | None = None,
                     jobs: int | None = None) -> CheckState | None:
    """A cold check with a cache, the same way: each worker parses its pages (or loads them from the
    parse cache), stores what it parsed, and later checks its pages into the tables of a
    `CheckState` (incremental.py), which the main process joins. None where a pool does not pay
    (small vaults, one core, no fork): incremental.py then compiles the vault itself."""
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    sources = [f for f in found.files if f.is_page]
    if jobs <= 1 or len(sources) < PARALLEL_MIN_PAGES or not _can_fork():
        return None
    attachments = tuple(f.path for f in found.files if not f.is_page)
    known = {s.path: digest for s in sources if (digest := cache.known(s))}
    share = _Share(today, max_age, config, [], attachments, tables=True)
    with _Pool(jobs, sources, config.max_file_bytes, claims, share, cache.store, known) as pool:
        index, unread, digests = pool.parse(progress)
        for source in sources:
            if source.path in digests:
                cache.record(source, digests[source.path])
        cache.save_manifest()
        refused = _complete(index, found, unread, attachments)
        shares = pool.check(index)
    unreadable = {**dict(found.rejected), **unread}
    state = CheckState(key=key, digests={**digests, **{p: "!" + problem.message for p, problem in unreadable.items()}},
                       attachments=attachments, rejected=found.rejected, unreadable=unreadable, index=index,
                       wants={}, links_to={}, links={}, suppressions={}, diagnostics={}, today=today, datable={})
    for tables in shares:
        for name, table in zip(_TABLES, tables):
            getattr(state, name).update(table)
    for path, keys in state.wants.items():
        for wanted_key in keys:
            state.wanted_by[wanted_key].add(path)
    state.count_inbound()
    check_pages(state, refused, config, today, max_age)  # the refused pages, here
    others = PartialVault(root=Path("."), config=config, today=today, pages={}, attachments=attachments,
                          unreadable=tuple((p, problem) for p, problem in found.rejected if p not in refused),
                          resolutions=(), index=index)
    state.keep(diagnose(others, ["unreadable-file"]))  # refused files that are not pages
    return state


_TABLES = ("wants", "links_to", "links", "suppressions", "diagnostics", "datable", "queries")


def _complete(index: Index, found: Discovery, unread: dict[str, Problem], attachments: tuple[str, ...]) -> dict[str, Page]:
    """Add what the workers did not report to the index, in compile_vault's order (read pages, then
    refused ones, then the ones that could not be read, then attachments): files discovery refused
    and pages that could not be read are link targets too. The refused pages, which the main process
    checks itself, are returned."""
    refused = {path: parse_page(path, "") for path, _ in found.rejected if path.lower().endswith(".md")}
    for page in refused.values():
        index.add(page)
    for path in unread:
        index.add(parse_page(path, ""))
    for path in attachments:
        index.add_attachment(path)
    return refused


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


class _Share:
    """What checks one share of the vault's pages against the whole index, in whichever process
    holds them."""

    def __init__(self, today: dt.date, max_age: int | None, config: Config, rule_ids: list[str],
                 attachments: tuple[str, ...], tables: bool = False) -> None:
        self.today, self.max_age, self.config = today, max_age, config
        self.rule_ids, self.attachments, self.tables = rule_ids, attachments, tables

    def check(self, index: Index, pages: dict[str, Page], unreadable: dict[str, Problem]):
        """(diagnostics, the other pages these link to, how many links, suppressions by page); or,
        for a check state (`tables`), that state's tables for these pages (see _TABLES)."""
        if self.tables:
            state = CheckState(key=(), digests={}, attachments=self.attachments, rejected=(), unreadable=unreadable,
                               index=index, wants={}, links_to={}, links={}, suppressions={}, diagnostics={},
                               datable={})
            check_pages(state, pages, self.config, self.today, self.max_age)
            return tuple(getattr(state, name) for name in _TABLES)
        # Without a cache nothing is kept for a next run: check_pages's tables (what each page's
        # links want, per-page link sets, the claim table) would cost half as much again.
        readable = [page for path, page in pages.items() if path not in unreadable]
        resolutions = tuple(resolve_all(index, readable))
        suppressions = {path: page.suppressions for path, page in pages.items() if page.suppressions}
        view = PartialVault(root=Path("."), config=self.config, today=self.today, pages=pages,
                            attachments=self.attachments, unreadable=tuple(unreadable.items()),
                            resolutions=resolutions, index=index,
                            verdicts=tuple(judge_claims(readable, self.config, self.today, self.max_age)),
                            all_suppressions=suppressions)
        linked = {r.target for r in resolutions if r.target is not None and r.target != r.source}
        queried = [path for path, page in pages.items() if page.queries]
        return diagnose(view, self.rule_ids), linked, len(resolutions), suppressions, queried


class _Pool:
    """Forked worker processes, each holding the pages it parsed until the index is ready."""

    def __init__(self, jobs: int, sources: list[SourceFile], max_bytes: int, claims: bool, share: _Share,
                 store: PageStore | None = None, known: dict[str, str] | None = None) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.sources = sources
        self.conns, self.processes = [], []
        for _ in range(jobs):
            ours, theirs = context.Pipe()
            process = context.Process(target=_work, args=(theirs, sources, max_bytes, claims, share, store, known or {}),
                                      daemon=True)
            process.start()
            theirs.close()
            self.conns.append(ours)
            self.processes.append(process)

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            if process.is_alive():
                process.terminate()
            process.join()
        for conn in self.conns:
            conn.close()

    def parse(self, progress: Progress | None) -> tuple[Index, dict[str, Problem], dict[str, str]]:
        """Every page parsed in some worker: the index of the readable ones (added in path order,
        as compile_vault adds them), the pages that could not be read, and the readable pages'
        digests in the parse cache (when there is one)."""
        total = len(self.sources)
        chunks = [(lo, min(lo + CHUNK, total)) for lo in range(0, total, CHUNK)]
        waiting = iter(chunks)
        for worker in range(len(self.conns)):
            for chunk in [next(waiting, None) for _ in range(IN_FLIGHT)]:
                if chunk is not None:
                    self._send(worker, chunk)
        index, unread, digests = Index({}, ()), {}, {}
        arrived: dict[int, list] = {}
        added = done = 0
        while added < len(chunks):
            worker, (lo, entries) = self._receive()
            chunk = next(waiting, None)
            if chunk is not None:
                self._send(worker, chunk)
            arrived[lo] = entries
            while added < len(chunks) and chunks[added][0] in arrived:
                for path, name, aliases, headings, block_ids, problem, digest in arrived.pop(chunks[added][0]):
                    if problem is None:
                        index.add_entry(path, name, aliases, headings, block_ids)
                        if digest is not None:
                            digests[path] = digest
                    else:
                        unread[path] = problem
                    done += 1
                    if progress is not None:
                        progress(done, total)
                added += 1
        return index, unread, digests

    def check(self, index: Index) -> list:
        """Each worker's share checked against the finished index, in worker order."""
        blob = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
        for worker in range(len(self.conns)):
            self._send(worker, None)  # no more pages: the index follows
            self._send(worker, blob, raw=True)
        shares: dict[int, tuple] = {}
        while len(shares) < len(self.conns):
            worker, share = self._receive(exclude=shares)
            shares[worker] = share
        return [shares[i] for i in range(len(self.conns))]

    def _receive(self, exclude=()):
        """(worker number, message) from the next worker to answer, leaving out the ones in
        `exclude` (which have finished); a worker that failed or died fails the check."""
        from multiprocessing.connection import wait

        waiting = [i for i in range(len(self.conns)) if i not in exclude]
        by_handle = {self.conns[i]: i for i in waiting}
        by_handle.update({self.processes[i].sentinel: i for i in waiting})
        while True:
            ready = wait(list(by_handle))
            conns = [handle for handle in ready if handle in self.conns]
            if not conns:  # only exits: a worker died before it answered
                worker = by_handle[ready[0]]
                if self.conns[worker].poll():
                    continue
                self._died(worker)
            worker = by_handle[conns[0]]
            try:
                kind, message = conns[0].recv()
            except (EOFError, OSError):  # closed, or reset by a worker that died
                self._died(worker)
            if kind == "failed":
                raise RuntimeError(f"a worker process failed:\n{message}")
            return worker, message

    def _send(self, worker: int, message, raw: bool = False) -> None:
        try:
            self.conns[worker].send_bytes(message) if raw else self.conns[worker].send(message)
        except OSError:  # a worker that died
            self._died(worker)

    def _died(self, worker: int):
        process = self.processes[worker]
        process.join(1)
        raise RuntimeError(f"a worker process exited (code {process.exitcode}) before it answered")


def _work(conn, sources: list[SourceFile], max_bytes: int, claims: bool, share: _Share, store: PageStore | None,
          known: dict[str, str]) -> None:
    """A worker: parse the chunks it is sent, keeping the pages; then, given the index, check them."""
    pages: dict[str, Page] = {}
    unread: dict[str, Problem] = {}
    try:
        while (chunk := conn.recv()) is not None:
            entries = []
            results = _pages(sources[chunk[0]:chunk[1]], max_bytes, claims, store, known)
            for path, digest, page, problem in results:
                if problem is not None:
                    unread[path] = problem
                    entries.append((path, "", (), (), frozenset(), problem, None))
                    continue
                pages[path] = page
                entries.append((page.path, page.name, page.aliases, [(h.level, h.text) for h in page.headings],
                                page.block_ids, None, digest))
            conn.send(("parsed", (chunk[0], entries)))
        index = pickle.loads(conn.recv_bytes())
        for path in unread:  # a page that cannot be read is still checked: for unreadable-file
            pages[path] = parse_page(path, "")
        conn.send(("checked", share.check(index, pages, unread)))
    except KeyboardInterrupt:  # Ctrl-C reaches every process of the group: the main one reports it
        pass
    except BaseException:  # noqa: BLE001 — reported to the main process, which fails the check
        try:
            conn.send(("failed", traceback.format_exc()))
        except OSError:  # the main process is gone
            pass
    finally:
        conn.close()


def _pages(sources: list[SourceFile], max_bytes: int, claims: bool, store: PageStore | None, known: dict[str, str]):
    """[(path, digest in the parse cache or None, page, problem)] in order: a page unchanged since
    the last run from the cache, not even read; the others read_and_parse_batch's (whole pages
    with a cache, for the other commands)."""
    stored: dict[str, tuple] = {}
    for source in sources:
        digest = known.get(source.path)
        page = store.get(digest, source.path) if digest is not None else None
        if page is not None:
            stored[source.path] = (source.path, digest, page, None)
    results = read_and_parse_batch(([s for s in sources if s.path not in stored], max_bytes, claims, store,
                                    store is not None))
    if not stored:
        return results
    fresh = iter(results)
    return [stored[source.path] if source.path in stored else next(fresh) for source in sources]

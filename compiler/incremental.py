"""Incremental checks: re-parse only the pages that changed, and re-resolve and re-check only the
pages whose results can depend on them.

The last check's results are kept in the cache (see cache.py) as a `CheckState`: each page's digest,
the link index (names, aliases, headings, block ids — never page bodies), what every page's links
ask for, which pages each page links to, and each page's findings. On the next run:

1. discover the vault; a file whose size and modification time are unchanged keeps its digest,
   any other is read and hashed, so a touched-but-identical file is no change;
2. nothing changed (and the same settings, the same day): the stored findings are the answer;
3. otherwise the changed pages are taken out of the index and put back as they now are. A link can
   only lead to a page whose name or alias equals the link's last path segment (or whole target),
   so the pages affected are the changed ones, every page with a link that asks for one of the
   names the changed pages had before or have now, and every page that shares one of those names
   (its duplicate-alias finding may come or go): `affected_pages`. Only those are resolved and
   checked again, on a CompiledVault of them against the whole index;
4. orphans — the one whole-vault question — come from the stored "links to" sets of every page;
5. on another day only the claims' verdicts can differ: the claims that can age (snapshots and
   forecasts, with each page's max age) are kept in a record of their own, read on the first run
   of a day and judged again; no page is parsed, resolved or checked again for that.

The result equals a full compile's (tests/test_incremental.py compares them); anything the state
cannot answer (another vaultc, other settings, attachments added or removed) falls
back to a full compile, which still loads unchanged pages from the parse cache.
"""
from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .analyse import CompiledVault, Progress, compile_vault, judge, judge_claims, max_age_for, parse_sources
from .cache import ParseCache, ShardedTables, patch_limit
from .rules import CLAIM_RULES, REGISTRY, diagnose
from .config import Config
from .discover import discover
from .model import Finding, Page, Problem, SourceFile, gc_paused
from .parse import parse_page
from .resolve import Index, resolve_all, wanted

# Answered from the whole vault on every run, never stored per page: orphans from the inbound
# counts; query errors by compile.Vault, which runs the query blocks on the graph.
GLOBAL_RULES = ("orphan-page", "query-error")
LINK_TABLES = ("index", "wants", "wanted_by", "links_to")
# What a run saves as a patch on the state record (see save_state): each page's entries in these
# tables, for the pages checked since the record was written whole, and these fields.
PAGE_TABLES = ("digests", "unreadable", "inbound", "links", "suppressions", "findings", "queries")
PATCHED_FIELDS = ("shards", "today", "claims_token", "claims_behind")


def save_state(cache: ParseCache, state: "CheckState", links: bool = True, claims: bool = False) -> None:
    """`links=False` when the link tables are the ones already saved: an edit that changed no
    page's names, headings, block ids or link targets rewrites only the findings. `claims`
    when the claim table was built or brought up to date (a cold check, a new day)."""
    if links or not state.shards:
        tables = {**{name: getattr(state.index, name) for name in Index.TABLES},
                  "wants": state.wants, "wanted_by": state.wanted_by, "links_to": state.links_to}
        state.shards = ShardedTables.save(cache, "check-index", tables)
    if (claims or not state.claims_token) and state.datable is not None:
        state.claims_token = os.urandom(8).hex()
        state.claims_behind = set()  # the table in memory has every page's claims as they now are
        cache.write("check-claims", (state.claims_token, state.datable))
    if state.generation and len(state.touched) <= patch_limit(len(state.digests)):
        # the pages checked since the record was written whole, as they now are
        touched = tuple(state.touched)
        tables = tuple({p: table[p] for p in touched if p in table}
                       for table in (getattr(state, name) for name in PAGE_TABLES))
        cache.write_patch("check", state.generation,
                          (touched, tables, {name: getattr(state, name) for name in PATCHED_FIELDS}))
    else:
        state.touched = set()
        state.generation = cache.write_whole("check", state)


def load_state(cache: ParseCache) -> CheckState | None:
    """The state as the last run saved it: the record, and the patch written on it since."""
    found = cache.read_whole("check", CheckState)
    if found is None:
        return None
    generation, state, patch = found
    state.generation = generation
    if patch is not None:
        touched, tables, fields = patch
        for name, entries in zip(PAGE_TABLES, tables):
            table = getattr(state, name)
            for path in touched:
                table.pop(path, None)
            table.update(entries)
        state.__dict__.update(fields)
        state.touched = set(touched)
    return state


def _load_links(cache: ParseCache, state: "CheckState") -> None:
    """The link tables, as tables that load the shards of the keys asked for (a shard that does
    not belong to this state raises LookupError when it is asked for)."""
    if state.index is not None:
        return
    shards = ShardedTables(cache, "check-index", state.shards,
                           {**Index.TABLES, "wants": None, "wanted_by": set, "links_to": None})
    state.index = Index.over(shards.tables)
    state.wants, state.wanted_by, state.links_to = (shards.tables[t] for t in ("wants", "wanted_by", "links_to"))


@dataclass
class CheckState:
    key: tuple
    digests: dict[str, str]  # page -> digest of its text ("!" and the reason when it cannot be read)
    attachments: tuple[str, ...]
    rejected: tuple[tuple[str, Problem], ...]  # files discovery refused (symlinks out of the vault…)
    unreadable: dict[str, Problem]
    index: Index
    wants: dict[str, frozenset[str]]  # page -> the keys its links ask for
    links_to: dict[str, frozenset[str]]  # page -> the other pages it links to
    links: dict[str, int]  # page -> number of links
    suppressions: dict[str, tuple[tuple[int, str], ...]]
    findings: dict[str, list[Finding]]  # page -> what its rules found there
    wanted_by: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # page -> how many other pages link to it (kept up to date with links_to; none: an orphan).
    # What each run needs of the link sets, so they stay in the link tables' shards.
    inbound: dict[str, int] = field(default_factory=dict)
    queries: dict[str, int] = field(default_factory=dict)  # page -> how many query blocks it holds
    shards: tuple[str, ...] = ()  # pairs this record with its link tables' shards, kept apart (see save_state)
    today: dt.date | None = None  # the day the claims were judged on
    # page -> (its max age, its claims that can age): read on the first run of a day, from a record
    # of its own (paired by claims_token); pages checked again since it was saved are in claims_behind.
    datable: dict[str, tuple[int, tuple]] | None = None
    claims_token: str = ""
    claims_behind: set[str] = field(default_factory=set)
    generation: str = ""  # the id of the record last written whole, which patches name
    touched: set[str] = field(default_factory=set)  # pages whose entries changed since (see save_state)

    def __getstate__(self) -> dict:
        # A no-change run needs only the findings: the link tables and the claim table, the bulk
        # of the state, are stored in records of their own and loaded when a page or the day changed.
        return {**self.__dict__, **dict.fromkeys(LINK_TABLES), "datable": None}

    def forget(self, path: str) -> None:
        """Drop what the page's last check left, but its links (link() sets them anew)."""
        self.touched.add(path)
        for key in self.wants.pop(path, ()):
            self.wanted_by[key].discard(path)
        for table in (self.links, self.suppressions, self.findings, self.queries):
            table.pop(path, None)
        if self.datable is not None:
            self.datable.pop(path, None)
        self.claims_behind.add(path)

    def link(self, path: str, targets: frozenset[str]) -> None:
        """Set the pages `path` links to, and count each target's inbound links up or down."""
        before = self.links_to.get(path, _NO_TARGETS)
        if before == targets:  # as saved: its shard stays as it is
            return
        if targets:
            self.links_to[path] = targets
        else:
            del self.links_to[path]
        for target in before - targets:
            left = self.inbound[target] - 1
            if left:
                self.inbound[target] = left
            else:
                del self.inbound[target]
            self.touched.add(target)
        for target in targets - before:
            self.inbound[target] = self.inbound.get(target, 0) + 1
            self.touched.add(target)

    def keep(self, found: Iterable[Finding]) -> None:
        """Store what rules found, under each finding's page."""
        for finding in found:
            self.findings.setdefault(finding.path, []).append(finding)
            self.touched.add(finding.path)


_NO_TARGETS: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CheckResult:
    findings: list[Finding]
    pages: tuple[str, ...]
    links: int
    today: dt.date
    reparsed: int  # pages parsed (not loaded from the cache) this run
    rechecked: int  # pages resolved and checked again this run
    queried: tuple[str, ...] = ()  # pages holding query blocks


class Face(NamedTuple):
    """What a page offers links: the names they may ask for (its name, aliases, path forms) and
    its headings and block ids."""

    names: set[str]
    anchors: tuple


def affected_pages(before: Mapping[str, Face | None], after: Mapping[str, Face | None],
                   wanted_by: Mapping[str, set[str]], sharing: Callable[[str], Iterable[str]]) -> set[str]:
    """The pages to resolve and check again after the pages in `before` and `after` changed (their
    faces before and after; None: absent). A page whose names changed, or that came or went,
    affects every page that may link to it by one of its old or new names (`wanted_by`: name ->
    pages whose links ask for it) and every page sharing one (`sharing(name)`: the pages that
    hold it now, whose duplicate-alias findings may come or go); a page whose headings or block
    ids changed affects the pages that may link to it; any other edit affects the page alone."""
    pages = {path for path, face in after.items() if face is not None}
    names: set[str] = set()
    for path in before.keys() | after.keys():
        old, new = before.get(path), after.get(path)
        if old is None or new is None or old.names != new.names:
            touched = (old.names if old else set()) | (new.names if new else set())
            names |= touched
            for name in touched:
                pages.update(sharing(name))
        elif old.anchors != new.anchors:
            names |= new.names
    for name in names:
        pages |= wanted_by.get(name, set())
    return pages - {path for path, face in after.items() if face is None}


def check_vault(root: Path, config: Config, today: dt.date | None, max_age: int | None, claims: bool,
                cache: ParseCache, progress: Progress | None = None, jobs: int | None = None) -> CheckResult:
    """Every rule's findings on the vault, reusing the last run's results where nothing changed.
    The new state stays in `cache.held` for the next run of this process; `cache.flush()` saves it."""
    with gc_paused():
        return _check_vault(root, config, today or dt.date.today(), max_age, claims, cache, progress, jobs)


def _check_vault(root: Path, config: Config, today: dt.date, max_age: int | None, claims: bool, cache: ParseCache,
                 progress: Progress | None, jobs: int | None) -> CheckResult:
    # What the stored state depends on ("check", the state's format, then the settings); not the
    # day, which only the claims' verdicts depend on (see _judge_again).
    key = ("check", 2, max_age, claims, config.exclude, config.max_file_bytes, config.max_age_days,
           tuple(sorted(config.max_age_by_type.items())))
    found = discover(root, config)
    state = cache.held.pop("check", None) or load_state(cache)
    result, links, new_day, new_table = None, True, False, False
    if state is not None and state.key == key and state.rejected == found.rejected \
            and state.attachments == tuple(f.path for f in found.files if not f.is_page):
        try:
            if state.today != today:
                new_table = _judge_again(state, today, config, max_age, cache)
                new_day = True
            result, links = _update(state, found.files, config, today, max_age, claims, cache, jobs)
        except Exception:  # a state that loads but does not hold together: start afresh
            result, links = None, True
    if result is None:  # no state to start from: the whole vault compiled, its pages checked
        vault = compile_vault(root, config, today, max_age, progress, jobs, claims, cache)
        state = _state_of(vault, key, found.rejected, cache, max_age)
        result = _result(state, today, reparsed=-1, rechecked=len(state.digests))
        new_table = True
    cache.held["check"] = state
    if result.rechecked or new_day or new_table:
        cache.later(lambda: save_state(cache, state, links, claims=new_table))
    return result


def _judge_again(state: CheckState, today: dt.date, config: Config, max_age: int | None, cache: ParseCache) -> bool:
    """Another day: every stored claim judged again, each page's claim findings replaced. Pages
    checked again since the claim table was saved give their claims from the parse cache; whether
    there were any (and the table is to be saved again) is returned."""
    if state.datable is None:
        record = cache.read("check-claims", tuple)
        if not record or len(record) != 2 or record[0] != state.claims_token:
            raise LookupError("the claim table does not belong to this state")
        state.datable = record[1]
    for path in state.claims_behind:
        digest = state.digests.get(path)
        if digest is None or digest.startswith("!"):  # gone, or unreadable: no claims
            state.datable.pop(path, None)
            continue
        page = cache.recall(digest, path)
        if page is None:
            raise LookupError(f"{path} is no longer in the parse cache")
        _keep_datable(state, page, config, max_age)
    changed = bool(state.claims_behind)
    state.claims_behind = set()
    for path, findings in state.findings.items():
        if path in state.datable or any(f.rule in CLAIM_RULES for f in findings):
            state.findings[path] = [f for f in findings if f.rule not in CLAIM_RULES]
            state.touched.add(path)
    # Judged as analyse judges them, reported by the claim rules themselves (suppressions and all).
    verdicts = tuple(v for path, (age, claims) in state.datable.items() for v in judge(path, claims, age, today))
    view = CompiledVault(root=Path("."), config=None, today=today, pages={}, attachments=(), unreadable=(),
                         resolutions=(), index=None, verdicts=verdicts, all_suppressions=state.suppressions)
    state.keep(diagnose(view, CLAIM_RULES))
    state.today = today
    return changed


def _keep_datable(state: CheckState, page: Page, config: Config, max_age: int | None) -> None:
    """Put the page's claims that can age (not events) in the claim table."""
    claims = tuple(c for c in page.claims if c.kind != "event")
    if claims:
        state.datable[page.path] = (max_age_for(page, config, max_age), claims)
    else:
        state.datable.pop(page.path, None)


def _update(state: CheckState, files: Iterable[SourceFile], config: Config, today: dt.date, max_age: int | None,
            claims: bool, cache: ParseCache, jobs: int | None) -> tuple[CheckResult, bool]:
    """The result, and whether the link tables (index, wants) changed."""
    sources = {f.path: f for f in files if f.is_page}
    # Which pages changed: a trusted stat keeps the old digest; the others are read (and parsed if new).
    trusted = cache.trusted(sources.values())
    suspects = [s for path, s in sources.items() if path not in state.digests or trusted.get(path) != state.digests[path]]
    fresh: dict[str, Page] = {}
    digests: dict[str, str] = {}
    problems: dict[str, Problem] = {}
    for path, page, problem in parse_sources(suspects, config.max_file_bytes, jobs, claims, cache):
        if problem is not None:
            problems[path] = problem
            page = parse_page(path, "")
        fresh[path] = page
        digests[path] = "!" + problem.message if problem is not None else cache.seen[path].digest
    if suspects:  # what was read is trusted next time without reading
        cache.save_manifest()
    changed = {p for p in fresh if digests[p] != state.digests.get(p)}
    rejected = {p for p, _ in state.rejected}
    removed = set(state.digests) - set(sources) - rejected
    if not changed and not removed:
        return _result(state, today, reparsed=0, rechecked=0), False
    _load_links(cache, state)

    # Patch the index, noting what each changed page offered links before and after.
    before: dict[str, Face | None] = {}
    after: dict[str, Face | None] = {}
    for path in changed | removed:
        before[path] = Face(state.index.provides(path), state.index.anchors(path)) if path in state.digests else None
        if path in state.digests:
            state.index.remove(path)
        if path in changed:
            state.index.add(fresh[path])
        after[path] = Face(state.index.provides(path), state.index.anchors(path)) if path in changed else None
    links = bool(removed) or before != after

    def sharing(name: str):
        return (*state.index.by_alias.get(name, ()), *state.index.by_name.get(name, ()))

    affected = affected_pages(before, after, state.wanted_by, sharing)

    # Bring the affected pages back (from the cache: they did not change) and check them.
    for path in removed:
        state.forget(path)
        state.link(path, _NO_TARGETS)
        state.unreadable.pop(path, None)
        del state.digests[path]
    for path in changed:
        state.touched.add(path)
        state.digests[path] = digests[path]
        if path in problems:
            state.unreadable[path] = problems[path]
        else:
            state.unreadable.pop(path, None)
    pages = {p: fresh[p] if p in fresh else _load(cache, p, state.digests[p], sources.get(p), config, claims)
             for p in sorted(affected)}
    wants = {p: state.wants.get(p) for p in pages}
    check_pages(state, pages, config, today, max_age)
    links = links or any(state.wants.get(p) != before for p, before in wants.items())
    return _result(state, today, len(changed), len(affected)), links


def _load(cache: ParseCache, path: str, digest: str, source: SourceFile | None, config: Config,
          claims: bool) -> Page:
    """An unchanged page, from the parse cache (or parsed again if the cache lost it)."""
    if digest.startswith("!") or source is None:  # unreadable, or refused by discovery
        return parse_page(path, "")
    page = cache.recall(digest, path)
    if page is None:
        (_, page, problem), = parse_sources([source], config.max_file_bytes, 1, claims, cache)
        page = page if problem is None else parse_page(path, "")
    return page


def check_pages(state: CheckState, pages: dict[str, Page], config: Config, today: dt.date, max_age: int | None,
                compiled: CompiledVault | None = None) -> None:
    """Resolve and run the rules on `pages` against the whole index and store what they find; a
    full compile (`compiled`) has resolved and judged them already."""
    readable = [page for path, page in pages.items() if path not in state.unreadable]
    if compiled is None:
        resolutions = resolve_all(state.index, readable)
        # The affected pages compiled against the whole vault's index: every finding of the rules
        # run here (all but GLOBAL_RULES) stands on one of them.
        compiled = CompiledVault(
            root=Path("."), config=config, today=today, pages=pages, attachments=state.attachments,
            unreadable=tuple((p, problem) for p, problem in state.unreadable.items() if p in pages),
            resolutions=tuple(resolutions), index=state.index,
            verdicts=tuple(judge_claims(readable, config, today, max_age)))
    links_to: dict[str, set[str]] = {}
    for path, page in pages.items():
        state.forget(path)
        state.wants[path] = frozenset(key for link in page.links for key in wanted(link))
        for key in state.wants[path]:
            state.wanted_by[key].add(path)
        links_to[path] = set()
        state.links[path] = 0
        state.suppressions[path] = page.suppressions
        state.findings[path] = []
        if page.queries:
            state.queries[path] = len(page.queries)
    for res in compiled.resolutions:
        state.links[res.source] += 1
        if res.target is not None and res.target != res.source:
            links_to[res.source].add(res.target)
    for path, targets in links_to.items():
        state.link(path, frozenset(targets))
    state.keep(diagnose(compiled, [r for r in REGISTRY if r not in GLOBAL_RULES]))
    state.claims_behind.update(pages)  # until a claim table with them is saved
    if state.datable is not None:  # the claim table is in memory (a full compile, or --watch)
        for path, page in pages.items():
            if path in state.unreadable:
                state.datable.pop(path, None)
            else:
                _keep_datable(state, page, config, max_age)


def _state_of(vault: CompiledVault, key: tuple, rejected: tuple[tuple[str, Problem], ...], cache: ParseCache,
              max_age: int | None) -> CheckState:
    state = CheckState(
        key=key, digests={p: cache.seen[p].digest for p in vault.pages if p in cache.seen},
        attachments=vault.attachments, rejected=rejected, unreadable=dict(vault.unreadable), index=vault.index,
        wants={}, links_to={}, links={}, suppressions={}, findings={}, today=vault.today, datable={})
    for path, problem in vault.unreadable:
        state.digests[path] = "!" + problem.message
    check_pages(state, dict(vault.pages), vault.config, vault.today, max_age, compiled=vault)
    return state


def _result(state: CheckState, today: dt.date, reparsed: int, rechecked: int) -> CheckResult:
    """Every page's stored findings, and the orphans of the vault as it now is."""
    orphans = tuple(sorted(p for p in state.digests if p not in state.inbound))
    view = CompiledVault(root=Path("."), config=None, today=today, pages={}, attachments=(),
                         unreadable=tuple(state.unreadable.items()), resolutions=(), index=None,
                         orphan_paths=orphans, all_suppressions=state.suppressions)
    found = [finding for path in sorted(state.findings) for finding in state.findings[path]]
    found += diagnose(view, GLOBAL_RULES)
    return CheckResult(found, tuple(sorted(state.digests)), sum(state.links.values()), today, reparsed, rechecked,
                       tuple(sorted(state.queries)))



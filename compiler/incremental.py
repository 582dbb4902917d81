"""Incremental checks: re-parse only the pages that changed, and re-resolve and re-check only the
pages whose results can depend on them.

The last check's results are kept in the store (cache.py) a row per page (`PageResult`: the
digest of its text, the keys its links ask for, the pages they reach, its findings) and a row
per key of its link index (names, aliases, headings, block ids — never page bodies). On the next run:

1. discover the vault; a file whose size and modification time are unchanged keeps its digest,
   any other is read and hashed, so a touched-but-identical file is no change;
2. nothing changed (and the same settings, the same day): the stored findings are the answer;
3. otherwise the changed pages are taken out of the index and put back as they now are. A link can
   only lead to a page whose name or alias equals the link's last path segment (or whole target),
   so the pages affected are the changed ones, every page with a link that asks for one of the
   names the changed pages had before or have now, and every page that shares one of those names
   (its duplicate-alias finding may come or go): `affected_pages`. Only those are resolved and
   checked again, on a CompiledVault of them against the whole index, whose rows are read a
   key at a time;
4. orphans — the one whole-vault question — come from every page's "links to" set;
5. on another day only the claims' verdicts can differ: each page's claims that can age are
   kept in a row of their own, read on the first run of a day and judged again; no page is
   parsed, resolved or checked again for that.

A run writes back only the rows it changed, with a new generation, in one transaction; a run
that finds the generation changed under it (another process saved a check meanwhile) compiles the
whole vault instead. The result equals a full compile's (tests/test_incremental.py compares
them); what the stored rows cannot answer (another vaultc, other settings, attachments added or
removed) is a full compile too, which still loads unchanged pages from the store.
"""
from __future__ import annotations

import datetime as dt
import marshal
import pickle
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .analyse import CompiledVault, Progress, compile_vault, judge, judge_claims, max_age_for, parse_sources
from . import seal
from .cache import ROWS, KeyTable, ParseCache, StoreChanged, index_rows
from .rules import CLAIM_RULES, REGISTRY, diagnose
from .config import Config
from .discover import Discovery, discover
from .model import Finding, Page, Problem, Severity, SourceFile, gc_paused
from .parse import parse_page
from .resolve import Index, resolve_all, wanted

# Answered from the whole vault on every run, never stored per page: orphans from the inbound
# counts; query errors by compile.Vault, which runs the query blocks on the graph.
GLOBAL_RULES = ("orphan-page", "query-error")


class PageResult(NamedTuple):
    """What the last check found on one page: a row of the store's `results`."""

    digest: str  # of the page's text ("!" and the reason when it cannot be read)
    problem: Problem | None  # why it cannot be read
    wants: frozenset[str]  # the keys its links ask for
    links_to: frozenset[str]  # the other pages its links reach
    links: int
    suppressions: tuple[tuple[int, str], ...]
    findings: tuple[Finding, ...]  # what the rules found on it (all but GLOBAL_RULES)
    queries: int  # how many query blocks it holds

    def row(self) -> bytes:
        problem = self.problem
        return marshal.dumps((
            self.digest, None if problem is None else (problem.rule, problem.message, problem.line, problem.column),
            tuple(self.wants), tuple(self.links_to), self.links, self.suppressions,
            tuple((f.rule, int(f.severity), *f[2:]) for f in self.findings), self.queries), ROWS)

    @classmethod
    def of_row(cls, row: bytes) -> PageResult:
        digest, problem, wants, links_to, links, suppressions, findings, queries = marshal.loads(row)
        return cls(digest, None if problem is None else Problem(*problem), frozenset(wants), frozenset(links_to),
                   links, suppressions, tuple([Finding(rule, _SEVERITY[severity], *rest)
                                               for rule, severity, *rest in findings]), queries)


_SEVERITY = {int(s): s for s in Severity}  # Severity(n) is Python code: 26,000 findings on 10,000 pages


@dataclass
class LastCheck:
    """The last check as this run reads it and leaves it: every page's result, the link index
    (read from the store a key at a time, or held whole after a cold check), and which rows
    this run changed."""

    key: tuple  # the settings the results depend on
    attachments: tuple[str, ...]
    rejected: tuple[tuple[str, Problem], ...]  # files discovery refused (symlinks out of the vault…)
    today: dt.date  # the day the claims were judged on
    results: dict[str, PageResult]
    index: Index
    generation: str = ""  # the save this was read from ("": not saved yet: every row is written)
    # page -> (its max age, its claims that can age); None until a new day reads them
    datable: dict[str, tuple[int, tuple]] | None = None
    changed: set[str] = field(default_factory=set)  # pages whose result rows are to be written
    claims: dict[str, tuple | None] = field(default_factory=dict)  # claim rows to write (None: delete)
    saved: tuple = ()  # the record as the store holds it

    def record(self) -> tuple:
        return self.key, self.attachments, self.rejected, self.today

    @property
    def unsaved(self) -> bool:
        return bool(self.changed or self.claims or not self.generation or self.record() != self.saved)


def load(cache: ParseCache) -> LastCheck | None:
    """The last check as the store holds it, its index to be read key by key; None when there
    is none or a row does not open."""
    found = cache.read(f"check/{cache.store.tag}", tuple)  # (generation, record)
    rows = cache.rows("results") if found is not None else None
    if not rows or len(found) != 2 or not isinstance(found[1], tuple) or len(found[1]) != 4:
        return None
    results = {path: PageResult.of_row(row) for path, row in rows.items()}
    return LastCheck(*found[1], results=results, index=_stored_index(cache), generation=found[0], saved=found[1])


def _stored_index(cache: ParseCache) -> Index:
    """The link index as the store holds it, read a key at a time."""
    return Index.over({table: KeyTable(cache, table, factory) for table, factory in Index.TABLES.items()})


def save(cache: ParseCache, last: LastCheck) -> None:
    """Write the rows this run changed (all of them after a cold check), unless another process
    saved a check since this one was read: its rows are then the ones to keep."""
    whole = not last.generation
    if whole:
        keys = index_rows({table: (getattr(last.index, table), factory) for table, factory in Index.TABLES.items()})
    else:
        keys = {k: v for table in Index.TABLES for k, v in getattr(last.index, table).changes().items()}
    results = {path: result.row() if (result := last.results.get(path)) else None
               for path in (last.results if whole else last.changed)}
    claims = {path: None if value is None else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
              for path, value in last.claims.items()}
    generation = cache.save_check(last.generation, last.record(), {"results": results, "claims": claims},
                                  keys, whole)
    if generation is None:
        cache.held.pop("check", None)
        return
    # What the next run of this process reads: the rows as written (the index again key by key).
    last.generation, last.changed, last.claims, last.saved = generation, set(), {}, last.record()
    last.index = _stored_index(cache)


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
                   wanting: Callable[[str], Iterable[str]], sharing: Callable[[str], Iterable[str]]) -> set[str]:
    """The pages to resolve and check again after the pages in `before` and `after` changed (their
    faces before and after; None: absent). A page whose names changed, or that came or went,
    affects every page that may link to it by one of its old or new names (`wanting(name)`: the
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
        pages.update(wanting(name))
    return pages - {path for path, face in after.items() if face is None}


def check_vault(root: Path, config: Config, today: dt.date | None, max_age: int | None, claims: bool,
                cache: ParseCache, progress: Progress | None = None, jobs: int | None = None,
                compiled: Callable[[], CompiledVault] | None = None, found: Discovery | None = None) -> CheckResult:
    """Every rule's findings on the vault, reusing the last run's results where nothing changed;
    `compiled`: the whole compiled vault, when there is nothing to start from (default: compile it);
    `found`: the vault's files as discover() listed them for it (default: listed now).
    What this run leaves stays in `cache.held` for the next run of this process; `cache.flush()`
    saves it."""
    found = found or discover(root, config)
    compiled = compiled or (lambda: compile_vault(root, config, today, max_age, progress, jobs, claims, cache, found))
    with gc_paused():
        return _check_vault(config, today or dt.date.today(), max_age, claims, cache, jobs, compiled, found)


def _check_vault(config: Config, today: dt.date, max_age: int | None, claims: bool, cache: ParseCache,
                 jobs: int | None, compiled: Callable[[], CompiledVault], found: Discovery) -> CheckResult:
    # What the stored results depend on ("check", their format, then the settings); not the day,
    # which only the claims' verdicts depend on (see _judge_again).
    key = ("check", 3, max_age, claims, config.exclude, config.max_file_bytes, config.max_age_days,
           tuple(sorted(config.max_age_by_type.items())))
    attachments = tuple(f.path for f in found.files if not f.is_page)
    last = cache.held.pop("check", None)
    if last is None or last.generation != cache.generation():
        last = load(cache)
    result = None
    if last is not None and (last.key, last.rejected, last.attachments) == (key, found.rejected, attachments):
        try:
            if last.today != today:
                _judge_again(last, today, cache)
            result = _update(last, found.files, config, today, max_age, claims, cache, jobs)
            if last.generation != cache.generation():  # another process saved a check meanwhile
                raise StoreChanged("the check was saved again while this run read it")
        except StoreChanged:
            result = None
    if result is None:  # nothing to start from: the whole vault compiled, its pages checked
        last = _checked(compiled(), key, found.rejected, cache, max_age)
        result = _result(last, today, reparsed=-1, rechecked=len(last.results))
    cache.held["check"] = last
    if last.unsaved:
        cache.later(lambda: save(cache, last))
    return result


def _judge_again(last: LastCheck, today: dt.date, cache: ParseCache) -> None:
    """Another day: every stored claim judged again, each page's claim findings replaced."""
    if last.datable is None:
        rows = cache.rows("claims")
        if rows is None:
            raise StoreChanged("a claim row does not open")
        with gc_paused():
            last.datable = {path: seal.loads(row) for path, row in rows.items()}
    # Judged as analyse judges them, reported by the claim rules themselves (suppressions and all).
    verdicts = tuple(v for path, (age, claims) in sorted(last.datable.items()) for v in judge(path, claims, age, today))
    view = CompiledVault(root=Path("."), config=None, today=today, pages={}, attachments=(), unreadable=(),
                         resolutions=(), index=None, verdicts=verdicts,
                         all_suppressions={p: r.suppressions for p, r in last.results.items()})
    judged: dict[str, list[Finding]] = {}
    for finding in diagnose(view, CLAIM_RULES):
        judged.setdefault(finding.path, []).append(finding)
    for path, result in last.results.items():
        findings = (*(f for f in result.findings if f.rule not in CLAIM_RULES), *judged.get(path, ()))
        if findings != result.findings:
            last.results[path] = result._replace(findings=findings)
            last.changed.add(path)
    last.today = today


def _update(last: LastCheck, files: Iterable[SourceFile], config: Config, today: dt.date, max_age: int | None,
            claims: bool, cache: ParseCache, jobs: int | None) -> CheckResult:
    sources = {f.path: f for f in files if f.is_page}
    results = last.results
    # Which pages changed: a trusted stat keeps the old digest; the others are read (and parsed if new).
    trusted = cache.trusted(sources.values())
    suspects = [s for path, s in sources.items() if path not in results or trusted.get(path) != results[path].digest]
    fresh: dict[str, Page] = {}
    read: dict[str, tuple[str, Problem | None]] = {}  # page -> (digest, problem)
    for path, page, problem in parse_sources(suspects, config.max_file_bytes, jobs, claims, cache):
        if problem is not None:
            page = parse_page(path, "")
        fresh[path] = page
        read[path] = ("!" + problem.message, problem) if problem is not None else (cache.seen[path].digest, None)
    if suspects:  # what was read is trusted next time without reading
        cache.save_manifest()
    changed = {p for p in fresh if p not in results or read[p][0] != results[p].digest}
    rejected = {p for p, _ in last.rejected}
    removed = set(results) - set(sources) - rejected
    if not changed and not removed:
        return _result(last, today, reparsed=0, rechecked=0)

    # Patch the index, noting what each changed page offered links before and after.
    index = last.index
    before: dict[str, Face | None] = {}
    after: dict[str, Face | None] = {}
    for path in changed | removed:
        before[path] = Face(index.provides(path), index.anchors(path)) if path in results else None
        if path in results:
            index.remove(path)
        if path in changed:
            index.add(fresh[path])
        after[path] = Face(index.provides(path), index.anchors(path)) if path in changed else None

    def wanting(name: str):
        return [path for path, result in results.items() if name in result.wants]

    def sharing(name: str):
        return (*index.by_alias.get(name, ()), *index.by_name.get(name, ()))

    affected = affected_pages(before, after, wanting, sharing)
    for path in removed:
        del results[path]
        last.changed.add(path)
        last.claims[path] = None
        if last.datable is not None:
            last.datable.pop(path, None)
    pages = {p: fresh[p] if p in fresh else _load(cache, p, results[p].digest, sources.get(p), config, claims)
             for p in sorted(affected)}
    problems = {p: read[p][1] if p in read else results[p].problem for p in pages}
    digests = {p: read[p][0] if p in read else results[p].digest for p in pages}
    readable = [page for path, page in pages.items() if problems[path] is None]
    # The affected pages compiled against the whole vault's index: every finding of the rules
    # run here (all but GLOBAL_RULES) stands on one of them.
    compiled = CompiledVault(
        root=Path("."), config=config, today=today, pages=pages, attachments=last.attachments,
        unreadable=tuple((p, problem) for p, problem in problems.items() if problem is not None),
        resolutions=tuple(resolve_all(index, readable)), index=index,
        verdicts=tuple(judge_claims(readable, config, today, max_age)))
    _check_pages(last, compiled, digests, max_age)
    return _result(last, today, len(changed), len(affected))


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


def _check_pages(last: LastCheck, compiled: CompiledVault, digests: Mapping[str, str], max_age: int | None) -> None:
    """Run the rules on the compiled pages (resolved and judged against the whole index) and keep
    each page's result, and its claims that can age."""
    problems = dict(compiled.unreadable)
    links: Counter[str] = Counter()
    links_to: dict[str, set[str]] = {path: set() for path in digests}
    for res in compiled.resolutions:
        links[res.source] += 1
        if res.target is not None and res.target != res.source:
            links_to[res.source].add(res.target)
    found: dict[str, list[Finding]] = {path: [] for path in digests}
    for finding in diagnose(compiled, [r for r in REGISTRY if r not in GLOBAL_RULES]):
        found.setdefault(finding.path, []).append(finding)
    for path in found.keys() | digests.keys():
        page = compiled.pages.get(path)
        problem = problems.get(path)
        last.results[path] = PageResult(
            digests.get(path, "!" + problem.message if problem else "!"), problem,
            frozenset(key for link in page.links for key in wanted(link)) if page else frozenset(),
            frozenset(links_to.get(path, ())), links[path], page.suppressions if page else (),
            tuple(found.get(path, ())), len(page.queries) if page else 0)
        last.changed.add(path)
        datable = tuple(c for c in page.claims if c.kind != "event") if page and problem is None else ()
        claims = (max_age_for(page, compiled.config, max_age), datable) if datable else None
        last.claims[path] = claims
        if last.datable is not None:
            if claims is None:
                last.datable.pop(path, None)
            else:
                last.datable[path] = claims


def _checked(vault: CompiledVault, key: tuple, rejected: tuple[tuple[str, Problem], ...], cache: ParseCache,
             max_age: int | None) -> LastCheck:
    """A full compile's results, as a check that has not been saved yet."""
    last = LastCheck(key, vault.attachments, rejected, vault.today, {}, vault.index, datable={})
    digests = {p: cache.seen[p].digest for p in vault.pages if p in cache.seen}
    for path, problem in vault.unreadable:
        digests[path] = "!" + problem.message
    _check_pages(last, vault, digests, max_age)
    return last


def _result(last: LastCheck, today: dt.date, reparsed: int, rechecked: int) -> CheckResult:
    """Every page's stored findings, and the orphans of the vault as it now is."""
    results = last.results
    inbound = {target for result in results.values() for target in result.links_to}
    orphans = tuple(sorted(p for p in results if p not in inbound))
    view = CompiledVault(root=Path("."), config=None, today=today, pages={}, attachments=(),
                         unreadable=tuple((p, r.problem) for p, r in results.items() if r.problem is not None),
                         resolutions=(), index=None, orphan_paths=orphans,
                         all_suppressions={p: r.suppressions for p, r in results.items()})
    found = [finding for path in sorted(results) for finding in results[path].findings]
    found += diagnose(view, GLOBAL_RULES)
    return CheckResult(found, tuple(sorted(results)), sum(r.links for r in results.values()), today, reparsed,
                       rechecked, tuple(sorted(p for p, r in results.items() if r.queries)))

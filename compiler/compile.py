"""The one entry to the pipeline: `compile(root, config, …)` gives the `Vault` that every command
reads — `check`, `claims`, `export`, `query`, `sparql`, `publish`, `site` and `serve` alike.

A `Vault` is the compiled vault of analyse.py (pages, resolutions, graph, verdicts, findings),
worked out when first asked for, and by the cheapest road to the same answer:

- its findings, when there is a store, come from the incremental check (incremental.py: only the
  pages an edit affects are parsed, resolved and checked again), even when the whole vault is
  compiled too (the site's); without a store they are the compiled vault's rules';
- anything else is the whole compiled vault (analyse.py), its pages loaded from the store where it
  holds them.

Either road gives the same findings (tests/test_compile.py compares them after every kind of
edit, with and without a store, on one core and on several), so no command has a pipeline of its
own and none can tell which road was taken.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from .analyse import CompiledVault, Progress, compile_vault
from .cache import ParseCache
from .config import Config
from .discover import Discovery, discover
from .model import ClaimVerdict, Finding, Page, Problem, Resolution
from .rules import CLAIM_RULES, REGISTRY, REPORT_ORDER, diagnose, findings_of, run_rules
from .incremental import check_vault

if TYPE_CHECKING:
    import networkx as nx

    from .rdf.blocks import Answers
    from .rdf.emit import PageGraph
    from .resolve import Index

@functools.cache
def _code_digest(module: str) -> str:
    """A digest of a module's source: what a kept page digest was made by (with the helpers beside
    it; the model's and the parser's code is in the store's digest of every page)."""
    return hashlib.blake2b(Path(sys.modules[module].__file__).read_bytes(), digest_size=8).hexdigest()


def compile(root: Path, config: Config, today: dt.date | None = None, *, max_age: int | None = None,
            rules: list[str] | None = None, store: ParseCache | None = None, jobs: int | None = None,
            progress: Progress | None = None) -> Vault:
    """The vault at `root` as of `today` (default: the real date). `rules`: the rules whose
    findings are wanted (default: every rule the configuration leaves on); named rules without a
    claim rule among them skip the claim pass. `store`: what the last run kept (cache.py), or None."""
    wanted = [r for r in (rules if rules is not None else REGISTRY)
              if config.severity_of(r, REGISTRY[r].severity) is not None]
    claims = rules is None or any(r in wanted for r in CLAIM_RULES)
    return Vault(Path(root), config, today or dt.date.today(), max_age, wanted, claims, store, jobs, progress)


class Vault:
    """One compiled vault, read by every emitter. Nothing in it changes once worked out."""

    def __init__(self, root: Path, config: Config, today: dt.date, max_age: int | None, rules: list[str],
                 claims: bool, store: ParseCache | None, jobs: int | None, progress: Progress | None) -> None:
        self.root, self.config, self.today, self.max_age, self.rules = root, config, today, max_age, rules
        self._claims = claims  # whether the claim pass runs
        self._store, self._jobs, self._progress = store, jobs, progress
        self._texts: dict[str, str] = {}  # page -> the store's digest of its text

    # --- the whole compiled vault ------------------------------------------------------------

    @functools.cached_property
    def compiled(self) -> CompiledVault:
        compiled = compile_vault(self.root, self.config, self.today, self.max_age, self._progress, self._jobs,
                                 claims=self._claims, cache=self._store, found=self._found)
        if self._store is not None:  # each page's text as the store names it (page_digests), before next_run
            self._texts = {path: entry.digest for path, entry in self._store.seen.items()}
        return compiled

    @functools.cached_property
    def _found(self) -> Discovery:
        """The vault's files, listed once: the compile and the check read the same list."""
        return discover(self.root, self.config)

    @property
    def pages(self) -> Mapping[str, Page]:
        return self.compiled.pages

    @property
    def attachments(self) -> tuple[str, ...]:
        return self.compiled.attachments

    @property
    def unreadable(self) -> tuple[tuple[str, Problem], ...]:
        return self.compiled.unreadable

    @property
    def resolutions(self) -> tuple[Resolution, ...]:
        return self.compiled.resolutions

    @property
    def index(self) -> Index:
        return self.compiled.index

    @property
    def verdicts(self) -> tuple[ClaimVerdict, ...]:
        return self.compiled.verdicts

    @property
    def graph(self) -> nx.MultiDiGraph:
        return self.compiled.graph

    def orphans(self) -> list[str]:
        return self.compiled.orphans()

    def page_digests(self, make: Callable[[Page], bytes]) -> dict[str, bytes]:
        """make(page) of every page, a digest of what an emitter reads of that page alone. A page is
        a function of its path and text, which the store's digest of it names, so with a store
        each is kept by that digest and made again only for the pages that changed: on 10,000
        pages the site's and the RDF graphs' took 0.4 s of every run after an edit. Kept per
        `make`, with a digest of its module's source: changed code starts afresh."""
        store = self._store
        if store is None:
            return self.compiled.page_digests(make)
        name, code = f"page-digests/{make.__module__}.{make.__qualname__}", _code_digest(make.__module__)
        found = store.read(name, tuple)
        kept = found[1] if found is not None and len(found) == 2 and found[0] == code and isinstance(found[1], dict) else {}
        pages, made, keep = self.pages, {}, {}
        for path, page in pages.items():
            text, old = self._texts.get(path), kept.get(path)
            made[path] = old[1] if text is not None and old is not None and old[0] == text else make(page)
            if text is not None:
                keep[path] = (text, made[path])
        if keep != kept:
            store.write(name, (code, keep))
        return made

    def suppressions(self, path: str) -> tuple[tuple[int, str], ...]:
        return self.compiled.suppressions(path)

    def open_file(self, path: str) -> int:
        return self.compiled.open_file(path)

    # --- the RDF graph and the query blocks run on it -------------------------------------------

    @functools.cached_property
    def graphs(self) -> list[PageGraph]:
        """Every page's named graph (VAULT-SPEC §3) and the compilation's."""
        from .rdf.emit import page_graphs

        return page_graphs(self)

    @functools.cached_property
    def answers(self) -> Answers:
        """Every query block's answer, by (page, line). Answers the store kept are reused where
        the triples their query reads are unchanged (rdf/blocks.py); `answers.ran` lists the rest."""
        from .rdf.blocks import Answer, Answers, answer_blocks

        if not any(page.queries for page in self.pages.values()):
            return Answers()
        kept = self._store.read("query-answers", dict) if self._store is not None else None
        kept = {k: v for k, v in (kept or {}).items() if isinstance(v, Answer)}
        answers, keep = answer_blocks(self.pages, self.graphs, self.config.base_iri, self.config.query_timeout, kept)
        if self._store is not None and keep != kept:
            self._store.write("query-answers", keep)
        return answers

    @property
    def query_errors(self) -> list[tuple[str, int, str]]:
        """(page, line, message) of every query block that did not answer: the `query-error` rule."""
        return [(path, line, answer.error) for (path, line), answer in self.answers.by_block.items()
                if answer.form == "error"]

    # --- what a check reports ----------------------------------------------------------------

    @property
    def findings(self) -> tuple[Finding, ...]:
        """What the rules asked for find, at their configured severities, in report order."""
        return self._checked[0]

    @property
    def page_paths(self) -> tuple[str, ...]:
        """Every page of the vault, readable or not."""
        return self._checked[1]

    @property
    def link_count(self) -> int:
        return self._checked[2]

    @functools.cached_property
    def _checked(self) -> tuple[tuple[Finding, ...], tuple[str, ...], int]:
        if self._store is None:  # the whole vault's findings
            vault = self.compiled
            found = run_rules(vault, [r for r in self.rules if r != "query-error"])
            if "query-error" in self.rules and any(page.queries for page in vault.pages.values()):
                found = sorted([*found, *findings_of(diagnose(self, ["query-error"]), self.config, ["query-error"])],
                               key=REPORT_ORDER)
            return tuple(found), tuple(sorted(vault.pages)), len(vault.resolutions)
        # The last run's findings where nothing they depend on changed (a site's compile of a big
        # vault with one page edited re-checks that page instead of running every rule again).
        result = check_vault(self.root, self.config, self.today, self.max_age, self._claims, self._store,
                             self._progress, self._jobs, compiled=lambda: self.compiled, found=self._found)
        reported = result.findings
        if result.queried and "query-error" in self.rules:  # the blocks run on the whole compiled graph
            reported = [*reported, *diagnose(self, ["query-error"])]
        findings = findings_of(reported, self.config, self.rules)
        return tuple(findings), tuple(sorted(result.pages)), result.links

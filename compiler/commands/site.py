"""`vaultc site` and `vaultc serve` (emit stage): compile the vault, emit the MkDocs docs tree, and
build it with `mkdocs build --strict` or serve it with live reload. Registered by cli.py (see commands/__init__.py).

The emitter and the MkDocs helpers are imported inside the runners, so that `vaultc check` does
not pay for them.
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from ..analyse import stderr_progress
from ..cache import ParseCache, cache_for
from ..compile import compile
from ..model import gc_paused
from . import UsageError
from ..config import load_config


def add_commands(subparsers, common) -> None:
    site = subparsers.add_parser("site", help="build the vault's website (MkDocs Material) into site/")
    common(site)
    _mkdocs_options(site)
    site.add_argument("--site-dir", type=Path, help="build into this folder instead of mkdocs.yml's site_dir")
    site.add_argument("--emit-only", action="store_true", help="write the docs tree, do not run mkdocs")

    live = subparsers.add_parser("serve", help="serve the site with live reload, rebuilding on vault changes")
    common(live)
    _mkdocs_options(live)
    live.add_argument("--dev-addr", default="127.0.0.1:8000", help="host:port to serve on (default 127.0.0.1:8000)")


def _mkdocs_options(parser) -> None:
    parser.add_argument("--mkdocs-config", type=Path,
                        help="MkDocs configuration (default: ./mkdocs.yml); the tree goes to its docs_dir")


def run_site(args) -> int:
    from ..site.build import BuildError, build, docs_dir_of, find_mkdocs_config
    from ..site.emitter import AssetError
    from ..site.writer import DocsDirError

    try:
        config_file = find_mkdocs_config(args.mkdocs_config)
        docs_dir = docs_dir_of(config_file)
        result = _emit(args, docs_dir)
        print(f"vaultc: emitted {result.pages} pages to {docs_dir} in {result.seconds:.2f}s "
              f"({len(result.written)} files changed, {len(result.removed)} removed)", file=sys.stderr)
        if args.emit_only:
            return 0
        seconds, rebuilt = build(config_file, args.site_dir, result.pages)
        if rebuilt is None:
            print(f"vaultc: mkdocs build --strict took {seconds:.2f}s", file=sys.stderr)
        elif rebuilt:
            print(f"vaultc: rebuilt the {rebuilt} changed file(s) of the site with MkDocs in {seconds:.2f}s",
                  file=sys.stderr)
        else:
            print("vaultc: the site is up to date", file=sys.stderr)
        return 0
    except (BuildError, AssetError, DocsDirError) as exc:
        raise UsageError(str(exc)) from None


def run_serve(args) -> int:
    from ..site.build import BuildError, docs_dir_of, find_mkdocs_config, serve
    from ..site.emitter import AssetError
    from ..site.writer import DocsDirError

    try:
        config_file = find_mkdocs_config(args.mkdocs_config)
        docs_dir = docs_dir_of(config_file)
        config = load_config(args.vault, args.config)
        cache = cache_for(args, config)  # one for the session: a save re-parses the saved page only
        return serve(config_file, args.vault, lambda: _emit(args, docs_dir, cache), args.dev_addr)
    except (BuildError, AssetError, DocsDirError) as exc:
        raise UsageError(str(exc)) from None


def _emit(args, docs_dir: Path, cache: ParseCache | None = None):
    from ..site.emitter import emit_site

    config = load_config(args.vault, args.config)
    cache = cache or cache_for(args, config)
    with gc_paused():  # from the compile through the emit: one stretch of many objects, no cycles
        vault = compile(args.vault, config, args.today, max_age=args.max_age, store=cache, progress=stderr_progress())
        if cache is not None:
            cache.next_run()
        result = emit_site(vault, docs_dir, query=query_data(vault), recent=recent_changes(vault.root))
        if cache is not None:
            cache.flush()  # what the check found, for the next build to start from
        return result


def recent_changes(root: Path, commits: int = 200) -> list[tuple[str, str]]:
    """(page, day) of the vault's Markdown files as git last changed them, newest first; [] when
    the vault is not in a git repository (or git is missing)."""
    import subprocess

    try:
        log = subprocess.run(["git", "log", f"-{commits}", "--relative", "--name-only", "--format=%x00%cs",
                              "--", "*.md"], cwd=root, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    if log.returncode:
        return []
    seen: dict[str, str] = {}
    day = ""
    for line in log.stdout.splitlines():
        if line.startswith("\0"):
            day = line[1:]
        elif line and line not in seen:
            seen[line] = day
    return list(seen.items())


def query_data(vault):
    """The graph and canned queries the site's Query page answers from (the RDF stage's, handed to
    the site emitter, which does not import that stage), each made only if the emitter finds its
    key changed."""
    from .. import __version__
    from ..rdf.keys import graphs_key
    from ..site.query import QueryConfig, QueryData

    def dataset() -> bytes:
        from ..rdf.emit import vocabulary_graph
        from ..rdf.export import export

        # The vault's graphs and the vocabulary's, as `vaultc query` and `vaultc sparql` hold them.
        return export([*vault.graphs, vocabulary_graph()], "trig")

    def config() -> QueryConfig:
        from ..rdf.query import describe
        from ..rdf.vocab import PREFIXES, canned_queries, instance_iri

        return QueryConfig(base=base, prefixes=dict(PREFIXES),
                           canned={name: (describe(text), text) for name, text in canned_queries().items()},
                           pages={instance_iri(base, path): path for path in vault.pages})

    base = vault.config.base_iri
    config_key = hashlib.blake2b(repr((__version__, base, sorted(vault.pages))).encode(), digest_size=16).hexdigest()
    return QueryData(dataset=dataset, dataset_key=graphs_key(vault), config=config, config_key=config_key)


RUNNERS = {"site": run_site, "serve": run_serve}

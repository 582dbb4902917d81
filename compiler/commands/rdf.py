"""The RDF commands of the command line: `export`, `query`, `sparql` and `publish` (VAULT-SPEC §2).

cli.py finds this module through `_EXTRA_COMMANDS` (see commands/__init__.py).
`add_commands` declares the arguments and `RUNNERS` maps each command to a function(args) -> exit code. Each runner compiles the vault once
and hands the page graphs to one emitter; none re-parses anything. rdflib and Oxigraph are
imported inside the runners, so that `vaultc check` does not pay for them.
"""
from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
import threading
from pathlib import Path

from ..analyse import stderr_progress
from ..cache import cache_for
from ..compile import compile
from ..config import load_config
from ..files import emit


class RdfCommandError(Exception):
    """A user-facing failure of an RDF command: one line on stderr, exit 2."""


def add_commands(subparsers, common) -> None:
    export = subparsers.add_parser("export", help="write the knowledge graph as RDF (VAULT-SPEC §3)")
    common(export)
    export.add_argument("--format", choices=["turtle", "jsonld", "ntriples", "trig"], default="turtle",
                        help="turtle and ntriples hold the union of the page graphs; trig and jsonld "
                             "keep one named graph per page (default: turtle)")
    export.add_argument("-o", "--output", type=Path, help="write to a file instead of stdout")
    export.add_argument("--validate", action="store_true",
                        help="also check the graph against the shipped SHACL shapes (exit 1 if it fails)")

    query = subparsers.add_parser("query", help="run a SPARQL query over the knowledge graph")
    common(query)
    query.add_argument("sparql", nargs="?", help="the query text (prefixes vc: schema: skos: prov: "
                       "dcterms: xsd: rdf: rdfs: are declared, and the base IRI)")
    query.add_argument("--file", type=Path, help="read the query from a .rq file")
    query.add_argument("--name", help="run a canned query (see --list)")
    query.add_argument("--list", action="store_true", help="list the canned queries")
    query.add_argument("--format", choices=["table", "json", "csv"],
                       help="table on a terminal, else csv; json is the SPARQL 1.1 results format")

    sparql = subparsers.add_parser("sparql", help="serve a read-only SPARQL 1.1 endpoint")
    common(sparql)
    sparql.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    sparql.add_argument("--port", type=int, default=7879, help="port to bind (default: 7879; 0 picks a free one)")
    sparql.add_argument("--timeout", type=float, default=10.0, help="seconds a query may run (default: 10)")
    sparql.add_argument("--max-rows", type=int, default=10_000, help="rows in one answer (default: 10000)")
    sparql.add_argument("--workers", type=int, default=2,
                        help="query worker processes (default: 2), beside one express worker that answers "
                             "fast queries while these are all busy")
    sparql.add_argument("--quiet", action="store_true", help="do not log requests on stderr")
    sparql.add_argument("--poll", type=float, default=0.5, help=argparse.SUPPRESS)  # seconds between scans
    sparql.add_argument("--cors", action="store_true",
                        help="let web pages on other origins query it (browser SPARQL editors such as YASGUI)")

    publish = subparsers.add_parser("publish", help="push the page graphs to a SPARQL 1.1 Graph Store")
    common(publish)
    publish.add_argument("--store", required=True,
                         help="the Graph Store Protocol URL (Oxigraph: http://host:7878/store)")
    publish.add_argument("--user", help="basic-auth user")
    publish.add_argument("--password", default=os.environ.get("VAULTC_STORE_PASSWORD"),
                         help="basic-auth password (default: $VAULTC_STORE_PASSWORD)")
    publish.add_argument("--token", default=os.environ.get("VAULTC_STORE_TOKEN"),
                         help="bearer token (default: $VAULTC_STORE_TOKEN)")
    publish.add_argument("--state", type=Path,
                         help="where to remember what was published (default: .vaultc-cache/ beside the vault)")
    publish.add_argument("--force", action="store_true",
                         help="send every graph, changed or not (after the store lost data)")
    publish.add_argument("--verify", action="store_true",
                         help="read every graph back from the store and send again those that differ or are gone")
    publish.add_argument("--concurrency", type=int, default=4,
                         help="requests at once (default 4; 1 for stores that lock under parallel writes)")


def _reports_errors(run):
    """One line on stderr and exit 2 for the failures users cause (a bad query, a refusing store)."""
    @functools.wraps(run)
    def wrapped(args) -> int:
        from ..rdf.publish import PublishError
        from ..rdf.query import QueryError

        try:
            return run(args)
        except (RdfCommandError, QueryError, PublishError) as exc:
            print(f"vaultc: error: {exc}", file=sys.stderr)
            return 2
    return wrapped


def _compile(args, cache=None):
    """The compiled vault and its page graphs (`cache`: a store kept across compiles)."""
    config = load_config(args.vault, args.config)
    vault = compile(args.vault, config, args.today, max_age=args.max_age,
                    store=cache if cache is not None else cache_for(args, config), progress=stderr_progress())
    return vault, vault.graphs


@_reports_errors
def run_export(args) -> int:
    from ..rdf.export import export

    _, graphs = _compile(args)
    emit(export(graphs, args.format), args.output)
    if args.validate:
        from ..rdf.validate import validate

        result = validate(graphs)
        if not result.conforms:
            sys.stderr.write(result.report)
            return 1
    return 0


@_reports_errors
def run_query(args) -> int:
    from ..rdf import query
    from ..rdf.emit import quads, vocabulary_graph
    from ..rdf.store import oxigraph_store

    given = [name for name, value in (("SPARQL", args.sparql), ("--file", args.file), ("--name", args.name),
                                      ("--list", args.list)) if value]
    if len(given) != 1:
        raise RdfCommandError("give one of SPARQL, --file Q.rq, --name CANNED or --list"
                              + (f" (got {', '.join(given)})" if given else ""))
    if args.list:
        from ..rdf.vocab import canned_queries

        for name, text in canned_queries().items():
            print(f"{name:<28} {query.describe(text)}")
        return 0
    if args.file is not None:
        try:
            text = args.file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RdfCommandError(f"cannot read {args.file}: {exc}") from None
    else:
        text = query.canned(args.name) if args.name else args.sparql
    vault, graphs = _compile(args)
    answer = query.run(oxigraph_store(quads([*graphs, vocabulary_graph()])), text, vault.config.base_iri)
    tty = sys.stdout.isatty()
    fmt = args.format or ("table" if tty else "csv")
    sys.stdout.write(query.render(answer, fmt, vault.config.base_iri, width=60 if tty else None))
    return 0


@_reports_errors
def run_sparql(args) -> int:
    from ..rdf.endpoint import Limits, SparqlEndpoint

    if not 0 <= args.port <= 65535:
        raise RdfCommandError(f"not a port: {args.port}")
    if args.timeout <= 0 or args.max_rows <= 0 or args.workers <= 0:
        raise RdfCommandError("--timeout, --max-rows and --workers must be positive")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"vaultc: warning: serving on {args.host}, not loopback: anyone who can reach it can read "
              "the vault", file=sys.stderr)
    from ..watch import snapshot, watch

    cache = cache_for(args, load_config(args.vault, args.config))  # kept: each recompile is incremental
    since = snapshot(args.vault)
    vault, graphs = _compile(args, cache)
    limits = Limits(time_limit=args.timeout, max_rows=args.max_rows, workers=args.workers, cors=args.cors)
    try:
        endpoint = SparqlEndpoint(graphs, vault.config.base_iri, args.host, args.port, limits,
                                  log=not args.quiet)
    except OSError as exc:
        raise RdfCommandError(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}") from None
    print(f"vaultc: SPARQL endpoint at {endpoint.url} ({endpoint.graph_count} page graphs and the "
          f"vocabulary, {endpoint.triples} triples); Ctrl-C stops it", file=sys.stderr)
    # SIGTERM (a service manager, `kill`) stops it as cleanly as Ctrl-C: workers and temp files go.
    # The handler asks the serving loop to finish (from a thread: shutdown() waits for the loop)
    # rather than raising into whatever the main thread is doing at that instant.
    def stop(signum, frame) -> None:
        threading.Thread(target=endpoint.server.shutdown, name="vaultc-stop", daemon=True).start()

    def recompile() -> None:
        """The vault as it is now: a change is compiled (incrementally) and served from the next query."""
        if cache is not None:
            cache.next_run()
        _, fresh = _compile(args, cache)
        endpoint.reload(fresh)
        print(f"vaultc: the vault changed; now serving {endpoint.graph_count} page graphs, "
              f"{endpoint.triples} triples", file=sys.stderr)

    watching = threading.Event()
    watcher = threading.Thread(target=watch, args=(args.vault, recompile, watching, args.poll), kwargs={"since": since},
                               name="vaultc-sparql-watch", daemon=True)
    watcher.start()
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        endpoint.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        watching.set()
        watcher.join(timeout=5)
        endpoint.close()
    return 0


@_reports_errors
def run_publish(args) -> int:
    from ..rdf.publish import Credentials, clean_url, publish, state_file

    if args.token and args.user:
        raise RdfCommandError("give --user/--password or --token, not both")
    state = args.state or state_file(args.vault, args.store)
    if _inside(state, args.vault):
        raise RdfCommandError(f"the publish state must live outside the vault: {state}")
    _, graphs = _compile(args)
    credentials = Credentials(args.user, args.password, None if args.user else args.token)
    if args.concurrency < 1:
        raise RdfCommandError("--concurrency must be at least 1")
    outcome = publish(graphs, args.store, state, credentials, force=args.force, threads=args.concurrency,
                      verify=args.verify)
    print(f"vaultc: {outcome.summary(clean_url(args.store))}", file=sys.stderr)
    return 0


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


RUNNERS = {"export": run_export, "query": run_query, "sparql": run_sparql, "publish": run_publish}

"""The `vaultc` command line (VAULT-SPEC §2). Each command runs the pipeline up to what it needs and
hands the compiled vault to one emitter. Exit codes: 0 clean, 1 findings at or above --fail-on,
2 usage, configuration or internal error (one line on stderr).
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
import threading
import time
from pathlib import Path

from . import __version__
from .analyse import stderr_progress
from .cache import cache_for
from .commands import UsageError
from .commands import diff as diff_commands
from .commands import rdf as rdf_commands
from .commands import site as site_commands
from .check import apply_baseline, select_rules, write_baseline
from .config import ConfigError, load_config
from .emit import Report, renderers
from .emit import claims as claims_report
from .files import emit
from .compile import compile
from .model import Severity, gc_paused
from .rules import CLAIM_RULES, REGISTRY


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, as every vaultc error
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="vaultc", description="Compile an Obsidian-style research vault: check it, "
                     "list its dated claims, and emit reports.")
    parser.add_argument("--version", action="version", version=f"vaultc {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = commands.add_parser("check", help="check links, frontmatter and dated claims")
    _common(check)
    check.add_argument("--format", choices=sorted(renderers()), default="text")
    check.add_argument("--fail-on", choices=["error", "warning", "info"], default="error")
    check.add_argument("--select", default="", help="only these rules (comma-separated ids)")
    check.add_argument("--ignore", default="", help="skip these rules (comma-separated ids)")
    check.add_argument("--baseline", type=Path, help="findings already in this file do not fail")
    check.add_argument("--write-baseline", type=Path, help="record the current findings in this file")
    check.add_argument("-o", "--output", type=Path, help="write the report to a file instead of stdout")
    check.add_argument("--watch", action="store_true", help="check again after every change, until Ctrl-C")
    check.add_argument("--poll", type=float, default=0.3, help=argparse.SUPPRESS)

    claims = commands.add_parser("claims", help="list every dated claim with its interval and status")
    _common(claims)
    claims.add_argument("--format", choices=["text", "json"], default="text")
    claims.add_argument("-o", "--output", type=Path, help="write to a file instead of stdout")

    for module in COMMAND_MODULES:
        module.add_commands(commands, _common)
    return parser


COMMAND_MODULES = (rdf_commands, site_commands, diff_commands)  # the further commands (see commands/__init__.py)


def _common(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("vault", nargs="?", default="vault", type=Path, help="the vault folder (default: vault/)")
    sub.add_argument("--today", type=_date, help="judge claims as of this date (YYYY-MM-DD)")
    sub.add_argument("--max-age", type=_positive, help="days a snapshot claim stays fresh (default 180)")
    sub.add_argument("--config", type=Path, help="configuration file (default: vaultc.toml or pyproject.toml)")
    sub.add_argument("--cache-dir", type=Path, help="where parse results are kept between runs "
                     "(default: .vaultc-cache/ beside the vault, or under $VAULTC_CACHE_DIR)")
    sub.add_argument("--no-cache", action="store_true", help="parse every page, and keep nothing")


# Commands that keep running (serving, watching): they pause the collector per compile instead.
LONG_RUNNING = frozenset({"serve", "sparql"})
# Commands that compile, report and are done, and may end the process at once (see run).
ONE_SHOT = frozenset({"check", "claims"})


def main(argv: list[str] | None = None) -> int:
    return _main(argv)[0]


def run() -> None:
    """The `vaultc` console command and `python -m compiler`: main(), then the process ends.

    After a one-shot check or claims listing it ends at once, as mypy's command line does: the
    interpreter's shutdown would free the compiled vault (or the incremental state and its
    findings) object by object, a tenth of an incremental check on 10k pages. Nothing is lost:
    the report and the cache are written and closed by then, and no thread or child process is
    left (else the ordinary exit runs)."""
    code, one_shot = _main(None, ends_process=True)
    if one_shot and threading.active_count() == 1 and not _children():
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe: the ordinary exit would not print either
                pass
        os._exit(code)
    sys.exit(code)


def _children() -> bool:
    multiprocessing = sys.modules.get("multiprocessing")
    return multiprocessing is not None and bool(multiprocessing.active_children())


def _main(argv: list[str] | None, ends_process: bool = False) -> tuple[int, bool]:
    """The exit code, and whether the command ran once and is done (no server, no watch)."""
    one_shot = False
    try:
        args = build_parser().parse_args(argv)
        _query_without_vault(args)
        if not args.vault.is_dir():
            raise UsageError(f"vault folder not found: {args.vault}")
        runners = {"check": run_check, "claims": run_claims}
        for module in COMMAND_MODULES:
            runners.update(module.RUNNERS)
        if args.command in LONG_RUNNING or getattr(args, "watch", False):
            return runners[args.command](args), False
        one_shot = args.command in ONE_SHOT
        # A command that compiles once and exits: the compiled vault is many objects that live to
        # the end and hold no cycles, and each pass of the cyclic collector would walk them all
        # again (after a 10k-page compile, a second of the check's rules and report).
        if one_shot and ends_process:
            # Not even once at the end: the collector, enabled again with every allocation since
            # counted, would walk them all on the way out (40 ms after an incremental check).
            gc.disable()
            return runners[args.command](args), one_shot
        with gc_paused():
            return runners[args.command](args), one_shot
    except (UsageError, ConfigError) as exc:
        print(f"vaultc: error: {exc}", file=sys.stderr)
        return 2, one_shot
    except KeyboardInterrupt:
        print("vaultc: interrupted", file=sys.stderr)
        return 2, one_shot
    except Exception as exc:  # a crash must still be one line and exit 2, never a traceback wall
        print(f"vaultc: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2, one_shot


def _query_without_vault(args) -> None:
    """`vaultc query "SELECT …"` leaves out the optional VAULT, so argparse takes the query for the
    vault: when that "vault" is no folder and no query was given, it was the query."""
    if args.command == "query" and args.sparql is None and not args.vault.is_dir() \
            and not (args.file or args.name or args.list):
        args.sparql, args.vault = str(args.vault), Path("vault")


def run_check(args) -> int:
    config = load_config(args.vault, args.config)
    rule_ids = select_rules(_ids(args.select), _ids(args.ignore))
    rule_ids = [r for r in rule_ids if config.severity_of(r, REGISTRY[r].severity) is not None]
    cache = cache_for(args, config, any(r in rule_ids for r in CLAIM_RULES))
    if args.watch:
        return _watch_check(args, config, rule_ids, cache)
    try:
        return _check_once(args, config, rule_ids, cache)
    finally:
        if cache is not None:
            cache.flush()


def _check_once(args, config, rule_ids: list[str], cache) -> int:
    vault = compile(args.vault, config, args.today, max_age=args.max_age, rules=rule_ids, store=cache,
                    progress=stderr_progress())
    findings, today, pages, links = list(vault.findings), vault.today, vault.page_paths, vault.link_count
    if args.write_baseline:
        write_baseline(findings, args.write_baseline)
        print(f"vaultc: wrote {len(findings)} findings to {args.write_baseline}", file=sys.stderr)
        return 0
    if args.baseline:
        findings = apply_baseline(findings, args.baseline)
    fail_on = Severity.parse(args.fail_on)
    report = Report(tuple(findings), today, len(pages), links, args.vault, fail_on, pages)
    render = renderers()[args.format]
    if args.format == "text":
        out = render(report, colour=args.output is None and sys.stdout.isatty())
    else:
        out = render(report)
    emit(out, args.output)
    return 1 if any(f.severity >= fail_on for f in findings) else 0


def _watch_check(args, config, rule_ids: list[str], cache) -> int:
    """`check --watch`: check, then check again after every change to the vault, until Ctrl-C.
    Each re-check is incremental (only changed pages are parsed), so it follows the typing."""
    from .watch import snapshot, watch

    def again() -> None:
        if args.output is None and sys.stdout.isatty():
            sys.stdout.write("\x1b[2J\x1b[H")  # a fresh screen per report, as `ruff --watch` does
        started = time.perf_counter()
        with gc_paused():  # per re-check: the collector runs again while the loop waits
            code = _check_once(args, config, rule_ids, cache)
            seconds = time.perf_counter() - started
            if cache is not None:
                cache.flush()
        print(f"vaultc: checked in {seconds:.2f}s (exit {code}); watching "
              f"{args.vault} for changes, Ctrl-C to stop", file=sys.stderr, flush=True)
        if cache is not None:
            cache.next_run()

    since = snapshot(args.vault)
    again()
    try:
        watch(args.vault, again, threading.Event(), args.poll, since=since)
    except KeyboardInterrupt:
        pass
    return 0


def run_claims(args) -> int:
    config = load_config(args.vault, args.config)
    vault = compile(args.vault, config, args.today, max_age=args.max_age, store=cache_for(args, config),
                    progress=stderr_progress())
    render = claims_report.render_json if args.format == "json" else claims_report.render_text
    emit(render(vault.verdicts, vault.today, args.max_age or config.max_age_days), args.output)
    return 0


def _ids(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) <= 0:
        raise argparse.ArgumentTypeError(f"not a positive number of days: {value!r}")
    return int(value)

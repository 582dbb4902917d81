"""Running MkDocs over the emitted tree (emit stage, last step): `vaultc site` compiles, emits and
builds once; `vaultc serve` re-emits on every vault change while `mkdocs serve` live-reloads.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .emitter import EmitResult

ROOT = Path(__file__).resolve().parents[2]  # the checkout, when vaultc runs from one


class BuildError(Exception):
    pass


def find_mkdocs_config(explicit: Path | None) -> Path:
    if explicit is not None:
        if not explicit.is_file():
            raise BuildError(f"MkDocs configuration not found: {explicit}")
        return explicit
    for candidate in (Path.cwd() / "mkdocs.yml", ROOT / "mkdocs.yml"):
        if candidate.is_file():
            return candidate
    raise BuildError("no mkdocs.yml here; pass --mkdocs-config FILE")


def docs_dir_of(config_file: Path) -> Path:
    """docs_dir as MkDocs reads it: with MkDocs' YAML loader (INHERIT, !ENV), relative to the
    configuration file. (Not a full load_config: that insists the folder already exists.)"""
    from mkdocs.utils.yaml import yaml_load

    try:
        with open(config_file, "rb") as handle:
            docs_dir = yaml_load(handle).get("docs_dir", "docs")
    except Exception as exc:  # MkDocs' own message is the useful part
        raise BuildError(f"cannot read {config_file}: {exc}") from None
    return (config_file.resolve().parent / str(docs_dir)).resolve()


def mkdocs_command(action: str, config_file: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "mkdocs", action, "--strict", "-f", str(config_file), *extra]


def build(config_file: Path, site_dir: Path | None = None, quiet: bool = True) -> float:
    """`mkdocs build --strict`; returns its wall time. A warning fails the build (exit 2)."""
    extra = ["-d", str(site_dir)] if site_dir else []
    started = time.perf_counter()
    done = subprocess.run(mkdocs_command("build", config_file, *extra, *(["-q"] if quiet else [])),
                          capture_output=True, text=True, env=_quiet_env())
    if done.returncode != 0:
        problems = [line for line in (done.stderr + done.stdout).splitlines() if "WARNING" in line or "ERROR" in line]
        raise BuildError("mkdocs build --strict failed: " + ("; ".join(problems[:5]) or done.stderr.strip()[-500:]))
    return time.perf_counter() - started


def _quiet_env() -> dict[str, str]:
    # Material's end-of-life banner is printed on every run; it is not about this site.
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def serve(config_file: Path, vault: Path, emit: Callable[[], EmitResult], dev_addr: str,
          poll: float = 0.5) -> int:
    """Emit, start `mkdocs serve` (it watches the docs tree and live-reloads the browser), and
    re-emit whenever a vault file changes. Only changed docs files are rewritten, so MkDocs
    rebuilds for real edits only."""
    emit()
    server = subprocess.Popen(mkdocs_command("serve", config_file, "--dev-addr", dev_addr), env=_quiet_env())
    stop = threading.Event()
    # A plain `kill` must not orphan the MkDocs server: turn SIGTERM into an orderly exit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        watch(vault, lambda: _report(emit()), stop, poll, until=lambda: server.poll() is not None)
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stop.set()
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=10)


def watch(folder: Path, on_change: Callable[[], None], stop: threading.Event, poll: float,
          until: Callable[[], bool] = lambda: False) -> None:
    """Call `on_change` after files under `folder` change (debounced by `poll` seconds). A stat
    scan, not inotify: it works the same on every platform and on network drives."""
    before = _snapshot(folder)
    while not stop.is_set() and not until():
        time.sleep(poll)
        now = _snapshot(folder)
        if now != before:
            time.sleep(poll)  # let an editor finish writing
            before = _snapshot(folder)
            try:
                on_change()
            except Exception as exc:  # a half-saved page must not end the session
                print(f"vaultc: rebuild failed: {exc}", file=sys.stderr)


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for path in folder.rglob("*"):
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts):
            stat = path.stat()
            found[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return found


def _report(result: EmitResult) -> None:
    print(f"vaultc: re-emitted {len(result.written)} changed files in {result.seconds:.2f}s", file=sys.stderr)

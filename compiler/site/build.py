"""Running MkDocs over the emitted tree (emit stage, last step): `vaultc site` compiles, emits and
builds once; `vaultc serve` emits and builds again after every vault change and live-reloads.

A site built before is brought up to date page by page where it can be (partial.py). Otherwise
it is built into a staging folder beside its target and renamed into place only when the build
has succeeded, so a failed or killed build leaves the previous site whole.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..watch import snapshot, watch
from . import partial
from .emitter import EmitResult

SANITIZER = "vaultc-sanitize"  # the MkDocs plugin of sanitize.py, registered in pyproject.toml


class BuildError(Exception):
    pass


def find_mkdocs_config(explicit: Path | None) -> Path:
    if explicit is not None:
        if not explicit.is_file():
            raise BuildError(f"MkDocs configuration not found: {explicit}")
        return explicit
    candidate = Path.cwd() / "mkdocs.yml"  # never the installation's own: it would build into vaultc's folder
    if candidate.is_file():
        return candidate
    raise BuildError("no mkdocs.yml in this folder; run from the folder that holds yours, or pass --mkdocs-config FILE")


def docs_dir_of(config_file: Path) -> Path:
    """docs_dir as MkDocs reads it, relative to the configuration file."""
    return _folder_of(config_file, "docs_dir", "docs")


def site_dir_of(config_file: Path) -> Path:
    return _folder_of(config_file, "site_dir", "site")


def _folder_of(config_file: Path, key: str, default: str) -> Path:
    return (config_file.resolve().parent / str(_load(config_file).get(key, default))).resolve()


def _load(config_file: Path) -> dict:
    """The configuration as MkDocs' YAML loader reads it (INHERIT, !ENV), read once per process
    until the file changes (a build asks for it four times; each read took 20 ms; a file it
    INHERITs from is read again when this one changes). Not a full load_config: that insists
    docs_dir already exists. Not to be changed: it is shared."""
    try:
        stat = os.stat(config_file)
        return _loaded(str(Path(config_file).resolve()), stat.st_mtime_ns, stat.st_size)
    except Exception as exc:  # MkDocs' own message is the useful part
        raise BuildError(f"cannot read {config_file}: {exc}") from None


@functools.lru_cache(maxsize=8)
def _loaded(config_file: str, mtime_ns: int, size: int) -> dict:
    from mkdocs.utils.yaml import yaml_load

    with open(config_file, "rb") as handle:
        return yaml_load(handle) or {}


def require_sanitizer(config_file: Path) -> None:
    """Notes may hold raw HTML: a site rendered without the sanitizer would run their scripts."""
    plugins = _load(config_file).get("plugins") or []
    names = plugins.keys() if isinstance(plugins, dict) else [
        next(iter(p)) if isinstance(p, dict) and p else p for p in plugins]
    if SANITIZER not in names:
        raise BuildError(f"{config_file} does not list the `{SANITIZER}` plugin; add it under `plugins:` "
                         "(it removes scripts from raw HTML in notes)")


def whole_build_command(config_file: Path, site_dir: Path) -> list[str]:
    """MkDocs' build, strict, its pages built on every core (whole.py), in a process of its own."""
    return [sys.executable, "-m", "compiler.site.whole", str(config_file), str(site_dir)]


def build(config_file: Path, site_dir: Path | None = None, pages: int = 0) -> tuple[float, int | None]:
    """What `mkdocs build --strict` makes (whole.py: its pages built on every core), built into a
    staging folder, then swapped in for the previous site; returns the wall time and, when only
    some pages were rendered again (partial.py), how many files were. A warning fails the build
    (exit 2, every warning printed) and leaves the previous site as it was. The build has a time limit by the number of pages (Python-Markdown can take hours over a page
    made to: 100,000 equal headings, 50,000 footnotes)."""
    require_sanitizer(config_file)
    target = (Path(site_dir) if site_dir else site_dir_of(config_file)).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    clear_stale(target)
    staging = _beside(target, "staging")
    started = time.perf_counter()
    config, state = partial.config_digest(config_file), partial.docs_state(docs_dir_of(config_file))
    rebuilt = _rebuilt_in_place(config_file, target, staging, config, state)
    if rebuilt is not None:
        partial.record(target, config, state)
        return time.perf_counter() - started, rebuilt
    try:
        limit = BUILD_SECONDS + BUILD_SECONDS_PER_PAGE * pages
        try:
            done = subprocess.run(whole_build_command(config_file, staging), capture_output=True, text=True,
                                  env=_quiet_env(), timeout=limit)
        except subprocess.TimeoutExpired:
            raise BuildError(f"mkdocs build took over {limit:.0f} s and was stopped") from None
        problems = [line for line in (done.stderr + done.stdout).splitlines() if "WARNING" in line or "ERROR" in line]
        if done.returncode != 0:
            for line in problems:
                print(line, file=sys.stderr)
            raise BuildError(f"mkdocs build --strict failed with {len(problems)} warning(s), above"
                             if problems else "mkdocs build --strict failed: " + done.stderr.strip()[-500:])
        swap_in(staging, target)
        partial.record(target, config, state)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return time.perf_counter() - started, None


def _rebuilt_in_place(config_file: Path, target: Path, staging: Path, config: str | None,
                      state: dict[str, list[int]]) -> int | None:
    """Bring the site up to date by rendering only the changed files (partial.py): how many, or
    None when it must be built whole."""
    try:
        changed, gone = partial.changed_pages(target, config, state)
        if changed or gone:
            partial.rebuild(config_file, target, changed, gone, staging)
        return len(changed) + len(gone)
    except partial.Unavailable:
        return None
    except partial.PageWarnings as problems:
        for line in problems.messages:
            print(line, file=sys.stderr)
        raise BuildError(f"mkdocs build --strict failed with {len(problems.messages)} warning(s), above") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


BUILD_SECONDS = 120.0
BUILD_SECONDS_PER_PAGE = 0.1  # a 10,000-page site builds in about two minutes on two cores


def swap_in(staging: Path, target: Path) -> None:
    """Two renames: the previous site aside, the new one into its place; then the previous one is
    deleted. Hidden entries of the previous site (a `.git` of a gh-pages checkout) are carried
    over, as `mkdocs build` keeps them. Killed between the renames, the previous site is put back
    by clear_stale on the next run."""
    if not target.exists():
        os.rename(staging, target)
        return
    for entry in os.scandir(target):
        if entry.name.startswith(".") and not (staging / entry.name).exists():
            if entry.is_dir(follow_symlinks=False):
                shutil.copytree(entry.path, staging / entry.name, symlinks=True)
            else:
                shutil.copy2(entry.path, staging / entry.name, follow_symlinks=False)
    previous = _beside(target, "previous")
    os.rename(target, previous)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(previous, target)
        raise
    shutil.rmtree(previous, ignore_errors=True)


def clear_stale(target: Path) -> None:
    """Remove what a killed build left beside `target`: its staging folder, and a previous site
    set aside (put back first, if the new one never arrived). Folders of a build still running
    (its process is alive) are left alone."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.vaultc-(staging|previous)-(\d+)")
    for entry in os.scandir(target.parent):
        match = pattern.fullmatch(entry.name)
        if match is None or _alive(int(match.group(2))):
            continue
        if match.group(1) == "previous" and not target.exists():
            os.rename(entry.path, target)
        else:
            shutil.rmtree(entry.path, ignore_errors=True)


def _beside(target: Path, kind: str) -> Path:
    # A dot-folder next to the target: on the same file system (so a rename moves it), and hidden.
    return target.with_name(f".{target.name}.vaultc-{kind}-{os.getpid()}")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # a folder of ours from before this build: stale (the process was reused)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _quiet_env() -> dict[str, str]:
    # Material's end-of-life banner is printed on every run; it is not about this site.
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def serve(config_file: Path, vault: Path, emit: Callable[[], EmitResult], dev_addr: str,
          poll: float = 0.5) -> int:
    """Emit and build the site into a temporary folder, serve it with MkDocs' live-reload server,
    and after every vault change emit again and build what changed (partial.py): a save shows in
    the browser after re-rendering the pages it touched, not the whole site, as `mkdocs serve`
    would. A build that fails prints its warnings and the previous site stays served."""
    from mkdocs.livereload import LiveReloadServer

    require_sanitizer(config_file)
    host, _, port = dev_addr.rpartition(":")
    if not host or not port.isdigit():
        raise BuildError(f"--dev-addr must be host:port, not {dev_addr!r}")
    with tempfile.TemporaryDirectory(prefix="vaultc-serve-") as folder:
        target, trigger = Path(folder) / "site", Path(folder) / "changed"
        trigger.mkdir()

        def rebuild() -> None:
            result = emit()
            _report(result)
            try:
                seconds, rebuilt = build(config_file, target, result.pages)
            except BuildError as exc:
                print(f"vaultc: {exc}; still serving the previous site", file=sys.stderr)
                return
            print(f"vaultc: built {'the whole site' if rebuilt is None else f'{rebuilt} changed file(s)'} "
                  f"in {seconds:.2f}s", file=sys.stderr)

        since = snapshot(vault)
        rebuild()
        # The server rebuilds when a file under a folder it watches changes. It watches only the
        # trigger folder, which the vault's watcher below touches once an editor has finished
        # writing: the vault holds the store, which every build writes.
        server = LiveReloadServer(builder=rebuild, host=host, port=int(port), root=str(target))
        server.watch(str(trigger))
        stop = threading.Event()
        saves = iter(range(1, 1 << 62))
        watcher = threading.Thread(target=watch, daemon=True, kwargs=dict(
            folder=vault, on_change=lambda: (trigger / "save").write_text(str(next(saves))), stop=stop, poll=poll,
            since=since))
        # A plain `kill` must not leave the server running: turn SIGTERM into an orderly exit.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        print(f"vaultc: serving {vault} on {server.url}", file=sys.stderr)
        watcher.start()
        try:
            server.serve()
            return 0
        except KeyboardInterrupt:
            return 0
        finally:
            stop.set()
            server.shutdown()


def _report(result: EmitResult) -> None:
    print(f"vaultc: re-emitted {len(result.written)} changed files in {result.seconds:.2f}s", file=sys.stderr)

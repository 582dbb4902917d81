"""Shared helpers: tiny vaults written into tmp_path, and running the CLI in-process."""
from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

from compiler.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))  # the synthetic-vault generator


@pytest.fixture(autouse=True, scope="session")
def _stores_outside_the_checkout(tmp_path_factory):
    """Every store a test leaves at its default place goes to a temporary folder: the fixture vaults
    and the bundled vault live in the checkout, and a test run must not write beside them."""
    import os

    os.environ["VAULTC_CACHE_DIR"] = str(tmp_path_factory.mktemp("stores"))


@pytest.fixture
def make_vault(tmp_path):
    """make_vault({"a.md": "...", ...}) -> the vault folder."""
    def make(files: dict[str, str | bytes], name: str = "vault") -> Path:
        root = tmp_path / name
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        root.mkdir(exist_ok=True)
        return root
    return make


@pytest.fixture
def run(capsys):
    """run("check", vault, "--format", "json") -> (exit code, stdout, stderr)."""
    def invoke(*args) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err
    return invoke


@pytest.fixture
def check_json(run):
    def invoke(vault: Path, *extra) -> dict:
        code, out, _ = run("check", vault, "--format", "json", "--today", "2026-11-22", *extra)
        data = json.loads(out)
        data["exit"] = code
        return data
    return invoke


def stop_session(server) -> None:
    """Stop a server a test started with start_new_session=True: politely, then its whole session."""
    import os
    import signal
    import subprocess

    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # the session this test started, nothing else
        server.wait()


def fetch_text(url: str) -> str:
    """The body of a page a test-started server serves on loopback, or "" while it answers nothing."""
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_serve(tmp_path: Path, stderr=None):
    """`vaultc serve` of a copy of the site features fixture, with the repository's mkdocs.yml, on a
    free loopback port in a session of its own (stop it with stop_session): (the process, the URL
    of its notes/Target.html). `stderr`: subprocess.PIPE to read what it says."""
    import shutil
    import subprocess

    root = Path(__file__).parent.parent
    vault = tmp_path / "vault"
    shutil.copytree(FIXTURES / "site" / "features", vault)
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"INHERIT: {root / 'mkdocs.yml'}\ndocs_dir: docs\nsite_dir: site\n")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "compiler", "serve", str(vault), "--mkdocs-config", str(config),
         "--dev-addr", f"127.0.0.1:{port}", "--today", "2026-11-22"],
        cwd=root, stdout=subprocess.DEVNULL, stderr=stderr or subprocess.DEVNULL, start_new_session=True)
    return server, f"http://127.0.0.1:{port}/notes/Target.html"


class OxigraphServer:
    """A real Oxigraph server (`pip install oxigraph`) on a free loopback port, persisting to
    `folder`; `start()` and `kill()` as often as a test likes, `stop()` at the end."""

    def __init__(self, folder: Path, *options: str) -> None:
        import shutil

        beside_python = Path(sys.executable).with_name("oxigraph")
        self.binary = str(beside_python) if beside_python.is_file() else shutil.which("oxigraph")
        if self.binary is None:
            pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
        self.folder, self.options, self.port, self.process = folder, options, free_port(), None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "OxigraphServer":
        import socket
        import subprocess
        import time

        self.process = subprocess.Popen([self.binary, "serve", "--location", str(self.folder),
                                         "--bind", f"127.0.0.1:{self.port}", *self.options],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    error = self.process.stderr.read().decode()[:500] if self.process.poll() is not None else "timed out"
                    self.stop()
                    raise RuntimeError(f"oxigraph did not start: {error}") from None
                time.sleep(0.05)

    def kill(self) -> None:
        """As a crash would: SIGKILL, no shutdown."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process.stderr.close()
            self.process = None

    def stop(self) -> None:
        import subprocess

        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stderr.close()
        self.process = None

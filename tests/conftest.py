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

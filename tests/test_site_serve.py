"""`vaultc serve`: the site is served on 127.0.0.1, and an edit in the vault shows up in the served
page without a restart: re-emit, MkDocs rendering only the changed pages, and live reload."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from conftest import fetch_text, stop_session, FIXTURES

ROOT = Path(__file__).parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


def test_serve_rebuilds_when_the_vault_changes(tmp_path):
    vault = tmp_path / "vault"
    shutil.copytree(FIXTURES / "site" / "features", vault)
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: docs\nsite_dir: site\n")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/notes/Target.html"
    server = subprocess.Popen(
        [sys.executable, "-m", "compiler", "serve", str(vault), "--mkdocs-config", str(config),
         "--dev-addr", f"127.0.0.1:{port}", "--today", "2026-11-22"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        assert _wait_for(lambda: "A paragraph carrying a block id." in fetch_text(url), 60)
        target = vault / "notes" / "Target.md"
        target.write_text(target.read_text().replace("A paragraph", "An edited paragraph"))
        assert _wait_for(lambda: "An edited paragraph carrying a block id." in fetch_text(url), 60)
        assert "livereload" in fetch_text(url)  # the page reloads itself after a rebuild
    finally:
        stop_session(server)
    assert _wait_for(lambda: fetch_text(url) == "", 15)  # the server went with it
    err = server.stderr.read().decode()
    # the first build is whole; the save rebuilds the pages it touched (the edited page and one embedding it)
    assert err.count("built the whole site") == 1 and "built 2 changed file(s)" in err

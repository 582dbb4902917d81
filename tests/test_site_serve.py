"""`vaultc serve`: the site is served on 127.0.0.1, and an edit in the vault shows up in the served
page without a restart: re-emit, MkDocs rendering only the changed pages, and live reload."""
from __future__ import annotations

import subprocess
import time

from conftest import fetch_text, start_serve, stop_session


def _wait_for(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


def test_serve_rebuilds_when_the_vault_changes(tmp_path):
    server, url = start_serve(tmp_path, stderr=subprocess.PIPE)
    vault = tmp_path / "vault"
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

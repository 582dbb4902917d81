"""Watching a vault for changes (`vaultc check --watch`, `vaultc serve`).

A stat scan every `poll` seconds, not inotify: it behaves the same on every platform, in
containers and on network or synced drives, and a 10,000-page scan costs a few tens of
milliseconds. Hidden files and folders (`.obsidian/`, editors' swap files) are not watched.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path


def watch(folder: Path, on_change: Callable[[], None], stop: threading.Event, poll: float,
          until: Callable[[], bool] = lambda: False, since: dict[str, tuple[int, int]] | None = None) -> None:
    """Call `on_change` after files under `folder` change, once an editor has finished writing
    (a scan SETTLE seconds later sees nothing new), until `stop` is set or `until()` is true.

    `since`: the snapshot the first build was made from, taken before it started; a file saved
    while that build ran is then a change (taken after, it would be missed until the next save)."""
    before = since if since is not None else snapshot(folder)
    while not stop.is_set() and not until():
        time.sleep(poll)
        now = snapshot(folder)
        if now == before:
            continue
        while True:  # settle: wait until a scan sees nothing new
            time.sleep(min(poll, SETTLE))
            settled = snapshot(folder)
            if settled == now:
                break
            now = settled
        before = now
        try:
            on_change()
        except Exception as exc:  # a half-saved page must not end the session
            print(f"vaultc: rebuild failed: {exc}", file=sys.stderr)


# An editor's save is one write, or a write and a rename microseconds apart; waiting a whole poll
# for quiet made every rebuild start half a second later than it could.
SETTLE = 0.1


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """(modification time, size) of every visible file under `folder`."""
    found = {}
    for current, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.startswith("."):
                continue
            path = os.path.join(current, name)
            try:
                stat = os.stat(path)
            except OSError:  # removed between the listing and the stat
                continue
            found[path] = (stat.st_mtime_ns, stat.st_size)
    return found

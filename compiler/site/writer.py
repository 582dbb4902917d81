"""Writing the docs tree (emit stage): a file is rewritten only when its bytes change, so MkDocs'
live reload and any file watcher see just what changed; files no longer produced are removed.
Each rewrite is a temporary file renamed over the old one: a reader (MkDocs, a killed run's
successor) sees the old file or the new one, never half of one.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..files import temporary_name


MARKER = ".vaultc-docs"  # marks a folder as ours: only such a folder is ever pruned


class DocsDirError(Exception):
    pass


@dataclass
class Writer:
    root: Path
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    _produced: set[str] = field(default_factory=set)
    # [size, mtime_ns] of every file of the tree, scanned once, then kept up to date by this
    # writer's own writes: on 10,000 pages a stat per file (twice: to keep it, then to record
    # it) and a walk to prune took 0.15 s of an edit's emit
    _disk: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        if self.root.exists() and any(self.root.iterdir()) and not (self.root / MARKER).exists():
            raise DocsDirError(f"{self.root} holds files vaultc did not write; refusing to overwrite it "
                               "(empty it, or point docs_dir elsewhere)")
        self.root.mkdir(parents=True, exist_ok=True)
        if not (self.root / MARKER).exists():
            _replace(self.root / MARKER, b"This folder is written by vaultc; it removes files it did not produce.\n")
        self._disk = scan(self.root)

    def text(self, rel: str, content: str) -> None:
        self.bytes(rel, content.encode("utf-8"))

    def bytes(self, rel: str, data: bytes) -> None:
        self.record(rel, write_file(self.root, rel, data, self.stamp(rel)))

    def record(self, rel: str, stamp: list[int] | None) -> None:
        """A file write_file() wrote (its new stamp) or found as it should be (None)."""
        self._produced.add(rel)
        if stamp is None:
            self.unchanged += 1
        else:
            self._disk[rel] = stamp
            self.written.append(rel)

    def keep(self, rel: str, written: list) -> bool:
        """Keep a file whose content is known not to change, if it is as the last run wrote it:
        `written` is [size, mtime_ns] as stat() gave them then (see stamp)."""
        if self.stamp(rel) != written:
            return False
        self._produced.add(rel)
        self.unchanged += 1
        return True

    def stamp(self, rel: str) -> list[int] | None:
        """[size, mtime_ns] of a file of the tree, or None."""
        return self._disk.get(rel)

    def discard(self, rel: str) -> None:
        """Remove a file of the tree now (it is written again, or pruned, later)."""
        (self.root / rel).unlink(missing_ok=True)
        self._disk.pop(rel, None)

    def copy(self, rel: str, source: Path | int) -> None:
        """Copy a file (a script; or an attachment, given as a descriptor the vault opened: it is
        read through that and closed) unless size and modification time already match."""
        if isinstance(source, int):
            with open(source, "rb") as handle:
                return self._copy(rel, handle)
        with open(source, "rb") as handle:
            return self._copy(rel, handle)

    def _copy(self, rel: str, handle) -> None:
        self._produced.add(rel)
        path = self.root / rel
        src = os.fstat(handle.fileno())
        try:
            dst = path.stat()
            if dst.st_size == src.st_size and int(dst.st_mtime) == int(src.st_mtime):
                self.unchanged += 1
                return
        except OSError:
            pass
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = _temporary(path)
        try:
            with open(tmp, "wb") as out:
                shutil.copyfileobj(handle, out, 1 << 20)
            os.utime(tmp, ns=(src.st_atime_ns, src.st_mtime_ns))
            os.replace(tmp, path)
        except BaseException:
            _discard(tmp)
            raise
        info = path.stat()
        self._disk[rel] = [info.st_size, info.st_mtime_ns]
        self.written.append(rel)

    def prune(self) -> None:
        """Remove files (and then folders left empty) that this run did not produce."""
        folders = set()
        for rel in sorted(set(self._disk) - self._produced - {MARKER}):
            _discard(self.root / rel)
            del self._disk[rel]
            self.removed.append(rel)
            folders.add(rel.rpartition("/")[0])
        for folder in sorted(folders, key=lambda f: -f.count("/")):  # the deepest first
            while folder:
                try:
                    os.rmdir(self.root / folder)  # only when empty
                except OSError:
                    break
                folder = folder.rpartition("/")[0]


def write_file(root: Path, rel: str, data: bytes, stamp: list[int] | None) -> list[int] | None:
    """Write `data` to the tree's file `rel` unless it holds it already (`stamp`: the file's as
    the tree was scanned): its new [size, mtime_ns], or None when unchanged. Pure but for the
    file, so the emit's workers write the files they make (Writer.record keeps the tally)."""
    path = root / rel
    try:
        if stamp is not None and stamp[0] == len(data) and path.read_bytes() == data:
            return None
    except OSError:
        pass
    _replace(path, data)
    info = path.stat()
    return [info.st_size, info.st_mtime_ns]


def scan(root: Path, hidden: bool = True) -> dict[str, list[int]]:
    """rel path -> [size, mtime_ns] of every file under `root` (not following links; without
    dot-files and dot-folders unless `hidden`)."""
    found: dict[str, list[int]] = {}
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if not hidden and entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, f"{prefix}{entry.name}/"))
                else:
                    info = entry.stat(follow_symlinks=False)
                    found[prefix + entry.name] = [info.st_size, info.st_mtime_ns]
    return found


def _replace(path: Path, data: bytes) -> None:
    """Write beside the target, then rename over it. No fsync: the tree is rebuilt from the vault
    on every run, and a sync per file would dominate the emit time of a large vault; the rename
    alone is what keeps a file whole for a reader or after a killed run."""
    tmp = _temporary(path)
    try:
        try:
            tmp.write_bytes(data)
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        _discard(tmp)
        raise


def _temporary(path: Path) -> Path:
    # A dot-file, short whatever the page's name: MkDocs never reads one, and prune() removes one
    # a killed run left behind.
    return path.with_name(temporary_name(path.name))


def _discard(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass

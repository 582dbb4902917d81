"""Stage 1, discover: list the vault's pages and attachments, and read a page's text.

Nothing outside the vault is ever opened: symlinks are followed only when their real path stays
inside the vault, folder symlinks are not followed at all (that is where loops come from).
"""
from __future__ import annotations

import errno
import fnmatch
import os
import stat
import re
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from pathlib import Path

from .config import Config
from .model import Problem, SourceFile, made


@dataclass(frozen=True)
class Discovery:
    files: tuple[SourceFile, ...]
    rejected: tuple[tuple[str, Problem], ...]  # files seen but not read, with the reason


_PATH, _NAME = attrgetter("path"), attrgetter("name")


def discover(root: Path, config: Config) -> Discovery:
    root = root.resolve()
    files: list[SourceFile] = []
    rejected: list[tuple[str, Problem]] = []
    _scan(root, str(root), "", config.exclude, files, rejected)
    files.sort(key=_PATH)
    return Discovery(tuple(files), tuple(rejected))


def _scan(root: Path, folder: str, rel_folder: str, exclude: tuple[str, ...], files: list[SourceFile],
          rejected: list[tuple[str, Problem]]) -> None:
    """One folder, then its subfolders, in name order (as `os.walk` goes, top-down). A directory
    entry tells whether it is a symlink and a folder without another system call, and the folder is
    listed through an open descriptor, so each file's stat looks up its name in that folder alone
    rather than walking the whole path again (10k files under a home folder: 50 -> 42 ms)."""
    try:
        handle = os.open(folder, _DIRECTORY) if _BY_DESCRIPTOR else None
    except OSError:  # a folder that cannot be opened is skipped, as os.walk skips it
        return
    base = folder if folder.endswith("/") else folder + "/"
    subfolders = []
    try:
        try:
            with os.scandir(folder if handle is None else handle) as listing:
                entries = sorted(listing, key=_NAME)
        except OSError:  # or listed
            return
        prefix = f"{rel_folder}/" if rel_folder else ""
        for entry in entries:
            name = entry.name
            if name.startswith("."):  # as in Obsidian: dot-files and dot-folders are never pages or attachments
                continue
            rel = prefix + name
            if not _utf8(name):
                # A name that is no UTF-8 cannot be a link's target, an IRI or a URL: reported under
                # its bytes written out, and never read.
                shown = os.fsencode(rel).decode("utf-8", "backslashreplace")
                rejected.append((shown, Problem("unreadable-file", "the file name is not valid UTF-8; not read")))
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                # A symlinked folder is never entered: that is where loops come from.
                if not is_excluded(rel, exclude) and not entry.is_symlink():
                    subfolders.append((base + name, rel))
                continue
            if (exclude and is_excluded(rel, exclude)) or (not prefix and _is_config_file(rel)):
                continue
            if entry.is_symlink():
                problem = _check_symlink(root, base + name)
                if problem is not None:
                    if name.lower().endswith(".md"):
                        rejected.append((rel, problem))
                    continue
            try:
                stat = entry.stat()
            except OSError as exc:
                rejected.append((rel, Problem("unreadable-file", f"cannot stat file: {exc.strerror}")))
                continue
            # made(): a vault's files are listed on every run, and the frozen __init__ is a third of it
            files.append(made(SourceFile, {"path": rel, "abspath": base + name, "size": stat.st_size,
                                           "is_page": name.lower().endswith(".md"), "mtime_ns": stat.st_mtime_ns}))
    finally:
        if handle is not None:
            os.close(handle)
    for path, rel in subfolders:
        _scan(root, path, rel, exclude, files, rejected)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# Listing a folder by descriptor (POSIX): where the platform cannot, folders are listed by path.
_BY_DESCRIPTOR = os.scandir in os.supports_fd and os.stat in os.supports_dir_fd
_DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


class NotInVault(OSError):
    """What was found at a vault path is not a regular file inside the vault (any more)."""


def open_in_vault(source: SourceFile) -> int:
    """A descriptor of the file discovery listed, opened once and checked, never by a path that
    something could change in between: each folder from the vault's root down is opened by
    descriptor without following a symlink, then the file, and what was opened must be a regular
    file (a FIFO, a device or a socket is not even opened for reading: O_NONBLOCK). A file that
    is a symlink (discovery let in those that stay inside the vault) is followed, and where it
    led is checked to be inside the vault. Raises OSError, NotInVault."""
    parts = source.path.split("/")
    root = source.abspath[: len(source.abspath) - len(source.path)].rstrip("/") or "/"
    folder = os.open(root, _DIRECTORY)
    try:
        for name in parts[:-1]:
            inner = os.open(name, _DIRECTORY | _NOFOLLOW, dir_fd=folder)
            os.close(folder)
            folder = inner
        flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(parts[-1], flags | _NOFOLLOW, dir_fd=folder)
        except OSError as exc:
            if exc.errno not in (errno.ELOOP, errno.EMLINK):  # not a symlink: a real failure
                raise
            fd = os.open(parts[-1], flags, dir_fd=folder)
            _check_inside(fd, root)
    finally:
        os.close(folder)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotInVault(errno.EINVAL, "not a regular file (a FIFO, device or socket)")
    except BaseException:
        os.close(fd)
        raise
    return fd


def _check_inside(fd: int, root: str) -> None:
    """The file a followed symlink opened lies inside the vault (asked of the descriptor itself)."""
    try:
        real = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:  # no /proc: discovery's check of the link, made moments ago, stands
        return
    real_root = os.path.realpath(root)
    if real != real_root and not real.startswith(real_root.rstrip("/") + "/"):
        os.close(fd)
        raise NotInVault(errno.EXDEV, "a symlink leading out of the vault")


def read_page(source: SourceFile, max_bytes: int) -> tuple[str | None, Problem | None]:
    """The page's text (BOM dropped, newlines normalised), or the reason it cannot be read."""
    if source.size > max_bytes:
        return None, Problem("unreadable-file", f"file is {source.size} bytes, over the {max_bytes}-byte limit")
    try:
        with open(open_in_vault(source), "rb") as handle:
            # As much as discovery saw, and a byte more to notice growth: read(n) sets aside n
            # bytes first, and n = the limit (5 MiB) tripled the cost of reading a vault.
            data = handle.read(min(source.size, max_bytes) + 1)
            if len(data) > source.size:  # it grew since discovery: the rest, up to the limit
                data += handle.read(max_bytes + 1 - len(data))
    except OSError as exc:
        return None, Problem("unreadable-file", f"cannot read file: {exc.strerror}")
    if len(data) > max_bytes:
        return None, Problem("unreadable-file", f"file grew over the {max_bytes}-byte limit while reading")
    if b"\x00" in data:
        return None, Problem("unreadable-file", "file holds NUL bytes: binary, not a Markdown page")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, Problem("unreadable-file", f"not valid UTF-8 (byte {exc.start}, line {line})", line)
    if text.startswith("\ufeff"):
        text = text[1:]
    return line_ends_as_lf(text), None


def line_ends_as_lf(text: str) -> str:
    """CRLF and a lone CR as LF: the line ends markdown-it counts (its normalize makes the same)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def is_excluded(path: str, patterns: tuple[str, ...]) -> bool:
    """Whether a configured glob excludes the path: a pattern without `/` matches any one folder or
    file name on the way, one with `/` matches from the vault's root, `**` standing for any number
    of folders. Names are matched by the standard library's `fnmatch` (its patterns match in
    linear time: a 16-star glob is no hang), case-insensitively; folders one at a time, so no `*`
    crosses a `/`."""
    if not patterns:
        return False
    parts = path.casefold().split("/")
    for pattern in patterns:
        segments = _segments(pattern.strip("/"))
        if len(segments) == 1 and segments[0] is not None:
            if any(segments[0].fullmatch(part) for part in parts):
                return True
        elif _prefix_matches(segments, parts):
            return True
    return False


@lru_cache(maxsize=256)
def _segments(pattern: str) -> tuple[re.Pattern[str] | None, ...]:
    """One compiled name pattern per folder of the glob; None for `**`."""
    return tuple(None if segment == "**" else re.compile(fnmatch.translate(segment.casefold()))
                 for segment in pattern.split("/"))


def _prefix_matches(segments: tuple[re.Pattern[str] | None, ...], parts: list[str]) -> bool:
    """Whether the segments match the path's first folders (or the whole path): the set of
    places each segment can end at, carried along, so the cost is segments x parts."""
    ends = {0}  # how many parts the segments so far can have taken
    for segment in segments:
        if segment is None:
            ends = set(range(min(ends), len(parts) + 1)) if ends else set()
        else:
            ends = {i + 1 for i in ends if i < len(parts) and segment.fullmatch(parts[i])}
        if not ends:
            return False
    return bool(ends - {0})


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # os.scandir kept the undecodable bytes as lone surrogates
        return False
    return True


def _check_symlink(root: Path, absolute: str) -> Problem | None:
    try:
        real = Path(os.path.realpath(absolute, strict=True))
    except (OSError, RuntimeError):
        return Problem("unreadable-file", "broken or looping symlink; not read")
    if not real.is_relative_to(root):
        return Problem("unreadable-file", "symlink points outside the vault; not read")
    if not real.is_file():
        return Problem("unreadable-file", "symlink does not point to a file; not read")
    return None


def _is_config_file(rel: str) -> bool:
    return rel in ("vaultc.toml",)

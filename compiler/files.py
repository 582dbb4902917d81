"""Writing outputs atomically: the new contents go to a file no one else can see, which then takes
the target's name at once, so an interrupted run leaves the previous output whole."""
from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path


def emit(data: str | bytes, output: Path | None) -> None:
    """A command's output: to stdout, or written atomically to `output` (`-o FILE`)."""
    if output is not None:
        write_atomic(output, data)
    elif isinstance(data, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        sys.stdout.write(data)


def write_atomic(path: Path, text: str | bytes) -> None:
    """Where Linux allows (O_TMPFILE), the contents are written to a file without a name, which a
    killed run leaves nothing of; it is named just before the rename. The new file gets the mode
    the umask gives (a temporary file's 0600 is not what an export should end with)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    tmp = str(path.parent / temporary_name(path.name))
    fd = _anonymous(path.parent)
    try:
        if fd is None:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            if not os.path.exists(tmp):
                _name(handle.fileno(), tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def temporary_name(name: str) -> str:
    """A dot-file beside the target, named by a hash of its name: short whatever the target's
    name (a 240-character page name plus a suffix was over the file system's 255)."""
    digest = hashlib.blake2b(name.encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()
    return f".vaultc-{digest}-{os.getpid()}-{os.urandom(4).hex()}.tmp"


def _name(fd: int, name: str) -> None:
    """Give an O_TMPFILE file a name: linkat(2) with AT_SYMLINK_FOLLOW on its /proc entry, which
    os.link cannot ask for (it never passes that flag), so libc's is called."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    at_fdcwd, at_symlink_follow = -100, 0x400
    if libc.linkat(at_fdcwd, f"/proc/self/fd/{fd}".encode(), at_fdcwd, os.fsencode(name), at_symlink_follow) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error), name)


def _anonymous(folder: Path) -> int | None:
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or not os.path.isdir("/proc/self/fd") or not sys.platform.startswith("linux"):
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError:  # a file system without it
        return None

"""What the cache reads back can never run code: every file it writes is sealed with a key that
lives in the user's own state folder, and is read back with an unpickler that builds only data.

A cache folder can come from a vault's own `vaultc.toml` (`cache_dir = "../x"`) and so from
whoever shared the vault: plain `pickle.load` on a file found there would run whatever code the
file names. Two locks, either enough on its own:

- a seal: a keyed BLAKE2b tag over the file's name and contents. The key is 32 random bytes made
  once per user (`$XDG_STATE_HOME/vaultc/cache-key`, mode 0600), which a shared vault cannot
  know, so a foreign, swapped, older or truncated file is a cache miss, never read;
- an allow-list: the unpickler builds only vaultc's own data classes (dataclasses and named
  tuples of the `compiler` package), dates and builtin containers, and refuses any other global
  (`os.system`, `builtins.eval`, …), as the `pickle` documentation's "Restricting Globals" shows.

The standard library has both pieces (hashlib's keyed BLAKE2b, `pickle.Unpickler.find_class`);
no package does the pairing, so it is written here.
"""
from __future__ import annotations

import dataclasses
import datetime
import enum
import hashlib
import hmac
import io
import os
import pickle
import sys
from pathlib import Path

TAG_BYTES = 16
_KEY_BYTES = 32
_key: bytes | None = None


def key_file() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(state) / "vaultc" / "cache-key"


def _load_key() -> bytes:
    """This user's key, made on first use. Where it cannot be kept, a key for this process only:
    nothing written before can then be read back, which is only slower."""
    path = key_file()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(os.urandom(_KEY_BYTES))
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            key = handle.read(_KEY_BYTES + 1)
        if len(key) == _KEY_BYTES:
            return key
    except OSError:
        pass
    return os.urandom(_KEY_BYTES)


def _tag(label: str, payload: bytes) -> bytes:
    global _key
    if _key is None:
        _key = _load_key()
    mac = hashlib.blake2b(key=_key, digest_size=TAG_BYTES)
    mac.update(label.encode("utf-8", "surrogatepass") + b"\0")
    mac.update(payload)
    return mac.digest()


def seal(label: str, payload: bytes) -> bytes:
    """`payload` with its tag in front; `label` names where it is stored (a file, a digest), so a
    sealed blob moved to another name does not open."""
    return _tag(label, payload) + payload


def unseal(label: str, data: bytes) -> bytes | None:
    """The payload `seal(label, …)` wrapped, or None when `data` is not that (foreign, moved,
    truncated, written with another key)."""
    if len(data) < TAG_BYTES:
        return None
    payload = memoryview(data)[TAG_BYTES:]
    return bytes(payload) if hmac.compare_digest(data[:TAG_BYTES], _tag(label, payload)) else None


_BUILTINS = frozenset({"set", "frozenset", "tuple", "list", "dict", "bytes", "bytearray", "complex",
                       "int", "float", "str", "bool", "slice", "range"})
_DATES = frozenset({"date", "datetime", "time", "timedelta", "timezone"})


class _DataUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        found = _ALLOWED.get((module, name))
        if found is not None:
            return found
        if module == "builtins" and name in _BUILTINS:
            found = getattr(__import__("builtins"), name)
        elif module == "datetime" and name in _DATES:
            found = getattr(datetime, name)
        elif (module == "compiler" or module.startswith("compiler.")) and module in sys.modules and "." not in name:
            found = getattr(sys.modules[module], name, None)
            if not (isinstance(found, type) and _plain_data(found)):
                found = None
        if found is None:
            raise pickle.UnpicklingError(f"the cache may not build {module}.{name}")
        _ALLOWED[(module, name)] = found
        return found


# (module, name) -> the class find_class allowed: each of a page's pickles names its classes
# again, and judging one each time was a third of unpickling a big vault's pages.
_ALLOWED: dict[tuple[str, str], type] = {}


def _plain_data(kind: type) -> bool:
    """A named tuple, an enum, or a dataclass whose construction only stores its fields (no
    `__post_init__`, which may act: the site's Writer creates folders)."""
    if issubclass(kind, tuple):
        return hasattr(kind, "_fields")
    if issubclass(kind, enum.Enum):
        return True
    return dataclasses.is_dataclass(kind) and not hasattr(kind, "__post_init__")


def loads(blob: bytes):
    """Unpickle data only (see the module's docstring); raises on anything else."""
    return _DataUnpickler(io.BytesIO(blob)).load()


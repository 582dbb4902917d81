"""The parse cache: every page's parse result, kept between runs so that only edited pages are
parsed again.

Parsing is a pure function of (path, text, claim pass on or off) — see parse.py — so a result is
stored under a digest of exactly that, salted with the vaultc version and the cache format. The
cache lives outside the vault (`.vaultc-cache/<vault name>-<hash of its path>/` beside the vault
by default, or `cache_dir` / `--cache-dir`), every file in it is written atomically, and anything
that cannot be read back — truncated, corrupt, from another version — is ignored and rebuilt.

    <cache>/pages/ab/<digest>   one pickled `Page` per parsed text (content-addressed)
    <cache>/packs/<tag>-<name>  many of them in one file, as the workers of a cold compile store them
    <cache>/packs/index-<tag>/ab  where each page in a pack is, by the first byte of its digest
                                (tag: of the salt, so that each setting keeps its own)
    <cache>/manifest            path -> (size, mtime, digest) of the last run: files whose size and
                                modification time did not change are not even read again
    <cache>/check               what the last `vaultc check` derived (see incremental.py)
    <cache>/check-index/NNN     its link tables (index, wanted names), in shards by key
    <cache>/*-patch             what changed in the record of that name since it was written whole

Every file is sealed with a key of the user's own and read back as data only (seal.py): a cache
folder named by a shared vault's configuration, with files planted in it, is a cache miss and can
never run code.
"""
from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import pickle
import tempfile
import time
import zlib
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from . import __version__, seal
from .config import Config, ConfigError
from .model import Page, SourceFile, gc_paused

FORMAT = 5  # bump whenever what the cache holds changes shape
_COUNTER = itertools.count()
FOLDER_NAME = ".vaultc-cache"
# A file modified this close to the start of the run that recorded it may have changed again within
# the file system's timestamp granularity: it is read and hashed, never trusted on its stat alone.
_RACY_NS = 2_000_000_000


def default_cache_dir(vault: Path) -> Path:
    vault = vault.resolve()
    tag = hashlib.blake2b(os.fsencode(vault), digest_size=4).hexdigest()
    return vault.parent / FOLDER_NAME / f"{vault.name or 'vault'}-{tag}"


def open_cache(vault: Path, config: Config, folder: Path | None = None, enabled: bool = True,
               claims: bool = True) -> ParseCache | None:
    """The cache a command uses: `--cache-dir`, else `cache_dir` from the configuration, else the
    default beside the vault; None with `--no-cache`. A cache inside the vault is refused: vaultc
    never writes there."""
    if not enabled:
        return None
    chosen = Path(folder) if folder is not None else Path(config.cache_dir) if config.cache_dir else default_cache_dir(vault)
    chosen, root = chosen.resolve(), vault.resolve()
    if chosen == root or root in chosen.parents:
        raise ConfigError(f"the cache folder {chosen} is inside the vault; vaultc never writes there")
    return ParseCache(chosen, claims)


def cache_for(args, config: Config, claims: bool = True) -> ParseCache | None:
    """The cache a command's `--cache-dir` / `--no-cache` options ask for."""
    return open_cache(args.vault, config, getattr(args, "cache_dir", None), not getattr(args, "no_cache", False),
                      claims)


class Entry(NamedTuple):
    size: int
    mtime_ns: int
    digest: str


_PREFIXES = [f"{byte:02x}" for byte in range(256)]  # the pack index's shards: a digest's first byte


@dataclass(frozen=True)
class PageStore:
    """The content-addressed half of the cache: small enough to hand to worker processes.

    A page is stored on its own (`put`, one file) or, when a cold compile's workers store thousands,
    in packs of many (`put_pack`): creating a file is the costly part of storing a page (on 10k
    pages, 0.4 s of each of the two workers' time, as the kernel allocates ten thousand inodes),
    and a pack of 64 pages is one file. Where each packed page is goes into a small index by the
    first byte of its digest, so a look-up reads one shard of it."""

    folder: Path
    salt: bytes
    # prefix -> {digest: (pack, offset, length)}: the index shards this process has read
    _located: dict = field(default_factory=dict, compare=False, repr=False)

    def __reduce__(self):
        """Pickled without the index shards read so far: a store travels with every page a
        process pool is sent, and a process that indexed a big vault holds all of them."""
        return PageStore, (self.folder, self.salt)

    @property
    def tag(self) -> str:
        """What names this salt's packs and index (`<tag>-<name>`, `index-<tag>/`): a check with
        the claim pass and one without share the folder, and neither removes the other's packs."""
        return hashlib.blake2b(self.salt, digest_size=4).hexdigest()

    def digest(self, path: str, text: str) -> str:
        data = self.salt + path.encode("utf-8", "surrogatepass") + b"\0" + text.encode("utf-8", "surrogatepass")
        return hashlib.blake2b(data, digest_size=16).hexdigest()

    def _object(self, digest: str) -> str:
        return os.path.join(self.folder, "pages", digest[:2], digest)

    def get(self, digest: str, path: str) -> Page | None:
        blob = self.get_blob(digest)
        return unpickle_page(blob, path) if blob is not None else None

    def get_blob(self, digest: str) -> bytes | None:
        try:
            with open(self._object(digest), "rb") as handle:
                return seal.unseal(digest, handle.read())
        except OSError:
            pass
        where = self.located(digest[:2]).get(digest)
        if where is None:
            return None
        pack, offset, length = where
        try:
            with open(os.path.join(self.folder, "packs", pack), "rb") as handle:
                handle.seek(offset)
                blob = handle.read(length)
        except OSError:
            return None
        return seal.unseal(digest, blob) if len(blob) == length else None  # a pack cut short: parsed again

    def located(self, prefix: str) -> dict[str, tuple[str, int, int]]:
        """One shard of the pack index: digest -> (pack, offset, length), read once per process."""
        shard = self._located.get(prefix)
        if shard is None:
            shard = read_record(self._index_shard(prefix), self.salt, dict) or {}
            self._located[prefix] = shard
        return shard

    def _index_shard(self, prefix: str) -> str:
        return os.path.join(self.folder, "packs", f"index-{self.tag}", prefix)

    def put_pack(self, pages: list[tuple[str, bytes]]) -> dict[str, tuple[str, int, int]]:
        """Store many pages (digest, blob) in one pack, written atomically; where each now is (for
        `index_packs`), or nothing when the pack could not be written."""
        name, offset, where = f"{self.tag}-{os.urandom(8).hex()}", 0, {}
        pages = [(digest, seal.seal(digest, blob)) for digest, blob in pages]
        for digest, blob in pages:
            where[digest] = (name, offset, len(blob))
            offset += len(blob)
        if not write_quietly(Path(self.folder, "packs", name), b"".join(blob for _, blob in pages)):
            return {}
        return where

    def index_packs(self, where: dict[str, tuple[str, int, int]], live: set[str] | None, since_ns: int) -> None:
        """Add the pages of new packs to the index. Given the `live` digests (the texts the whole
        vault holds now), the index keeps only theirs, and this salt's packs it no longer names
        that were written before `since_ns` (not by a run still going) are deleted. Two runs writing
        at once may lose each other's entries: those pages are parsed again."""
        if not where:
            return
        added: dict[str, dict[str, tuple[str, int, int]]] = {}
        for digest, location in where.items():
            added.setdefault(digest[:2], {})[digest] = location
        named, ours = set(), f"{self.tag}-"
        for prefix in _PREFIXES if live is not None else added:
            shard = self.located(prefix)
            kept = {digest: location for digest, location in shard.items() if live is None or digest in live}
            kept.update(added.get(prefix, ()))
            if kept != shard:
                self._located[prefix] = kept
                write_record(self._index_shard(prefix), self.salt, kept)
            named.update(pack for pack, _, _ in kept.values())
        if live is None:
            return
        with contextlib.suppress(OSError), os.scandir(os.path.join(self.folder, "packs")) as entries:
            for entry in entries:
                if (entry.is_file() and entry.name.startswith(ours) and entry.name not in named
                        and entry.stat().st_mtime_ns < since_ns):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)

    def put(self, digest: str, blob: bytes) -> None:
        """Atomically, as every cache write; with the fewest system calls, as a cold check of a big
        vault stores one per page (a temporary file named by process and count, then a rename)."""
        folder = os.path.join(self.folder, "pages", digest[:2])
        temporary = os.path.join(folder, f".tmp-{os.getpid()}-{next(_COUNTER)}")
        try:
            try:
                handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileNotFoundError:  # the folder's first page
                os.makedirs(folder, exist_ok=True)
                handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(seal.seal(digest, blob))
                os.replace(temporary, os.path.join(folder, digest))
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:  # a cache that cannot be written is only slower
            pass


class ParseCache:
    def __init__(self, folder: Path, claims: bool = True) -> None:
        self.folder = Path(folder)
        self.salt = f"vaultc {__version__} cache {FORMAT} claims={int(claims)}\0".encode()
        self.store = PageStore(self.folder, self.salt)
        self.started_ns = time.time_ns()
        self._base: tuple[str, dict[str, Entry]] | None = None  # the manifest record as saved, and its id
        self.manifest: dict[str, Entry] = self._read_manifest()
        self._seen: dict[str, Entry] = {}
        self.held: dict[str, Any] = {}  # records a long-running process (--watch, serve) keeps in memory
        self.pages: dict[str, Page] = {}  # digest -> page, for the next run of this process
        self._pending: list = []

    def recall(self, digest: str, path: str) -> Page | None:
        """The page parsed from this digest: from memory, else from disk."""
        page = self.pages.get(digest)
        if page is None or page.path != path:
            page = self.store.get(digest, path)
            if page is not None:
                self.pages[digest] = page
        return page

    def remember(self, digest: str, page: Page) -> None:
        self.pages[digest] = page

    def next_run(self) -> None:
        """Start another run in the same process: what this one saw becomes the manifest."""
        if self._seen:
            self.manifest = {**self._seen, "": Entry(0, self.started_ns, "")}
        live = {entry.digest for entry in self._seen.values()}
        self.pages = {d: page for d, page in self.pages.items() if d in live}  # forget replaced texts
        self._seen = {}
        self.started_ns = time.time_ns()

    def later(self, job) -> None:
        """Defer a write until `flush`, so a report is shown before the cache is saved."""
        self._pending.append(job)

    def flush(self) -> None:
        while self._pending:
            self._pending.pop(0)()

    def known(self, source: SourceFile) -> str | None:
        """The digest of a file that has not changed since the last run, without reading it."""
        entry = self._unchanged(source, self._recorded_ns - _RACY_NS)
        return entry.digest if entry is not None else None

    def trusted(self, sources: Iterable[SourceFile]) -> dict[str, str]:
        """known() of many files at once, by path (the files it knows only), each recorded as seen
        with its manifest entry as it is: a no-change run of a 10k-page vault asks for every file."""
        recorded_ns, seen = self._recorded_ns - _RACY_NS, self._seen
        found = {}
        for source in sources:
            entry = self._unchanged(source, recorded_ns)
            if entry is not None:
                seen[source.path] = entry
                found[source.path] = entry.digest
        return found

    def _unchanged(self, source: SourceFile, recorded_ns: int) -> Entry | None:
        """The manifest entry of a file with the same size and modification time as then, unless
        that time is so close to when it was recorded that it may have been written since."""
        entry = self.manifest.get(source.path)
        if entry is None or entry.size != source.size or entry.mtime_ns != source.mtime_ns \
                or entry.mtime_ns >= recorded_ns:
            return None
        return entry

    def record(self, source: SourceFile, digest: str) -> None:
        self._seen[source.path] = Entry(source.size, source.mtime_ns, digest)

    @property
    def seen(self) -> dict[str, Entry]:
        """What this run read or trusted, by path."""
        return self._seen

    def save_manifest(self) -> None:
        """Keep what this run saw (files that went away are dropped), stamped with the run's start.

        Saved as a patch on the manifest record when few entries differ from it (an edit changes
        one): rewriting 10k entries after each edit was a twentieth of an incremental check."""
        current = {**self._seen, "": Entry(0, self.started_ns, "")}
        if self._base is not None:
            generation, base = self._base
            changed = {path: entry for path, entry in current.items() if base.get(path) != entry}
            gone = [path for path in base if path not in current]
            if len(changed) + len(gone) <= patch_limit(len(base)):
                self.write_patch("manifest", generation, (changed, gone))
                return
        self._base = (self.write_whole("manifest", current), current)

    def _read_manifest(self) -> dict[str, Entry]:
        found = self.read_whole("manifest", dict)
        if found is None:
            return {}
        generation, manifest, patch = found
        self._base = (generation, manifest)
        if patch is not None:
            changed, gone = patch
            manifest = {**manifest, **changed}
            for path in gone:
                manifest.pop(path, None)
        return manifest

    # Records that are written whole now and then, and between times as a patch on the last whole
    # one (the manifest, the check state). A patch names the record it was laid on by its
    # generation, so one left by a run before the record was written whole again is ignored.

    def write_whole(self, name: str, value: Any) -> str:
        """Write the record; its generation (a fresh id, to name it in patches) is returned."""
        generation = os.urandom(8).hex()
        self.write(name, (generation, value))
        return generation

    def write_patch(self, name: str, generation: str, patch: Any) -> None:
        self.write(f"{name}-patch", (generation, patch))

    def read_whole(self, name: str, kind: type) -> tuple[str, Any, Any] | None:
        """(generation, the record's value, the patch written on it since or None), or None when
        there is no such record (missing, corrupt, of another format)."""
        found = self.read(name, tuple)
        if found is None or len(found) != 2 or not isinstance(found[1], kind):
            return None
        patch = self.read(f"{name}-patch", tuple)
        return found[0], found[1], patch[1] if patch is not None and len(patch) == 2 and patch[0] == found[0] else None

    @property
    def _recorded_ns(self) -> int:
        stamp = self.manifest.get("")
        return stamp.mtime_ns if isinstance(stamp, Entry) else 0

    def read(self, name: str, kind: type) -> Any:
        """A record written by `write`, or None when it is missing, corrupt or of another format."""
        return read_record(self.folder / name, self.salt, kind)

    def write(self, name: str, value: Any) -> None:
        write_record(self.folder / name, self.salt, value)


def read_record(path: str | Path, salt: bytes, kind: type) -> Any:
    """A record written by `write_record` with this salt, or None when it is missing, corrupt or
    of another format."""
    try:
        with open(path, "rb") as handle:
            data = seal.unseal(os.fspath(path), handle.read())
        if data is None:
            return None
        with gc_paused():
            found, value = seal.loads(data)
    except Exception:
        return None
    return value if found == salt and isinstance(value, kind) else None


def write_record(path: str | Path, salt: bytes, value: Any) -> None:
    write_quietly(Path(path), seal.seal(os.fspath(path), pickle.dumps((salt, value), protocol=pickle.HIGHEST_PROTOCOL)))


SHARDS = 256  # how many records a sharded table set is stored in (see ShardedTables)


def shard_of(key: str) -> int:
    """The shard a key is stored in: the same in every process (str's hash() is salted per process)."""
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % SHARDS


class ShardedTables:
    """Tables keyed by strings (an index: names -> paths, paths -> headings...), stored in SHARDS
    records by key, each record holding every table's entries for its keys. A run that asks for
    a few keys — an incremental check after an edit resolves a page's links — loads the shards
    those fall in, not the whole set (a 10k-page vault's index took a tenth of such a check to
    load), and saves only the shards it changed.

    Each shard record carries a token; the caller keeps the tokens of the set it saved (in its
    own record, written after the shards) and hands them back, so a shard written by another run
    since is refused (LookupError) rather than mixed in."""

    def __init__(self, cache: "ParseCache", name: str, tokens: tuple[str, ...], layout: dict[str, Any]) -> None:
        """`layout`: table name -> the factory of a missing key's value (as defaultdict's), or None;
        a table with a factory holds mutable values, which callers change in place."""
        if len(tokens) != SHARDS:
            raise LookupError(f"{name}: {len(tokens)} shard tokens for {SHARDS} shards")
        self.cache, self.name, self.tokens = cache, name, tokens
        self.loaded: set[int] = set()
        self.dirty: set[int] = set()
        self.tables = {table: LazyTable(self, factory) for table, factory in layout.items()}

    def load(self, shard: int) -> None:
        record = self.cache.read(f"{self.name}/{shard:03x}", tuple)
        if record is None or len(record) != 2 or record[0] != self.tokens[shard]:
            raise LookupError(f"{self.name}: shard {shard:03x} does not belong to this state")
        for table, entries in record[1].items():
            self.tables[table].data.update(entries)
        self.loaded.add(shard)

    @staticmethod
    def save(cache: "ParseCache", name: str, tables: dict[str, Any]) -> tuple[str, ...]:
        """Write the shards of `tables` (plain dicts, or the LazyTables of a loaded set: then only
        the shards that changed) and return the tokens of the set as saved."""
        lazy = next(iter(tables.values()), None)
        if isinstance(lazy, LazyTable):
            shards, tokens = lazy.shards.dirty, list(lazy.shards.tokens)
            tables = {table: value.data for table, value in tables.items()}
        else:
            shards, tokens = range(SHARDS), [""] * SHARDS
        parts = {shard: {table: {} for table in tables} for shard in shards}
        for table, entries in tables.items():
            for key, value in entries.items():
                part = parts.get(shard_of(key))
                if part is not None:
                    part[table][key] = value
        for shard, part in parts.items():
            tokens[shard] = os.urandom(8).hex()
            cache.write(f"{name}/{shard:03x}", (tokens[shard], part))
        if isinstance(lazy, LazyTable):
            lazy.shards.tokens, lazy.shards.dirty = tuple(tokens), set()
        return tuple(tokens)


class LazyTable(MutableMapping):
    """One table of a ShardedTables: a dict whose keys are loaded shard by shard as they are asked
    for. A shard is marked changed when a key in it is set or deleted, or when a mutable value
    in it is handed out."""

    def __init__(self, shards: ShardedTables, factory) -> None:
        self.shards, self.factory, self.data = shards, factory, {}

    def _shard(self, key: str) -> int:
        shard = shard_of(key)
        if shard not in self.shards.loaded:
            self.shards.load(shard)
        return shard

    def __getitem__(self, key: str) -> Any:
        shard = self._shard(key)
        if self.factory is not None:
            self.shards.dirty.add(shard)
            if key not in self.data:
                self.data[key] = self.factory()
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        shard = self._shard(key)
        if self.factory is not None:
            self.shards.dirty.add(shard)
        return self.data.get(key, default)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        self._shard(key)
        return key in self.data

    def pop(self, key: str, *default: Any) -> Any:  # as dict's: a missing key gets no new value
        self.shards.dirty.add(self._shard(key))
        return self.data.pop(key, *default)

    def __setitem__(self, key: str, value: Any) -> None:
        self.shards.dirty.add(self._shard(key))
        self.data[key] = value

    def __delitem__(self, key: str) -> None:
        self.shards.dirty.add(self._shard(key))
        del self.data[key]

    def __iter__(self):
        for shard in range(SHARDS):
            if shard not in self.shards.loaded:
                self.shards.load(shard)
        return iter(self.data)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def patch_limit(entries: int) -> int:
    """How many entries a record's patch may hold before the record is written whole again (a
    patch is read in full on every run, and grows with every page edited since the record)."""
    return max(64, entries // 32)


def unpickle_page(blob: bytes, path: str) -> Page | None:
    """The page a stored blob holds, or None when it is corrupt, from an older vaultc or of
    another path (it is then parsed again, and overwritten)."""
    try:
        page = seal.loads(blob)
    except Exception:
        return None
    return page if isinstance(page, Page) and page.path == path else None


def write_quietly(path: Path, data: bytes) -> bool:
    """Atomically (temporary file, then rename); a cache that cannot be written is only slower.
    Whether it was written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return False
    return True

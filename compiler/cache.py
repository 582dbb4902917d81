"""The store: every page's parse result and what the last check derived, kept between runs so that
only edited pages are parsed, resolved and checked again.

Parsing is a pure function of (path, text, claim pass on or off) — see parse.py — so a result is
stored under a digest of exactly that, salted with the vaultc version and the store's format. The
store lives outside the vault (`.vaultc-cache/<vault name>-<hash of its path>/` beside the vault by
default, or `cache_dir` / `--cache-dir`) in one SQLite database, `vaultc.db` (with SQLite's own
`-wal` and `-shm` beside it while it is open), whose tables are:

    files(tag, path, size, mtime_ns, digest)  what each file was at the last run (tag: of the salt):
                                              files whose size and modification time did not change
                                              are not even read again
    pages(digest, tag, data)                  one parsed `Page` per text, by its digest
    records(name, data)                       what the last `vaultc check` derived (incremental.py):
                                              its state, the link tables in shards, a patch

SQLite gives what the cache once built by hand from thousands of files (packs of pages, an index
of them, patches on the manifest): many small reads and writes in one file, each run's writes in
a transaction. A database that cannot be read (truncated, random bytes, another program's) is set
aside and started afresh, with one line on stderr saying so; the run goes on uncached.

Every file is sealed with a key of the user's own and read back as data only (seal.py): a cache
folder named by a shared vault's configuration, with files planted in it, is a cache miss and can
never run code.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sqlite3
import sys
import time
import zlib
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from . import __version__, seal
from .config import Config, ConfigError
from .model import Page, SourceFile, gc_paused

FORMAT = 17  # bump whenever what the cache holds changes shape
# The source of the modules that make a cached page: a page parsed by other rules (a new claim
# wording) is another page, so a store written by them is not reused. Read once per process.
_PAGE_MAKERS = ("parse.py", "markdown.py", "frontmatter.py", "names.py", "dates.py", "claims.py", "model.py")
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


DATABASE = "vaultc.db"
_SCHEMA = (
    "CREATE TABLE files (tag TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, "
    "mtime_ns INTEGER NOT NULL, digest TEXT NOT NULL, PRIMARY KEY (tag, path)) WITHOUT ROWID",
    "CREATE TABLE pages (digest TEXT PRIMARY KEY NOT NULL, tag TEXT NOT NULL, data BLOB NOT NULL)",
    "CREATE TABLE records (name TEXT PRIMARY KEY NOT NULL, data BLOB NOT NULL)",
)


class Database:
    """The store's SQLite database, opened once per process: a forked worker opens its own (a
    connection must not cross a fork). Every failure is a miss, never an error: a database that
    is not ours or cannot be read is replaced by an empty one, once, with a line on stderr."""

    _open: dict[str, "Database"] = {}  # path -> this process's database
    # Connections a forked process inherited: kept, never used or closed (closing one would be
    # SQLite's own "do not carry a connection across fork" hazard), and gone when the process ends.
    _inherited: list = []
    # Databases only read from in this process and the workers it forks (see ParseCache.read_only).
    _read_only: set[Path] = set()

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._depth = 0  # nested transaction() calls

    @classmethod
    def at(cls, folder: Path) -> "Database":
        path = os.path.join(folder, DATABASE)
        found = cls._open.get(path)
        if found is None or found._pid not in (0, os.getpid()):
            if found is not None:
                cls._inherited.append(found)
            found = cls._open[path] = Database(Path(path))
        return found

    def connection(self) -> sqlite3.Connection | None:
        if self._connection is None or self._pid != os.getpid():
            if self._connection is not None:
                Database._inherited.append(self._connection)
            self._connection, self._pid = None, os.getpid()
            try:
                self._connection = self._connect()
            except (sqlite3.Error, OSError) as exc:
                self._connection = self._replace(exc)
        return self._connection

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            # A planted database cannot make a read run SQL functions from its schema.
            connection.execute("PRAGMA trusted_schema = OFF")
            tables = [sql for (sql,) in connection.execute(
                "SELECT sql FROM sqlite_master WHERE type IN ('table', 'index', 'view', 'trigger') "
                "AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name")]
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if not tables:
                connection.execute("PRAGMA journal_mode = WAL")
                with _transaction(connection):
                    for statement in _SCHEMA:
                        connection.execute(statement)
                    connection.execute(f"PRAGMA user_version = {FORMAT}")
            elif sorted(tables) != sorted(_SCHEMA) or version != FORMAT:
                raise sqlite3.DatabaseError(f"not a vaultc {__version__} store (format {version})")
            connection.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            connection.close()
            raise
        return connection

    def _replace(self, exc: BaseException) -> sqlite3.Connection | None:
        """Set an unreadable database aside and start an empty one (None when that fails too)."""
        print(f"vaultc: the cache {self.path} could not be used ({exc}); starting it afresh", file=sys.stderr)
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                os.unlink(f"{self.path}{suffix}")
        try:
            return self._connect()
        except (sqlite3.Error, OSError):
            return None

    def query(self, sql: str, parameters=()) -> list:
        """The rows a read finds; none when the database cannot be read (it is then replaced)."""
        connection = self.connection()
        if connection is None:
            return []
        try:
            return connection.execute(sql, parameters).fetchall()
        except sqlite3.OperationalError:  # busy past the timeout, a full disk: a miss
            return []
        except sqlite3.DatabaseError as exc:  # malformed: not to be trusted again
            self._connection = self._replace(exc)
            return []

    def change(self, sql: str, rows) -> None:
        """executemany, in this call's own transaction unless inside transaction()."""
        if self.path in Database._read_only:
            return
        connection = self.connection()
        if connection is None:
            return
        try:
            with self.transaction():
                connection.executemany(sql, rows)
        except sqlite3.OperationalError:  # locked past the timeout, read-only, full: only slower next time
            pass
        except sqlite3.DatabaseError as exc:
            self._connection = self._replace(exc)

    @contextlib.contextmanager
    def transaction(self):
        """Many writes as one (each commit of SQLite's is a sync of its log)."""
        connection = self.connection()
        if connection is None or self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._depth += 1
        try:
            with _transaction(connection):
                yield
        finally:
            self._depth -= 1


@contextlib.contextmanager
def _transaction(connection: sqlite3.Connection):
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


@dataclass(frozen=True)
class PageStore:
    """Parsed pages by digest: small enough to hand to worker processes, each of which opens the
    database for itself."""

    folder: Path
    salt: bytes

    @property
    def tag(self) -> str:
        """Which setting stored a page or a manifest entry (a check with the claim pass and one
        without share the database, and neither removes the other's pages)."""
        return hashlib.blake2b(self.salt, digest_size=4).hexdigest()

    @property
    def db(self) -> Database:
        return Database.at(self.folder)

    def digest(self, path: str, text: str) -> str:
        data = self.salt + path.encode("utf-8", "surrogatepass") + b"\0" + text.encode("utf-8", "surrogatepass")
        return hashlib.blake2b(data, digest_size=16).hexdigest()

    def get(self, digest: str, path: str) -> Page | None:
        blob = self.get_blob(digest)
        return unpickle_page(blob, path) if blob is not None else None

    def get_blob(self, digest: str) -> bytes | None:
        rows = self.db.query("SELECT data FROM pages WHERE digest = ?", (digest,))
        return seal.unseal(digest, rows[0][0]) if rows else None

    def put(self, digest: str, blob: bytes) -> None:
        self.put_many([(digest, blob)])

    def put_many(self, pages: list[tuple[str, bytes]]) -> None:
        """Store many pages (digest, pickle) in one transaction."""
        tag = self.tag
        self.db.change("INSERT OR REPLACE INTO pages (digest, tag, data) VALUES (?, ?, ?)",
                       [(digest, tag, seal.seal(digest, blob)) for digest, blob in pages])

    def forget(self, digests: Iterable[str]) -> None:
        """Drop the pages of texts no file holds any more."""
        self.db.change("DELETE FROM pages WHERE digest = ?", [(digest,) for digest in digests])


@functools.cache
def _makers_digest() -> str:
    digest = hashlib.blake2b(digest_size=8)
    for name in _PAGE_MAKERS:
        digest.update(Path(__file__).with_name(name).read_bytes())
    return digest.hexdigest()


class ParseCache:
    def __init__(self, folder: Path, claims: bool = True) -> None:
        self.folder = Path(folder)
        self.salt = f"vaultc {__version__} cache {FORMAT} claims={int(claims)} {_makers_digest()}\0".encode()
        self.store = PageStore(self.folder, self.salt)
        self.started_ns = time.time_ns()
        self.manifest: dict[str, Entry] = self._read_manifest()
        self._base = dict(self.manifest)  # the manifest as the database holds it
        self._seen: dict[str, Entry] = {}
        self.held: dict[str, Any] = {}  # records a long-running process (--watch, serve) keeps in memory
        self.pages: dict[str, Page] = {}  # digest -> page, for the next run of this process
        self._pending: list = []

    @property
    def db(self) -> Database:
        return self.store.db

    def recall(self, digest: str, path: str) -> Page | None:
        """The page parsed from this digest: from memory, else from the store."""
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

    @contextlib.contextmanager
    def read_only(self):
        """Read what the store holds, write nothing: for compiling another tree than the vault's
        own (`vaultc diff --base`), whose files would otherwise replace the vault's in the store."""
        self.flush()
        Database._read_only.add(self.db.path)
        try:
            yield self
        finally:
            Database._read_only.discard(self.db.path)
            self._pending.clear()

    def later(self, job) -> None:
        """Defer a write until `flush`, so a report is shown before the cache is saved."""
        self._pending.append(job)

    def flush(self) -> None:
        with self.db.transaction():
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
        """Keep what this run saw (files that went away are dropped), stamped with the run's start:
        only the rows that differ are written (an edit changes one). The pages of texts that no
        file holds any more go with their rows."""
        current = {**self._seen, "": Entry(0, self.started_ns, "")}
        base, tag = self._base, self.store.tag
        changed = [(tag, path, *entry) for path, entry in current.items() if base.get(path) != entry]
        gone = [(tag, path) for path in base if path not in current]
        live = {entry.digest for entry in current.values()}
        dead = {entry.digest for path, entry in base.items() if path and entry.digest not in live}
        with self.db.transaction():
            self.db.change("INSERT OR REPLACE INTO files (tag, path, size, mtime_ns, digest) VALUES (?, ?, ?, ?, ?)",
                           changed)
            self.db.change("DELETE FROM files WHERE tag = ? AND path = ?", gone)
            self.store.forget(dead)
        self._base = current

    def _read_manifest(self) -> dict[str, Entry]:
        rows = self.db.query("SELECT path, size, mtime_ns, digest FROM files WHERE tag = ?", (self.store.tag,))
        return {path: Entry(size, mtime_ns, digest) for path, size, mtime_ns, digest in rows}

    # Records that are written whole now and then, and between times as a patch on the last whole
    # one (the check state). A patch names the record it was laid on by its generation, so one
    # left by a run before the record was written whole again is ignored.

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
        rows = self.db.query("SELECT data FROM records WHERE name = ?", (name,))
        if not rows:
            return None
        data = seal.unseal(name, rows[0][0])
        if data is None:
            return None
        try:
            with gc_paused():
                found, value = seal.loads(data)
        except Exception:
            return None
        return value if found == self.salt and isinstance(value, kind) else None

    def write(self, name: str, value: Any) -> None:
        data = seal.seal(name, pickle.dumps((self.salt, value), protocol=pickle.HIGHEST_PROTOCOL))
        self.db.change("INSERT OR REPLACE INTO records (name, data) VALUES (?, ?)", [(name, data)])


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

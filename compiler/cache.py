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
    results(tag, path, data)                  what the last `vaultc check` found on each page
    claims(tag, path, data)                   each page's claims that can age, read on a new day
    keys(tag, tbl, key, data)                 the link index (resolve.Index), a row per key
    records(name, data)                       the last check's settings and generation, and the
                                              query blocks' answers

SQLite gives what the cache once built by hand from thousands of files (packs of pages, an index
of them, patches on the manifest): many small reads and writes in one file, each run's writes in
a transaction. An edit rewrites the rows of the pages and keys it changed, nothing else; the
check's generation, rewritten in the same transaction, tells a run whether another process
saved a check since it read its own (see incremental.py). A database that cannot be read
(truncated, random bytes, another program's) is set aside and started afresh, with one line on
stderr saying so; the run goes on uncached.

Every file is sealed with a key of the user's own and read back as data only (seal.py): a cache
folder named by a shared vault's configuration, with files planted in it, is a cache miss and can
never run code.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import pickle
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from . import __version__, seal
from .config import Config, ConfigError
from .model import Page, SourceFile, gc_paused

FORMAT = 18  # bump whenever what the cache holds changes shape
# The source of the modules that make a cached page: a page parsed by other rules (a new claim
# wording) is another page, so a store written by them is not reused. Read once per process.
_PAGE_MAKERS = ("parse.py", "markdown.py", "frontmatter.py", "names.py", "dates.py", "claims.py", "model.py")
FOLDER_NAME = ".vaultc-cache"
# A file modified this close to the start of the run that recorded it may have changed again within
# the file system's timestamp granularity: it is read and hashed, never trusted on its stat alone.
_RACY_NS = 2_000_000_000


def default_cache_dir(vault: Path) -> Path:
    """`.vaultc-cache/<vault>-<hash>` beside the vault; under $VAULTC_CACHE_DIR instead when that is
    set (as ruff's RUFF_CACHE_DIR: one folder for every vault's store, a CI cache or a test run)."""
    vault = vault.resolve()
    tag = hashlib.blake2b(os.fsencode(vault), digest_size=4).hexdigest()
    root = Path(os.environ["VAULTC_CACHE_DIR"]) if os.environ.get("VAULTC_CACHE_DIR") else vault.parent / FOLDER_NAME
    return root / f"{vault.name or 'vault'}-{tag}"


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
    "CREATE TABLE results (tag TEXT NOT NULL, path TEXT NOT NULL, data BLOB NOT NULL, "
    "PRIMARY KEY (tag, path)) WITHOUT ROWID",
    "CREATE TABLE claims (tag TEXT NOT NULL, path TEXT NOT NULL, data BLOB NOT NULL, "
    "PRIMARY KEY (tag, path)) WITHOUT ROWID",
    "CREATE TABLE keys (tag TEXT NOT NULL, tbl TEXT NOT NULL, key TEXT NOT NULL, data BLOB NOT NULL, "
    "PRIMARY KEY (tag, tbl, key)) WITHOUT ROWID",
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
        """One executemany, written or not (a store locked past the timeout, read-only or full is
        only slower next time)."""
        self.change_all([(sql, rows)])

    def change_all(self, statements: list[tuple[str, list]]) -> bool:
        """Several executemany's, all written or (on any error: a full disk) none, even inside a
        transaction() that goes on; whether they were written."""
        connection = self.connection()
        if self.path in Database._read_only or connection is None:
            return False
        try:
            with self.transaction():
                try:
                    connection.execute("SAVEPOINT change_all")
                    for sql, rows in statements:
                        connection.executemany(sql, rows)
                except sqlite3.Error:  # a damaged database is set aside by the next read that meets it
                    with contextlib.suppress(sqlite3.Error):
                        connection.execute("ROLLBACK TO change_all")
                        connection.execute("RELEASE change_all")
                    return False
                connection.execute("RELEASE change_all")
        except sqlite3.Error:  # begun or committed on a store locked past the timeout, read-only or full
            return False
        return True

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

    def get_blobs(self, digests: list[str]) -> dict[str, bytes]:
        """get_blob() of many digests, in a query per few hundred (SQLite's limit on parameters
        is 999 in old builds): one query per page was a fifth of loading 10,000 pages."""
        found = {}
        for lo in range(0, len(digests), 500):
            chunk = digests[lo:lo + 500]
            marks = ", ".join("?" * len(chunk))
            for digest, data in self.db.query(f"SELECT digest, data FROM pages WHERE digest IN ({marks})", chunk):
                blob = seal.unseal(digest, data)
                if blob is not None:
                    found[digest] = blob
        return found

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
        return self.recall_all([(digest, path)]).get(digest)

    def recall_all(self, wanted: Iterable[tuple[str, str]]) -> dict[str, Page]:
        """The pages parsed from these (digest, path), by digest: from memory, else from the store
        (asked in a few queries)."""
        found, missing = {}, {}
        for digest, path in wanted:
            page = self.pages.get(digest)
            if page is not None and page.path == path:
                found[digest] = page
            else:
                missing[digest] = path
        with gc_paused():
            for digest, blob in self.store.get_blobs(list(missing)).items():
                page = unpickle_page(blob, missing[digest])
                if page is not None:
                    found[digest] = self.pages[digest] = page
        return found

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

    def trusted(self, sources: Iterable[SourceFile]) -> dict[str, str]:
        """The digests of the files that have not changed since the last run, by path, without
        reading them; each is recorded as seen with its manifest entry as it is."""
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

    # --- what the last check found (incremental.py): a row per page and per key of its index ---

    def rows(self, table: str) -> dict[str, bytes] | None:
        """Every row of `results` or `claims`, unsealed, by path; None when one does not open
        (damaged, or sealed for another row): the whole set is then not to be used."""
        tag = self.store.tag
        rows = {}
        for path, blob in self.db.query(f"SELECT path, data FROM {table} WHERE tag = ?", (tag,)):
            data = rows[path] = seal.unseal(f"{table}/{tag}/{path}", blob)
            if data is None:
                return None
        return rows

    def key_row(self, table: str, key: str) -> bytes | None:
        """One key's row of the link index, as marshalled (None: no row). Raises StoreChanged
        when the row does not open."""
        found = self.db.query("SELECT data FROM keys WHERE tag = ? AND tbl = ? AND key = ?",
                              (self.store.tag, table, key))
        return self._key_data(table, key, found[0][0]) if found else None

    def key_rows(self, table: str) -> Iterator[tuple[str, bytes]]:
        for key, blob in self.db.query("SELECT key, data FROM keys WHERE tag = ? AND tbl = ?", (self.store.tag, table)):
            yield key, self._key_data(table, key, blob)

    def _key_data(self, table: str, key: str, blob: bytes) -> bytes:
        data = seal.unseal(f"keys/{self.store.tag}/{table}/{key}", blob)
        if data is None:
            raise StoreChanged(f"the index row {table}/{key} does not open")
        return data

    def generation(self) -> str:
        """Which save of the check the store holds now ("": none)."""
        found = self.read(f"check/{self.store.tag}", tuple)
        return found[0] if found and isinstance(found[0], str) else ""

    def save_check(self, generation: str, record: Any, rows: Mapping[str, Mapping[str, bytes | None]],
                   keys: Mapping[tuple[str, str], bytes | None], whole: bool) -> str | None:
        """Write a check's rows in one transaction, if the store still holds the save it started
        from (`generation`; "" for none: `whole` then replaces every row). `rows`: table ->
        path -> its row (None: delete it); `keys`: (table, key) -> its row (None: delete it).
        All of it is written or none. The new generation is returned, or None when
        another run saved since (or the writes failed)."""
        tag, now = self.store.tag, os.urandom(8).hex()
        statements = [(f"DELETE FROM {table} WHERE tag = ?", [(tag,)] if whole else [])
                      for table in ("results", "claims", "keys")]
        for table, values in rows.items():
            statements += [
                (f"DELETE FROM {table} WHERE tag = ? AND path = ?",
                 [(tag, path) for path, value in values.items() if value is None]),
                (f"INSERT OR REPLACE INTO {table} (tag, path, data) VALUES (?, ?, ?)",
                 [(tag, path, seal.seal(f"{table}/{tag}/{path}", value)) for path, value in values.items()
                  if value is not None])]
        statements += [
            ("DELETE FROM keys WHERE tag = ? AND tbl = ? AND key = ?",
             [(tag, table, key) for (table, key), data in keys.items() if data is None]),
            ("INSERT OR REPLACE INTO keys (tag, tbl, key, data) VALUES (?, ?, ?, ?)",
             [(tag, table, key, seal.seal(f"keys/{tag}/{table}/{key}", data))
              for (table, key), data in sorted(keys.items()) if data is not None]),
            ("INSERT OR REPLACE INTO records (name, data) VALUES (?, ?)",
             [(f"check/{tag}", self._sealed(f"check/{tag}", (now, record)))])]
        with self.db.transaction():
            if self.generation() != generation and not whole:
                return None
            return now if self.db.change_all(statements) else None

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
        self.db.change("INSERT OR REPLACE INTO records (name, data) VALUES (?, ?)", [(name, self._sealed(name, value))])

    def _sealed(self, name: str, value: Any) -> bytes:
        return seal.seal(name, pickle.dumps((self.salt, value), protocol=pickle.HIGHEST_PROTOCOL))


class StoreChanged(LookupError):
    """What a run read of the last check does not hold together: another process saved a check
    while this one read it, or a row does not open."""


_UNREAD, _ABSENT = object(), object()
# The check's rows hold only builtin values (strings, numbers, tuples, lists, sets), kept with
# marshal: reading 10,000 pages' rows back through the restricted unpickler took 0.15 s, and a
# third of that with marshal, which builds nothing else. Rows are sealed all the same.
ROWS = 4  # marshal's format


class KeyTable(MutableMapping):
    """One table of the last check's link index (resolve.Index), read from the store a key at a
    time: a check after an edit resolves a few pages' links, so it reads those keys' rows, not the
    whole index (which took a tenth of such a check to load whole on 10,000 pages). `changes()`
    are the rows to write back: the keys whose values are no longer those read."""

    def __init__(self, cache: ParseCache, table: str, factory) -> None:
        """`factory`: the value of a missing key, as defaultdict's (or None: a KeyError)."""
        self.cache, self.table, self.factory = cache, table, factory
        self.data: dict[str, Any] = {}  # key -> value (_ABSENT: no row)
        self.read: dict[str, bytes | None] = {}  # key -> its row as read

    def _get(self, key: str) -> Any:
        value = self.data.get(key, _UNREAD)
        if value is _UNREAD:
            row = self.read[key] = self.cache.key_row(self.table, key)
            value = self.data[key] = _ABSENT if row is None else marshal.loads(row)
        return value

    def __getitem__(self, key: str) -> Any:
        value = self._get(key)
        if value is _ABSENT:
            if self.factory is None:
                raise KeyError(key)
            value = self.data[key] = self.factory()
        return value

    def get(self, key: str, default: Any = None) -> Any:
        value = self._get(key)
        return default if value is _ABSENT else value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._get(key) is not _ABSENT

    def __setitem__(self, key: str, value: Any) -> None:
        self._get(key)
        self.data[key] = value

    def __delitem__(self, key: str) -> None:
        if self._get(key) is _ABSENT:
            raise KeyError(key)
        self.data[key] = _ABSENT

    def __iter__(self) -> Iterator[str]:
        for key, row in self.cache.key_rows(self.table):
            if key not in self.data:
                self.read[key], self.data[key] = row, marshal.loads(row)
        return iter([key for key, value in self.data.items() if value is not _ABSENT])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def changes(self) -> dict[tuple[str, str], bytes | None]:
        found = {}
        for key, value in self.data.items():
            if value is _ABSENT or (not value and self.factory):
                if self.read.get(key) is not None:
                    found[(self.table, key)] = None
            elif self.read.get(key) is None or marshal.loads(self.read[key]) != value:  # (marshal's bytes
                found[(self.table, key)] = marshal.dumps(value, ROWS)  # differ with the objects' sharing)
        return found


def index_rows(tables: Mapping[str, tuple[Mapping[str, Any], Any]]) -> dict[tuple[str, str], bytes]:
    """Every row of an index held whole (a cold check's), for save_check: table -> (its
    entries, its factory). An empty value of a table with a factory is no row, as in KeyTable."""
    return {(table, key): marshal.dumps(value, ROWS)
            for table, (entries, factory) in tables.items() for key, value in entries.items()
            if value or factory is None}


def unpickle_page(blob: bytes, path: str) -> Page | None:
    """The page a stored blob holds, or None when it is corrupt, from an older vaultc or of
    another path (it is then parsed again, and overwritten)."""
    try:
        page = seal.loads(blob)
    except Exception:
        return None
    return page if isinstance(page, Page) and page.path == path else None

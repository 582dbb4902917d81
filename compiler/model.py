"""The data that flows through the pipeline: small frozen dataclasses (and tuples, where there are
tens of thousands).

discover yields `SourceFile`s, parse turns one into a `Page` (pure, per file), resolve pairs every
`Link` with a `Resolution`, analyse gathers everything into a `CompiledVault` (see analyse.py), and
rules emit `Finding`s that the renderers in emit/ print.
"""
from __future__ import annotations

import contextlib
import dataclasses
import marshal
import enum
import gc
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> "Severity":
        try:
            return cls[value.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {value!r} (use error, warning or info)") from None


@dataclass(frozen=True)
class SourceFile:
    """One file found in the vault: a page (`*.md`) or an attachment."""

    path: str  # vault-relative POSIX path
    abspath: str
    size: int
    is_page: bool
    mtime_ns: int = 0


@dataclass(frozen=True)
class Link:
    """One link as written, before resolution."""

    raw: str  # the text between the brackets (or the Markdown href), as written
    target: str  # the part naming a file ("" for a same-page [[#Heading]])
    headings: tuple[str, ...] = ()  # [[T#H1#H2]] -> ("H1", "H2")
    block: str | None = None  # [[T#^id]] -> "id"
    display: str | None = None  # [[T|shown]] -> "shown"
    embed: bool = False
    line: int = 0  # 1-based, counting frontmatter lines
    column: int = 0  # 1-based
    origin: str = "body"  # body | markdown | frontmatter | field
    key: str | None = None  # the frontmatter key or inline-field key the link sits under

    @property
    def text(self) -> str:
        """The link text before `|`, as VAULT-SPEC's `target` field reports it."""
        return self.raw.split("|", 1)[0].replace("\\", "") if self.origin != "markdown" else self.raw


def new_link(raw: str, target: str, headings: tuple[str, ...], block: str | None, display: str | None, embed: bool,
             line: int, column: int, origin: str, key: str | None = None) -> Link:
    """Link(...), made fast (see `made`): parse makes one per link of every page."""
    return made(Link, {"raw": raw, "target": target, "headings": headings, "block": block, "display": display,
                       "embed": embed, "line": line, "column": column, "origin": origin, "key": key})


@dataclass(frozen=True)
class Heading:
    text: str
    level: int
    line: int


@dataclass(frozen=True)
class InlineField:
    """A Dataview inline field: `key:: value` on a line or `[key:: value]` inside one."""

    key: str
    value: str
    line: int


class TextBlock(NamedTuple):
    """Prose of one block, as the claim extractor reads it. A tuple, not a dataclass: a page holds
    dozens, and every page a run loads from the store unpickles them (a third faster as tuples)."""

    line: int  # 1-based file line where the block starts
    kind: str  # paragraph | list_item | table_header | table_row | heading | blockquote
    text: str  # plain text: code removed, links shown as their display text, "\n" at soft breaks
    fields: tuple[tuple[str, str], ...] = ()  # inline fields of the block: (key, raw value)


@dataclass(frozen=True)
class QueryBlock:
    """A fenced code block whose info string is `sparql` (VAULT-SPEC §1, "Query blocks")."""

    line: int  # file line of the opening fence
    text: str  # the query


@dataclass(frozen=True)
class Problem:
    """Something wrong found while reading or parsing one file; rules turn these into findings."""

    rule: str  # frontmatter | unreadable-file
    message: str
    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class Page:
    path: str
    name: str
    title: str
    type: str
    meta: dict[str, Any] = field(hash=False, compare=False, default_factory=dict)
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    headings: tuple[Heading, ...] = ()
    block_ids: frozenset[str] = frozenset()
    fields: tuple[InlineField, ...] = ()
    blocks: tuple[TextBlock, ...] = ()
    claims: tuple[Any, ...] = ()  # compiler.claims.Claim
    problems: tuple[Problem, ...] = ()
    suppressions: tuple[tuple[int, str], ...] = ()  # (line, rule or "*")
    comments: tuple[tuple[int, int], ...] = ()  # file lines [start, end) of `%%` comment blocks
    queries: tuple[QueryBlock, ...] = ()
    body_line: int = 1  # file line where the Markdown body starts (the closing `---` line: its rest begins the body)
    line_count: int = 0
    fiscal_year_end: int = 12
    key_lines: dict[str, int] = field(hash=False, compare=False, default_factory=dict)  # frontmatter key -> line
    # The text as parsed (BOM dropped, line ends as LF): what emitters show, so none reads the file again.
    text: str = field(default="", repr=False)

    @property
    def folder(self) -> str:
        return self.path.rpartition("/")[0]


@dataclass(frozen=True)
class Resolution:
    """Where one link leads."""

    source: str  # path of the linking page
    link: Link
    target: str | None  # vault path of the page or attachment, None when unresolved
    candidates: tuple[str, ...] = ()  # every match of the winning step, when more than one
    step: str | None = None  # path | suffix | name | attachment | alias | self
    missing_heading: str | None = None  # heading path or ^block that the target lacks

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


class Finding(NamedTuple):
    """One line of a report. A tuple, not a dataclass: a big vault's report holds tens of
    thousands, made again on every run (from the stored findings of an incremental check)."""

    rule: str
    severity: Severity
    path: str
    line: int
    column: int
    message: str
    target: str | None = None


@dataclass(frozen=True)
class ClaimVerdict:
    """A claim of one page judged against today and the page's max age."""

    path: str
    claim: Any  # compiler.claims.Claim
    status: str  # ok | stale | overdue
    max_age_days: int
    message: str


def made(cls: type, fields: dict[str, Any]) -> Any:
    """An instance of the frozen dataclass `cls` with `fields` (every field, in order), without the
    generated __init__'s guarded setattr per field: for the kinds made by the ten thousand on a
    big vault (date expressions, claims, resolutions, findings), where that is a third of the cost.
    Equality, hashing and immutability are the dataclass's own."""
    instance = _new_object(cls)
    _set_state(instance, "__dict__", fields)
    return instance


_new_object = object.__new__
_set_state = object.__setattr__


def sorted_items(mapping: dict) -> list[tuple]:
    """A frontmatter mapping's items in the order of their keys as text (keys may be numbers or
    dates): a stable order for digests."""
    return sorted(mapping.items(), key=_key_text)


def _key_text(item: tuple) -> str:
    return str(item[0])


def stable_bytes(value: Any) -> bytes:
    """A value as bytes for a digest: equal values, equal bytes. Builtin values (strings, numbers,
    None, lists, tuples and dicts of them) by marshal's format 0, which writes no shared
    references and is three times as quick as repr (the site's and the RDF graph's keys digest
    100,000 links on every run); anything else (dates in frontmatter, the configuration) by its
    repr."""
    try:
        return marshal.dumps(value, 0)
    except ValueError:
        return repr(value).encode("utf-8", "surrogatepass")


def values(record: Any) -> tuple:
    """The field values of a frozen dataclass, in field order: what its repr says, at a fraction of
    the cost (its repr was most of a digest over 100,000 links)."""
    names = _FIELD_NAMES.get(type(record))
    if names is None:
        names = _FIELD_NAMES[type(record)] = tuple(f.name for f in dataclasses.fields(record))
    state = record.__dict__
    return tuple([state[name] for name in names])


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}




@contextlib.contextmanager
def gc_paused():
    """Compiling and unpickling build hundreds of thousands of objects and no cycles worth
    collecting; the cyclic collector would rescan them all again and again as they pile up
    (on a 10k-page vault it doubles the main process's CPU time). Reference counting still frees
    the garbage. What was built is then moved to the collector's permanent generation (gc.freeze),
    else the first collection after it scans every object made meanwhile (0.35 s on 10k pages) and
    every full collection after that does again (half the rules' time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()

"""Frontmatter: split off with python-frontmatter, loaded as safe YAML that reports duplicate keys
and impossible dates instead of failing, and its `"[[links]]"` located to a line and column.
Part of the parse stage (pure, per page); the `frontmatter` rule judges the values.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from .markdown import split_wikilink
from .model import Link, Problem, new_link
from .terms import LINK_EDGE_KEYS

PAGE_TYPES = ("sector", "ticker", "source", "layer", "constraint", "compare", "note")
LINK_KEYS = LINK_EDGE_KEYS  # VAULT-SPEC's link-valued keys (terms.py)

_TOP_KEY = re.compile(r"^(?:['\"]([^'\"]+)['\"]|([^\s#:'\"-][^:]*?))\s*:(?:\s|$)")
_HANDLER = YAMLHandler()


class _Loader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """Safe YAML that remembers duplicate keys instead of silently keeping the last one.

    libyaml scans and composes in C; resolving each scalar's type and constructing its value run
    in Python, once per scalar of every page. Two shortcuts give the same values: a scalar's
    resolved tag is remembered (a pure function of its kind, text and quoting: the keys and many
    values recur on every page), and a string scalar's value is its text."""

    duplicates: list[tuple[str, int]]

    def resolve(self, kind, value, implicit):
        key = (kind, value, implicit)
        tag = _RESOLVED.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(_RESOLVED) >= 4096:
                _RESOLVED.clear()
            _RESOLVED[key] = tag
        return tag

    def construct_object(self, node, deep=False):
        if node.tag == _STR_TAG and type(node) is yaml.ScalarNode:
            return node.value  # what construct_yaml_str returns, without three calls to get there
        return super().construct_object(node, deep)


_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVED: dict[tuple, str] = {}  # bounded: a cache of a pure function, so parse stays pure


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, (str, int, float, bool)) and key in seen:
            loader.duplicates.append((str(key), key_node.start_mark.line))
        seen.add(key if isinstance(key, (str, int, float, bool)) else id(key_node))
    return loader.construct_mapping(node, deep=deep)


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode):
    # `updated: 2026-02-30` looks like a date but is none: keep the text for the frontmatter rule
    # to report, instead of losing the whole frontmatter to one bad value.
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


def _yaml_12_booleans(loader: type) -> None:
    """Booleans as YAML 1.2 (and so Obsidian) reads them: `true` and `false` only. PyYAML reads
    YAML 1.1, where `yes`, `no`, `on` and `off` are booleans too: `aliases: [Yes]` lost its alias."""
    loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in loader.yaml_implicit_resolvers.items()}
    loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                 list("tTfF"))


_yaml_12_booleans(_Loader)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


@dataclass
class Front:
    meta: dict[str, Any]
    body: str
    body_offset: int  # file lines before the body's first line
    lines: list[str]  # the frontmatter's YAML lines; index 0 is the rest of the '---' line
    problems: list[Problem] = field(default_factory=list)


def split_frontmatter(text: str) -> Front:
    if not _HANDLER.detect(text):
        return Front({}, text, 0, [])
    try:
        raw, body = _HANDLER.split(text)
    except ValueError:  # an opening '---' that is never closed: a thematic break, not frontmatter
        return Front({}, text, 0, [])
    offset = text[: len(text) - len(body)].count("\n")
    lines = raw.split("\n")
    try:
        meta, duplicates = _load(raw)
    except _YAML_ERRORS as exc:
        # As Obsidian keeps the other properties of a page with one it cannot read (a template's
        # `created: {{date}}`), the keys that parse on their own lines are kept; one finding names
        # where the first broken one began (its context: nearer the mistake than where the parser gave up).
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        column = mark.column + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problem = Problem("frontmatter", f"unparsable YAML: {reason}", line, column)
        return Front(_keys_that_parse(lines), body, offset, lines, [problem])
    problems = [Problem("frontmatter", f"duplicate key {key!r} (the last value wins)", line + 1)
                for key, line in duplicates]
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        problems.append(Problem("frontmatter", "frontmatter must be a mapping of keys to values", 2))
        meta = {}
    if not _small(meta, MAX_VALUES):
        # YAML's anchors let a few lines stand for billions of values ("billion laughs"): whatever
        # walks them (the site's panel, the RDF values) would not finish.
        problems.append(Problem("frontmatter", f"the YAML expands to over {MAX_VALUES:,} values (anchors "
                                               "repeated inside one another); its properties are left out", 2))
        meta = {}
    meta = {str(k): v for k, v in meta.items()}
    return Front(meta, body, offset, lines, problems)


MAX_VALUES = 100_000  # scalars and containers in one page's frontmatter, anchors expanded


def _small(value: Any, limit: int) -> bool:
    """Whether `value`, walked as its readers walk it (a shared list once per use), holds at most
    `limit` values; stops counting as soon as it is over."""
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        count += 1
        if count > limit:
            return False
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


_YAML_ERRORS = (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError)


def _load(raw: str) -> tuple[Any, list[tuple[str, int]]]:
    loader = _Loader(raw)
    loader.duplicates = []
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


def _keys_that_parse(lines: list[str]) -> dict[str, Any]:
    """Each top-level key with the lines under it, parsed alone; the ones that fail are left out."""
    starts = [i for i, text in enumerate(lines) if _TOP_KEY.match(text)]
    meta: dict[str, Any] = {}
    for start, end in zip(starts, [*starts[1:], len(lines)]):
        try:
            value, _ = _load("\n".join(lines[start:end]))
        except _YAML_ERRORS:
            continue
        if isinstance(value, dict) and _small(value, MAX_VALUES):
            meta.update((str(k), v) for k, v in value.items())
    return meta


def key_lines(lines: list[str]) -> dict[str, int]:
    """File line of each top-level frontmatter key, for findings about its value."""
    found: dict[str, int] = {}
    for i, text in enumerate(lines):
        match = _TOP_KEY.match(text)
        if match:
            found.setdefault(match.group(1) or match.group(2), i + 1)
    return found


def frontmatter_links(meta: dict[str, Any], lines: list[str], keys: dict[str, int] | None = None) -> list[Link]:
    """The wikilinks in frontmatter values; `keys` is `key_lines(lines)` when already known."""
    links = []
    keys = key_lines(lines) if keys is None else keys
    for key, value in meta.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if not isinstance(item, str) or "[[" not in item:
                continue
            for inner, embed in _wikilinks_in(item):
                parts = split_wikilink(inner)
                line, column = _locate(lines, keys.get(key, 1) - 1, ("!" if embed else "") + "[[" + inner + "]]")
                links.append(new_link(inner, parts["target"], parts["headings"], parts["block"], parts["display"],
                                      embed, line, column, "frontmatter", key))
    return links


def _wikilinks_in(value: str) -> list[tuple[str, bool]]:
    """The `[[...]]` of one YAML string value (YAML is not Markdown: a plain scan is right here)."""
    found, pos = [], 0
    while (start := value.find("[[", pos)) >= 0:
        end = value.find("]]", start + 2)
        if end < 0:
            break
        inner = value[start + 2:end]
        if inner.strip():
            found.append((inner, start > 0 and value[start - 1] == "!"))
        pos = end + 2
    return found


def _locate(lines: list[str], key_line: int, needle: str) -> tuple[int, int]:
    """Line and column of `needle` in the value of the key on `key_line` (0-based; a value may run
    over several lines)."""
    for i in range(key_line, len(lines)):
        if i > key_line and lines[i][:1] not in (" ", "\t", "-"):
            break
        column = lines[i].find(needle)
        if column >= 0:
            return i + 1, column + 1
    return key_line + 1, 1


def strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return (str(value),)
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, (str, int, float)) and not isinstance(v, bool))
    return ()

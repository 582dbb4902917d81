"""Page rules: frontmatter types, aliases, orphans, files that could not be read and query blocks."""
from __future__ import annotations

from ..dates import as_date, parse_month
from ..model import Finding, Page, Severity
from ..frontmatter import LINK_KEYS, PAGE_TYPES
from ..names import normalise
from ..terms import key_term, reserved
from .registry import rule

# What each frontmatter key must hold; keys not listed are free-form.
_COMMON = {"title": "text", "aliases": "texts", "alias": "texts", "tags": "texts",
           "updated": "date", "max_age_days": "days"}
_BY_TYPE = {
    "ticker": {"ticker": "scalar", "name": "text", "exchange": "text", "fiscal_year_end": "month"},
    "source": {"author": "texts", "publisher": "text", "published": "date", "url": "text"},
    "layer": {"code": "text"},
}
_REQUIRED = {"ticker": ("ticker",)}


@rule("frontmatter", Severity.ERROR)
def frontmatter(vault, found):
    """Unparsable YAML, a value of the wrong type, a bad date or a missing key."""
    for path, page in vault.pages.items():
        for problem in page.problems:
            if problem.rule == "frontmatter":
                yield found(path, problem.line, problem.column, problem.message)
        yield from _check_types(page, found)


@rule("unknown-type", Severity.INFO)
def unknown_type(vault, found):
    """A `type` outside VAULT-SPEC's table and the configuration's `types`: the page is a note."""
    own = set(vault.config.types)
    for page in vault.pages.values():
        kind = page.meta.get("type")
        if _empty(kind) or (isinstance(kind, str) and (kind in PAGE_TYPES or kind in own)):
            continue
        shown = repr(kind) if isinstance(kind, str) else f"{kind!r} (not one word)"  # `type: ["[[Books]]"]`
        yield _at(found, page, "type", f"unknown type {shown}: read as a note (expected one of "
                                f"{', '.join(PAGE_TYPES)}, or name it in the configuration's `types`)")


@rule("query-error", Severity.ERROR)
def query_error(vault, found):
    """A query block that does not parse, fails or runs past its time limit."""
    # The blocks run on the compiled RDF graph, which only the whole vault has: compile.Vault runs
    # them and gives their errors as (path, line, message); a vault without that view has none.
    for path, line, message in getattr(vault, "query_errors", ()):
        yield found(path, line, 1, message)


def _empty(value) -> bool:
    """As Obsidian shows a property: nothing, or a list of nothing, is no value."""
    if isinstance(value, list):
        return all(_empty(item) for item in value)
    return value is None or (isinstance(value, str) and not value.strip())


def _check_types(page: Page, found):
    meta = page.meta
    expected = {**_COMMON, **_BY_TYPE.get(page.type, {})}
    for key, value in meta.items():
        if _empty(value):
            continue
        if isinstance(value, list):
            value = [item for item in value if not _empty(item)]
        if key in LINK_KEYS or (key not in expected and _looks_like_links(value)):
            problem = _link_problem(value)
        elif key in expected:
            problem = _value_problem(expected[key], value)
        else:
            continue
        if problem:
            yield _at(found, page, key, f"'{key}' {problem}")
    for key in _REQUIRED.get(page.type, ()):
        if meta.get(key) in (None, ""):
            yield _at(found, page, "type", f"a {page.type} page needs '{key}'")


def _value_problem(kind: str, value) -> str | None:
    if kind == "text":
        return None if isinstance(value, str) else "must be a string"
    if kind == "scalar":
        return None if isinstance(value, (str, int)) and not isinstance(value, bool) else "must be a string"
    if kind == "texts":
        items = value if isinstance(value, list) else [value]
        ok = all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in items)
        return None if ok else "must be a string or a list of strings"
    if kind == "date":
        return None if as_date(value) is not None else f"must be a date (YYYY-MM-DD), got {value!r}"
    if kind == "month":
        return None if parse_month(value) is not None else f"must be a month (January, Jan or 1), got {value!r}"
    if kind == "days":
        ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
        return None if ok else "must be a positive number of days"
    return None


def _looks_like_links(value) -> bool:
    items = value if isinstance(value, list) else [value]
    return any(isinstance(v, str) and v.strip().startswith("[[") for v in items) or any(
        isinstance(v, list) for v in items)


def _link_problem(value) -> str | None:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, list):
            return 'holds an unquoted [[link]]: quote it, e.g. "[[Page]]"'
        if not (isinstance(item, str) and item.strip().startswith("[[") and item.strip().endswith("]]")):
            return f'must hold links like "[[Page]]", got {item!r}'
    return None


def _at(found, page: Page, key: str, message: str) -> Finding:
    return found(page.path, page.key_lines.get(key, 1), 1, message)


@rule("reserved-field", Severity.WARNING)
def reserved_field(vault, found):
    """A frontmatter key or inline field that would overwrite a term of the RDF vocabulary (`path::`,
    `kind::`): it is not exported."""
    for page in vault.pages.values():
        for key in page.meta:
            if reserved(key, "frontmatter"):
                yield _at(found, page, key, f"'{key}' is a term of the vaultc vocabulary (vc:{key_term(key)}); "
                                     "rename the key: it is not exported")
        for field in page.fields:
            if reserved(field.key, "field"):
                yield found(page.path, field.line, 1, f"'{field.key}::' is a term of the vaultc vocabulary "
                                                           f"(vc:{key_term(field.key)}); rename it: it is not exported")


@rule("duplicate-alias", Severity.WARNING)
def duplicate_alias(vault, found):
    """An alias that another page also claims, as alias or as its name: links to it are ambiguous."""
    for path, page in vault.pages.items():
        for alias in dict.fromkeys(a for a in page.aliases if a.strip()):
            key = normalise(alias)
            others = [p for p in vault.index.by_alias.get(key, []) if p != path]
            named = [p for p in vault.index.by_name.get(key, []) if p != path]
            if others or named:
                clash = ", ".join(sorted(set(others + named)))
                yield found(path, page.key_lines.get("aliases", page.key_lines.get("alias", 1)), 1,
                                 f"alias '{alias}' is also claimed by {clash}", alias)


@rule("orphan-page", Severity.INFO)
def orphan_page(vault, found):
    """A page that no other page links to."""
    unreadable = {path for path, _ in vault.unreadable}
    for path in vault.orphans():
        if path in unreadable:
            continue
        yield found(path, 1, 1, "no other page links here")


@rule("unreadable-file", Severity.ERROR)
def unreadable_file(vault, found):
    """A page that is not UTF-8, is binary, is over the size limit, cannot be opened, or took too
    long to parse."""
    for path, problem in vault.unreadable:
        yield found(path, problem.line, problem.column, problem.message)
    for path, page in vault.pages.items():
        for problem in page.problems:
            if problem.rule == "unreadable-file":
                yield found(path, problem.line, problem.column, problem.message)

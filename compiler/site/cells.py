"""Small Markdown builders shared by the generated sections and pages (emit stage)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..model import Resolution
from .context import Site
from .links import display, label, missing


def cell(text: object) -> str:
    """Plain text safe in a table cell."""
    if text is None:
        return ""
    if isinstance(text, (dt.date, dt.datetime)):
        text = text.isoformat()[:10]
    if isinstance(text, list):
        text = ", ".join(str(t) for t in text)
    return " ".join(str(text).split()).replace("|", "\\|").replace("<", "&lt;")


def page_link(site: Site, host_doc: str, path: str, text: str | None = None, anchor: str | None = None) -> str:
    return f"[{label(text or site.pages[path].title)}]({site.href(host_doc, path, anchor)})"


def resolved_links(site: Site, host_doc: str, resolutions: Iterable[Resolution], short: bool = False) -> str:
    """Frontmatter link values as links, or missing text. `short` shows a layer by its code (L1)."""
    out = []
    for res in resolutions:
        if res.target is None:
            out.append(missing(display(res.link), f"Missing page: {res.link.text}"))
        elif res.target in site.pages:
            code = site.pages[res.target].meta.get("code") if short else None
            out.append(page_link(site, host_doc, res.target, str(code) if code else res.link.display))
        else:
            out.append(f"[{label(res.link.display or res.target)}]({site.href(host_doc, res.target)})")
    return ", ".join(out)


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table (the site's script makes every table's columns sortable). Never wrapped in
    `<div markdown>`: md_in_html re-parses its content and made MkDocs' render 30% slower."""
    if not rows:
        return []
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def frontmatter_links(site: Site, path: str, key: str) -> list[Resolution]:
    return site.by_key.get((path, key), [])

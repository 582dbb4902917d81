"""One resolved link as Markdown (emit stage): a relative link with its toc anchor, an image or
other media with its size, or — when nothing matched — visibly missing text, never a dead link.
"""
from __future__ import annotations

import html
import posixpath
import re
from typing import TYPE_CHECKING

from ..model import Link, Resolution

if TYPE_CHECKING:
    from .context import Site

IMAGES = {"png", "jpg", "jpeg", "gif", "bmp", "svg", "webp", "avif"}
AUDIO = {"mp3", "wav", "m4a", "ogg", "flac", "3gp"}
VIDEO = {"mp4", "webm", "ogv", "mov", "mkv"}
_SIZE = re.compile(r"^\s*(\d+)\s*(?:x\s*(\d+))?\s*$")


def display(link: Link) -> str:
    """What Obsidian shows for a wikilink: its alias, else the target and anchors as written."""
    if link.display:
        return link.display
    parts = [link.target, *link.headings] + (["^" + link.block] if link.block else [])
    return " > ".join(p for p in parts if p)


def label(text: str) -> str:
    """Text safe inside `[…]`, in a table cell too."""
    text = text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace("|", "\\|")
    return text.replace("<", "&lt;")


def attr(text: str) -> str:
    """A value for a single-quoted HTML attribute: our inline HTML never uses `"`, so it can stand
    inside an admonition's quoted title."""
    return html.escape(text, quote=True)


def missing(text: str, why: str) -> str:
    return f"<span class='vaultc-missing' title='{attr(why)}'>{html.escape(text, quote=False)}</span>"


def anchor_of(site: Site, res: Resolution) -> tuple[str | None, bool]:
    """The `#…` of a link into a page, and whether the heading or block exists."""
    link = res.link
    if res.target not in site.pages:
        return None, True
    if link.block:
        found = site.block_anchor(res.target, link.block)
    elif link.headings:
        found = site.heading_anchor(res.target, link.headings)
    else:
        return None, True
    return found, found is not None


def wikilink(site: Site, res: Resolution, host_doc: str) -> str:
    """`[[T#H|shown]]` (not an embed) as Markdown."""
    link = res.link
    shown = display(link)
    if res.target is None:
        return missing(shown, f"Missing page: {link.text}")
    if res.target not in site.pages:  # an attachment: a plain link to the copied file
        return f"[{label(shown)}]({site.href(host_doc, res.target)})"
    anchor, found = anchor_of(site, res)
    target = site.href(host_doc, res.target, anchor)
    if not found:
        return f"[{label(shown)}]({target}){{ .vaultc-missing-anchor title='{attr('Missing: ' + link.text)}' }}"
    return f"[{label(shown)}]({target})"


def media(site: Site, res: Resolution, host_doc: str) -> str:
    """`![[file|300]]` of an attachment: an image with its size, PDF/audio/video players, else a link."""
    link = res.link
    name = posixpath.basename(res.target)
    extension = name.rpartition(".")[2].lower()
    alt, width, height = _alt_and_size(link.display, name)
    url = site.href(host_doc, res.target)
    size = "".join(f" {k}='{v}'" for k, v in (("width", width), ("height", height)) if v)
    if extension in IMAGES:
        return f"![{label(alt)}]({url})" + (f"{{{size} }}" if size else "")
    src = attr(url + ("#" + "#".join(link.headings) if link.headings else ""))
    if extension == "pdf":
        box = f" width='{width or '100%'}' height='{height or 600}'"
        return (f"<object class='vaultc-pdf' data='{src}' type='application/pdf'{box}>"
                f"<a href='{src}'>{html.escape(alt)}</a></object>")
    if extension in AUDIO:
        return f"<audio class='vaultc-media' controls src='{src}'></audio>"
    if extension in VIDEO:
        return f"<video class='vaultc-media' controls src='{src}'{size}></video>"
    return f"[{label(alt)}]({url})"


def _alt_and_size(shown: str | None, name: str) -> tuple[str, str | None, str | None]:
    """`alt|300`, `300x200` or `alt`: Obsidian puts an optional size after the last `|`."""
    if not shown:
        return name, None, None
    head, _, last = shown.rpartition("|")
    size = _SIZE.match(last)
    if size:
        return head or name, size.group(1), size.group(2)
    return shown, None, None


def is_media(site: Site, res: Resolution) -> bool:
    return res.target is not None and res.target not in site.pages

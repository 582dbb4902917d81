"""Which Markdown extensions a page needs (emit stage, inside `mkdocs build`).

MkDocs builds a new Python-Markdown instance for every page with every extension in mkdocs.yml,
and each extension costs time on every page, used or not: inline patterns try every text node,
block processors test every block. Most notes use none of the Obsidian extras (footnotes,
highlights, task lists…), so the sanitize plugin hands each page only the extensions whose syntax
occurs in its Markdown. A page is rendered exactly as with the full list: an extension is left out
only when the characters it reacts to are nowhere in the page (a cheap, conservative test — a false
alarm costs time, never output). Extensions not named here are always kept.
"""
from __future__ import annotations

import re
from collections.abc import Callable

_TASK = re.compile(r"\[[ xX]\]")
_ESCAPED_SPACE = re.compile(r"\\[ \t]")  # tabs become spaces before tilde sees them


def _code(markdown: str) -> bool:
    # Fences, and indented code (four spaces or a tab anywhere): highlight rewrites both.
    return "```" in markdown or "~~~" in markdown or "    " in markdown or "\t" in markdown


# extension -> whether a page's Markdown may use it
TRIGGERS: dict[str, Callable[[str], bool]] = {
    "footnotes": lambda md: "[^" in md,
    "pymdownx.details": lambda md: "???" in md,
    "pymdownx.tasklist": lambda md: _TASK.search(md) is not None,
    # ~~deleted~~, ~subscript~, ==marked==; each also makes its character (and tilde a space)
    # escapable with a backslash.
    "pymdownx.tilde": lambda md: "~" in md or _ESCAPED_SPACE.search(md) is not None,
    "pymdownx.mark": lambda md: "==" in md or "\\=" in md,
    # superfences hands its blocks to highlight's settings: the two go together.
    "pymdownx.superfences": _code,
    "pymdownx.highlight": _code,
}


def needed(extensions: list, markdown: str) -> list:
    """`extensions` (mkdocs.yml's, in order) without those this page cannot use."""
    return [ext for ext in extensions if not isinstance(ext, str) or ext not in TRIGGERS or TRIGGERS[ext](markdown)]

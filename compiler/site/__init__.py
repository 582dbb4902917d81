"""Stage 5, emit: the MkDocs site. `emit_site` turns one CompiledVault into a plain-Markdown docs tree
(links already resolved, embeds transcluded, generated index/health/graph pages); MkDocs renders it.

emitter (entry) -> context (look-ups over the compiled vault) -> body (one page's lines: spans,
links, embeds, callouts, tags) -> sections and pages (generated Markdown) -> writer (changed files
only); build and commands run `mkdocs build --strict` / `mkdocs serve` for `vaultc site` / `serve`,
where sanitize (a MkDocs plugin) cleans each rendered page of script.
"""
from __future__ import annotations

__all__ = ["EmitResult", "emit_site"]


def __getattr__(name: str):
    # Imported on first use: MkDocs loads sanitize.py (a plugin) from this package inside every
    # build, and must not pay for importing the whole compiler.
    if name in __all__:
        from . import emitter

        return getattr(emitter, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

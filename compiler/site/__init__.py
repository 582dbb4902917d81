"""Stage 5, emit: the MkDocs site. `emit_site` turns one CompiledVault into a plain-Markdown docs tree
(links already resolved, embeds transcluded, generated index/health/graph pages); MkDocs renders it.

emitter (entry) -> context (look-ups over the compiled vault) -> body (one page's lines: spans,
links, embeds, callouts, tags) -> sections and pages (generated Markdown) -> writer (changed files
only); build and commands run `mkdocs build --strict` / `mkdocs serve` for `vaultc site` / `serve`.
"""
from __future__ import annotations

from .emitter import EmitResult, emit_site

__all__ = ["EmitResult", "emit_site"]

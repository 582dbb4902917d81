"""Stage 5, emit: the MkDocs site. `emit_site` turns one CompiledVault into a docs tree: each vault
page as HTML rendered from the parser's tokens, and the generated index/health/graph pages as
Markdown; MkDocs Material wraps them in the theme.

emitter (entry) -> context (look-ups over the compiled vault) -> render (one page's HTML: links,
embeds, callouts, tags, claim markers) -> sections and pages (generated parts) -> writer (changed
files only); build and commands run `mkdocs build --strict` / `mkdocs serve` for `vaultc site` /
`serve`, where sanitize (the MkDocs plugin) hands MkDocs each vault page's HTML, validates its links
and cleans every page of script.
"""

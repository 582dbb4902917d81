"""Link rules: what `resolve` could not match, or matched more than once."""
from __future__ import annotations

from ..model import Severity
from .registry import rule


@rule("dangling-link", Severity.ERROR)
def dangling_link(vault, found):
    """A link whose target is no page or attachment of the vault."""
    for res in vault.resolutions:
        if res.target is None:
            link = res.link
            yield found(res.source, link.line, link.column,
                             f"'{link.target}' matches no page, attachment or alias", link.text)


@rule("missing-heading", Severity.ERROR)
def missing_heading(vault, found):
    """A link to a heading or block id that its target page lacks."""
    for res in vault.resolutions:
        if res.missing_heading is not None:
            link = res.link
            what = "block id" if res.missing_heading.startswith("^") else "heading"
            yield found(res.source, link.line, link.column,
                             f"{what} '{res.missing_heading}' not found in {res.target}", link.text)


@rule("ambiguous-link", Severity.WARNING)
def ambiguous_link(vault, found):
    """A link that several pages or attachments match equally well."""
    for res in vault.resolutions:
        if res.ambiguous:
            link = res.link
            others = ", ".join(res.candidates[1:])
            yield found(res.source, link.line, link.column,
                             f"'{link.target}' matches {len(res.candidates)} files by {res.step}; "
                             f"resolved to {res.target} (also {others})", link.text)

"""Claim rules: dated statements whose time has passed (see compiler/claims.py for the grammar)."""
from __future__ import annotations

from ..model import Severity
from .registry import Diagnostic, rule


@rule("stale-claim", Severity.WARNING)
def stale_claim(vault):
    """A snapshot ('as of March 2026 …') older than the page's max age."""
    yield from _claims_with(vault, "stale")


@rule("overdue-claim", Severity.WARNING)
def overdue_claim(vault):
    """A forecast ('sold out through Q2 2026') whose period has ended."""
    yield from _claims_with(vault, "overdue")


def _claims_with(vault, status: str):
    for verdict in vault.verdicts:
        if verdict.status == status:
            yield Diagnostic(verdict.path, verdict.claim.line, 1, verdict.message)

"""Claim rules: dated statements whose time has passed (see compiler/claims.py for the grammar)."""
from __future__ import annotations

from ..model import Severity
from .registry import rule

# The rules whose findings change with the day alone, and which need the claim pass.
CLAIM_RULES = ("stale-claim", "overdue-claim")


@rule("stale-claim", Severity.WARNING)
def stale_claim(vault, found):
    """A snapshot ('as of March 2026 …') older than the page's max age."""
    yield from _claims_with(vault, found, "stale")


@rule("overdue-claim", Severity.WARNING)
def overdue_claim(vault, found):
    """A forecast ('sold out through Q2 2026') whose period has ended."""
    yield from _claims_with(vault, found, "overdue")


def _claims_with(vault, found, status: str):
    for verdict in vault.verdicts:
        if verdict.status == status:
            yield found(verdict.path, verdict.claim.line, 1, verdict.message)

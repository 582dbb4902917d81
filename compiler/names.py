"""How names are compared: the one key every page name, path, alias and heading is matched under.
Parse, resolve, the rules and the site all ask this module, so a link and its target can never
be normalised two ways."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# `^id` at a line's end, after a space: a block id (VAULT-SPEC §1)
BLOCK_ID = re.compile(r"(?:^|[ \t])\^([A-Za-z0-9-]+)[ \t]*$", re.MULTILINE)
# `#tag` in prose: Obsidian's tag syntax (not a heading, not `#123` alone)
TAG = re.compile(r"(?:^|(?<=\s))#([^\s#!\"$%&'()*+,.:;<=>?@\[\]^`{|}~]*[A-Za-z_/\-][^\s#!\"$%&'()*+,.:;<=>?@\[\]^`{|}~]*)")
# Around a link's text that is a page's name (TextBlock.text): private-use characters, never in
# prose. Parse writes them; the claim pass reads no date between them ([[Launch Week March 2026]]).
NAME_OPEN, NAME_CLOSE = "\ue000", "\ue001"
_HEADING_NOISE = re.compile(r"[^\w\s-]+")  # \w: letters, digits and `_`, in every script
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The key every name, path, alias and heading is matched under: NFC, case-folded."""
    return unicodedata.normalize("NFC", text).casefold()


@lru_cache(maxsize=16384)  # a pure function; the same few headings recur on most pages
def heading_key(text: str) -> str:
    """Headings match as Obsidian's `stripHeading` matches them (VAULT-SPEC §1): every character
    that is not a letter, a digit, `-`, `_` or white space becomes a space, runs of white space
    become one, the ends are trimmed, and case is ignored. `[[FAQ#Can I sync?]]` finds
    `## Can I sync?`, `[[T#Q A]]` finds `## Q&A`, ``[[F#hasTag]]`` finds ``### `hasTag()` ``."""
    return _SPACES.sub(" ", _HEADING_NOISE.sub(" ", normalise(text))).strip()

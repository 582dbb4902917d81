"""Dated claims: the sentences of a page that carry a date, what kind of statement each is, and
whether its time has passed. parse calls `extract_claims` on a page's TextBlocks (pure, per page);
analyse calls `verdict` and `message` with --today and the page's max age.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

from .dates import HISTORY_BEFORE, YEAR_NOUN, DateExpr, find_dates, is_estimate
from .model import TextBlock, made
from .names import NAME_CLOSE, NAME_OPEN


@dataclass(frozen=True)
class Claim:
    line: int  # 1-based line in the file (frontmatter lines counted)
    text: str  # the sentence / list item / table row, whitespace-collapsed, at most 300 chars
    expression: str  # the governing date expression as written ("Q1 FY2027")
    kind: str  # snapshot | forecast | event
    start: dt.date
    end: dt.date
    explicit: bool = False  # set by an `as_of::` inline field
    # The cue word of the governing expression ("through", "as of"); "" when it has none. None
    # (a Claim made by hand) lets message() read it back from the text.
    cue: str | None = None
    last_line: int = 0  # the file line the sentence or item ends on (0: `line`), its wrapped lines included

    @property
    def lines(self) -> range:
        return range(self.line, max(self.line, self.last_line) + 1)


MAX_TEXT = 300
# Characters: a list item longer than a claim's text (a log entry of many sentences) is read as
# prose, a claim per dated sentence, so that a cue word far from a date does not decide its kind.
LONG_ITEM = 300


def extract_claims(blocks: Sequence[TextBlock], fiscal_year_end: int = 12) -> list[Claim]:
    """Pure: the claims of one page, in line order. A claim is a sentence of a paragraph or
    blockquote, or a whole list item or table row, that holds a date expression (or sits on the
    line of an `as_of::` field). Headings are never claims."""
    claims: list[Claim] = []
    for block in blocks:
        kind = block.kind
        if kind == "heading" or kind == "table_header":  # column labels are no claims
            continue
        if block.fields:
            _block_claims(block, fiscal_year_end, claims)
            continue
        text = block.text
        dates = _outside_names(text, find_dates(text, fiscal_year_end))
        if not dates:
            continue  # most blocks: no date, so no sentence splitting and no classifying
        if kind == "table_row" or (kind == "list_item" and len(text) <= LONG_ITEM  # one unit, one claim
                                   and (len(dates) < 2 or _CLAUSE_JOIN.search(text) is None)):
            claim = _claim(text, 0, len(text), dates, kind, block.line, None)
            if claim is not None:
                claims.append(claim)
        else:
            _unit_claims(text, dates, [], kind, block.line, claims)
    claims.sort(key=_LINE)  # stable: the units of one line keep their order
    return claims


_LINE = attrgetter("line")


# --- verdicts -------------------------------------------------------------------------------------

def verdict(claim: Claim, today: dt.date, max_age_days: int) -> str:
    """ok | stale (a snapshot older than max age) | overdue (a forecast whose period has ended)."""
    if claim.kind == "snapshot" and (today - claim.end).days > max_age_days:  # no date past 9999 is made
        return "stale"
    if claim.kind == "forecast" and claim.end < today:
        return "overdue"
    return "ok"


def message(claim: Claim, status: str, today: dt.date, max_age_days: int) -> str:
    """One line for reports: "snapshot as of Mar 2026 is 236 days old (max 180)",
    "forecast 'through Q2 2026' ended 2026-06-30". Ages count from the interval's end."""
    if claim.kind == "snapshot":
        age = (today - claim.end).days
        stamp = f"{claim.expression} (as_of field)" if claim.explicit else claim.expression
        if age < 0:
            return f"snapshot as of {stamp} runs until {claim.end.isoformat()}"
        return f"snapshot as of {stamp} is {age} day{'' if age == 1 else 's'} old (max {max_age_days})"
    if claim.kind == "forecast":
        cue = claim.cue if claim.cue is not None else _cue_of(claim)
        quoted = f"{cue} {claim.expression}" if cue else claim.expression
        return f"forecast '{quoted}' {'ended' if claim.end < today else 'ends'} {claim.end.isoformat()}"
    return f"event dated {claim.expression}"


def lasting_message(claim: Claim, status: str, max_age_days: int) -> str:
    """The verdict in words that stay true from one day to the next, where `message` counts the
    days: "snapshot as of Mar 2026 stale since 2026-09-28 (max 180 days)". The site marks claims
    with it, so a page's HTML changes when its claims do, not every morning."""
    if claim.kind == "snapshot" and status == "stale":
        stamp = f"{claim.expression} (as_of field)" if claim.explicit else claim.expression
        since = claim.end + dt.timedelta(days=max_age_days + 1)
        return f"snapshot as of {stamp} stale since {since.isoformat()} (max {max_age_days} days)"
    return message(claim, status, claim.end + dt.timedelta(days=1), max_age_days)  # ended: past its end


def _cue_of(claim: Claim) -> str | None:
    """The cue word of the claim's expression, read back from its text (for a Claim made by hand)."""
    return next((d.cue for d in find_dates(claim.text) if d.text == claim.expression), None)


# --- one block -> its claims ----------------------------------------------------------------------

# `as_of:: 2026-03` (Dataview's line form) and `[as_of:: 2026-03]` / `(as_of:: 2026-03)` inside a line.
_AS_OF_KEY = re.compile(r"as[ _-]?of", re.IGNORECASE)  # Dataview keys: as_of, "As Of", as-of
_AS_OF_FIELD = re.compile(r"[\[(]\s*as[ _-]?of\s*::(?P<inline>[^\])\n]*)[\])]|\bas[ _-]?of\s*::(?P<line>[^\n]*)",
                          re.IGNORECASE)


def _block_claims(block: TextBlock, fye: int, claims: list[Claim]) -> None:
    """The claims of a block with inline fields: an as_of field dates the units on its line."""
    text, overrides = _explicit_dates(block, fye)
    dates = _outside_names(text, find_dates(text, fye))
    if dates or overrides:
        _unit_claims(text, dates, overrides, block.kind, block.line, claims)


def _unit_claims(text: str, dates: list[DateExpr], overrides: list[tuple[int | None, DateExpr]], kind: str,
                 line: int, claims: list[Claim]) -> None:
    # Looked up by bisection, not by scanning every date and newline for every unit: a paragraph
    # of 20,000 dated sentences took 37 s.
    starts = [d.start for d in dates]
    breaks = [i for i, char in enumerate(text) if char == "\n"] if "\n" in text else []
    for lo, hi in _units(text, kind, dates):
        own = dates[bisect_left(starts, lo):bisect_left(starts, hi)]
        if not own and not overrides:
            continue
        first_line = line + bisect_left(breaks, lo)
        explicit = None
        if overrides:
            last_line = first_line + text.count("\n", lo, hi)
            explicit = next((date for at, date in overrides if at is None or first_line <= at <= last_line), None)
        claim = _claim(text, lo, hi, own, kind, first_line, explicit)
        if claim is not None:
            claims.append(claim)


def _explicit_dates(block: TextBlock, fye: int) -> tuple[str, list[tuple[int | None, DateExpr]]]:
    """The block text with its as_of fields blanked out (so a field is neither prose nor a second
    date), and (file line, date) for each field. A field that parse reported but that the text
    does not show dates the whole block (line None)."""
    values = [value for key, value in block.fields if _AS_OF_KEY.fullmatch(key.strip())]
    if not values:
        return block.text, []
    text = block.text
    spans = list(_AS_OF_FIELD.finditer(text))
    if not spans:
        date = _field_date(values[0], fye)
        return text, [(None, date)] if date is not None else []
    overrides: list[tuple[int | None, DateExpr]] = []
    for span in spans:
        date = _field_date(span.group("inline") or span.group("line") or "", fye)
        if date is not None:
            overrides.append((block.line + text.count("\n", 0, span.start()), date))
    for span in reversed(spans):
        text = text[:span.start()] + " " * (span.end() - span.start()) + text[span.end():]
    return text, overrides


def _field_date(value: str, fye: int) -> DateExpr | None:
    """The date of an `as_of::` value: any expression of the grammar, or a bare year."""
    found = find_dates(value.strip(), fye) or find_dates(f"in {value.strip()}", fye)
    if not found:
        return None
    return DateExpr(found[0].text, 0, len(found[0].text), found[0].first, found[0].last, "as of")


def _outside_names(text: str, dates: list[DateExpr]) -> list[DateExpr]:
    """The dates that are not inside a linked page's name: "[[Obsidian October 2021]]" names a page."""
    if NAME_OPEN not in text:
        return dates
    spans, at = [], text.find(NAME_OPEN)
    while at >= 0:
        end = text.find(NAME_CLOSE, at)
        spans.append((at, end if end >= 0 else len(text)))
        at = text.find(NAME_OPEN, end if end >= 0 else len(text))
    return [d for d in dates if not any(lo < d.start and d.end <= hi for lo, hi in spans)]


def _claim(text: str, lo: int, hi: int, dates: list[DateExpr], block_kind: str, line: int,
           explicit: DateExpr | None) -> Claim | None:
    shown = " ".join(text[lo:hi].replace(NAME_OPEN, "").replace(NAME_CLOSE, "").split())
    if not shown or (not dates and explicit is None):
        return None
    if shown == text:
        shown = text  # the block's own string: a page's pickle then holds it once
    if len(shown) > MAX_TEXT:
        shown = shown[:MAX_TEXT - 1].rstrip() + "…"
    last = line + text.count("\n", lo, hi)
    if explicit is not None:
        return _new_claim(line, shown, explicit.text, "snapshot", explicit.first, explicit.last, True, "as of", last)
    kind, governing = classify(Unit(text, lo, hi, dates, block_kind))
    kind, end = _over_years(text, lo, hi, kind, governing)
    return _new_claim(line, shown, governing.text, kind, governing.first, end, False, governing.cue or "", last)



def _new_claim(line: int, text: str, expression: str, kind: str, start: dt.date, end: dt.date, explicit: bool,
               cue: str | None, last_line: int = 0) -> Claim:
    """Claim(...), made fast (see model.made): a page's claims are made in bulk."""
    return made(Claim, {"line": line, "text": text, "expression": expression, "kind": kind, "start": start,
                        "end": end, "explicit": explicit, "cue": cue, "last_line": last_line})


# --- units: sentences, list items, table rows -----------------------------------------------------

# A sentence ends at . ! ? (plus closing quotes or brackets) before whitespace and a capital, a
# digit or an opening mark. Lower-case continuations ("e.g. the") never split.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]\ue001]*\s+(?=[\"'“‘(\[*_\ue000]?[A-Z0-9$~#])")
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "inc", "corp", "co", "ltd", "llc", "plc", "jr", "sr", "st", "vs", "v",
    "e.g", "i.e", "cf", "approx", "est", "no", "nos", "p", "pp", "vol", "fig", "figs", "u.s", "u.k", "e.u",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "al", "ca", "c",
})


def _units(text: str, kind: str, dates: list[DateExpr]) -> list[tuple[int, int]]:
    """(start, end) of each unit of a block: a table row is one unit, a list item one sentence,
    prose is split into sentences (never inside a date expression such as "Mar. 2026"); and a
    sentence whose clauses each carry a date is split into them (see _clauses)."""
    if kind == "table_row":
        return [(0, len(text))]
    if kind == "list_item" and len(text) <= LONG_ITEM:
        return _clauses(text, 0, len(text), dates)
    return [unit for lo, hi in _sentences(text, dates) for unit in _clauses(text, lo, hi, dates)]


# "Capacity additions slowed in Q4 2025 and are expected to re-accelerate in 2H26": two statements,
# each with its own date and verb, the first a snapshot that ages, the second a forecast. Joined
# in one unit the forecast's date would govern both, and the stale half would never be flagged.
_CLAUSE_JOIN = re.compile(
    r"(?:,\s*|\s+)(?:and|but|while|whereas)\s+(?=(?:is|are|was|were|will|would|should|could|has|have|had|"
    r"remains?|remained|stays?|stayed|expects?|sees?|is\s+expected|are\s+expected)\b)", re.IGNORECASE)


def _clauses(text: str, lo: int, hi: int, dates: list[DateExpr]) -> list[tuple[int, int]]:
    """text[lo:hi] cut where "and"/"but" starts a second clause with its own verb, when each side
    holds a date; otherwise the unit whole."""
    cuts = list(_CLAUSE_JOIN.finditer(text, lo, hi))
    if not cuts:
        return [(lo, hi)]
    units, start = [], lo
    for match in cuts:
        before = any(start <= d.start and d.end <= match.start() for d in dates)
        after = any(match.end() <= d.start and d.end <= hi for d in dates)
        if before and after:
            units.append((start, match.start()))
            start = match.end()
    units.append((start, hi))
    return units


def _sentences(text: str, dates: list[DateExpr]) -> list[tuple[int, int]]:
    units, lo = [], 0
    starts = [d.start for d in dates]  # in order, and not overlapping: one can hold a cut
    for end in _SENTENCE_END.finditer(text):
        cut = end.start() + len(end.group().rstrip())
        inside = bisect_left(starts, cut) - 1
        if _is_abbreviation(text, end.start()) or (inside >= 0 and cut <= dates[inside].end):
            continue
        units.append((lo, cut))
        lo = end.end()
    units.append((lo, len(text)))
    return units


def _is_abbreviation(text: str, dot: int) -> bool:
    """"U.S. capex", "J. Huang", "vs. 2024": the word before the period does not end a sentence."""
    if text[dot] != ".":
        return False
    word = (text[max(0, dot - 12):dot].rsplit(None, 1)[-1:] or [""])[0].lstrip("([\"'“‘").lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


# --- what the classifier reads of a unit ----------------------------------------------------------

class Unit(NamedTuple):
    """One sentence, list item or table row, as the classifier reads it: the block's text, the
    unit's span in it and the unit's dates. Each feature is computed only when a rule asks."""

    text: str  # the whole block's text
    lo: int  # the unit is text[lo:hi]
    hi: int
    dates: Sequence[DateExpr]  # the unit's date expressions, left to right
    block_kind: str = "paragraph"

    def wording(self) -> str:
        """The unit in lower case with its dates blanked, so that "May 2026" is not the verb "may"
        and "Q1 FY2027" is not a figure; cue words stay."""
        text, pos, parts = self.text, self.lo, []
        for date in self.dates:
            parts += [text[pos:date.start], " "]
            pos = date.end
        parts.append(text[pos:self.hi])
        return "".join(parts).lower()

    def is_aside(self, date: DateExpr) -> bool:
        """A date that does not date the claim: a comparison base ("vs 32% in 2000"), a quoted
        title's publication date, or a citation year after a name ("Mamba (2023)"). Such dates
        never govern a claim with other dates."""
        text = self.text
        before = text[max(self.lo, date.start - 60):date.start]
        if not before or before.isspace():
            return False  # the unit opens with the date
        if "ſ" in before or "ı" in before or "İ" in before:  # where lower() and IGNORECASE disagree
            base = _COMPARISON.search(before)
        else:
            low = before.lower()
            base = (_COMPARISON_LOWER.search(low) if (
                "vs" in low or "than" in low or "from" in low or "against" in low or "versus" in low
                or "compared" in low or "relative" in low or "unlike" in low or "resembl" in low or "similar" in low
                or "akin" in low or "reminiscent" in low or "echo" in low) else None)  # one of _COMPARISONS' words
        # "faster than AWS in 2025" compares with a rival, in 2025: the date is the statement's own
        if base is not None and not _NAME.match(before, _word_end(before, base.start())):
            return True
        tail = before.rstrip()  # '"Capital Cycles and AI", Jan 2025'
        if tail.endswith(_QUOTES) or (tail.endswith(",") and tail[:-1].endswith(_QUOTES)):
            return True
        if ("(" not in before or text[date.end:date.end + 1] not in ")],;" or not _CITATION.search(before)
                or not _calendar_precise(date)):
            return False
        # "$55B HBM (2026)" dates a figure; "Mamba (2023)" names a paper
        clause = _CLAUSE_BREAK.split(before[:before.rfind("(")])[-1]
        return not _FIGURE.search(clause)

    def is_record(self) -> bool:
        """A list item that opens with its date and a dash, colon or bar ("Mar 19, 2025 — GTC
        keynote"), or a table row with a cell holding only a date whose other cells are mostly
        words ("| Datacenter Anatomy | Oct 14, 2024 | cooling |"). A row of figures
        ("| Q1 FY2027 | $44B |") is data, not a record."""
        text, lo, hi, dates = self.text, self.lo, self.hi, self.dates
        if self.block_kind == "list_item":
            first = dates[0]
            opening = text[lo:first.start].strip(" \t\n*_[]").lower()
            return opening in ("", first.cue) and bool(_RECORD_SEPARATOR.match(text, first.end))
        if self.block_kind != "table_row":
            return False
        cells = [cell.strip() for cell in text[lo:hi].split(" | ")]
        dated_cells = {d.text for d in dates}
        others = [cell for cell in cells if cell and cell not in dated_cells]
        if len(others) == len([c for c in cells if c]):
            return False  # no cell is just a date
        return sum(1 for cell in others if _NUMERIC_CELL.match(cell)) * 2 < len(others)

    def records_a_value(self) -> bool:
        """A dated list item whose entry opens with what was measured and gives the figure: "June
        2024 — list price $25 per hour", "Q2 2025 — share: SK hynix 62%" (VAULT-SPEC §1). An entry
        that opens with anything else narrates ("May 2024 — CoreWeave's $7.5B debt facility")."""
        if self.block_kind != "list_item":
            return False
        entry = self.text[self.dates[0].end:self.hi]
        if _VALUE_ENTRY.match(entry):  # "- Q4 2024 — 31%": the entry is the figure
            return True
        opening = _WORD.findall(entry.lower())[:4]
        return (_MEASURE.found(" ".join(opening), frozenset(opening))
                and _FIGURE.search(entry) is not None)

    def is_trajectory(self) -> bool:
        """"~$38B (2025) → ~$58B (2026)": an arrow between two dates is a path into the future."""
        text, dates = self.text, self.dates
        return any("→" in text[a.end:b.start] or "->" in text[a.end:b.start] for a, b in zip(dates, dates[1:]))


# Python's re folds these odd letters into ASCII ones when it ignores case (ſ matches s).
_CASE_EXTRAS = {"i": "ıİ", "s": "ſ", "k": "K"}


def _alternation(alternatives: Sequence[str], ignorecase: bool = False, boundary_after_head: bool = False) -> str:
    r"""`(?:a|b|…)` with the alternatives grouped under their first letter. The regex engine checks
    a branch's opening literal before it enters the branch, so at each word it tests one letter
    per group instead of trying a hundred words: a search runs several times faster. With
    `ignorecase`, each first letter becomes a class of its cases and the rest is matched under
    (?i:), which accepts exactly what re.IGNORECASE accepts. Only whether a family matches is used,
    never which alternative did. `boundary_after_head` puts a word boundary before each alternative,
    tested after its first letter (`v(?<!\w\w)` is `\bv`) so the engine can skip to those letters."""
    groups: dict[str, list[str]] = {}
    whole: list[str] = []
    for alternative in alternatives:
        head, rest = alternative[:1], alternative[1:]
        if head.isascii() and head.isalpha() and head.islower() and rest[:1] not in ("?", "*", "+", "{"):
            groups.setdefault(head, []).append(rest)
        else:
            whole.append(f"(?i:{alternative})" if ignorecase else alternative)
    branches = []
    for head, rests in groups.items():
        if ignorecase:
            branches.append(f"[{head}{head.upper()}{_CASE_EXTRAS.get(head, '')}](?i:{'|'.join(rests)})")
        else:
            boundary = r"(?<!\w\w)" if boundary_after_head else ""
            branches.append(f"{head}{boundary}(?:{'|'.join(rests)})")
    if boundary_after_head:
        whole = [rf"\b{alternative}" for alternative in whole]
    return "(?:" + "|".join(branches + whole) + ")"


# "vs 32% in 2000", "up from 50% in 2024", "resembles cloud around 2012": a comparison base.
_COMPARISONS = [r"vs\.?", r"versus", r"against", r"compared (?:to|with)", r"than", r"relative to", r"unlike",
                r"up from", r"down from", r"resembl\w*", r"similar to", r"akin to", r"reminiscent of", r"echo\w*"]
_COMPARISON = re.compile(r"\b" + _alternation(_COMPARISONS, ignorecase=True) + r"[^;:.!?]*$")
# The same on lower-cased text, each word's boundary tested after its first letter, so that the
# regex engine only stops at those letters. Lower-casing agrees with ignoring case except for ſ, ı
# and İ (see _CASE_EXTRAS), so text holding one of them takes _COMPARISON instead.
_COMPARISON_LOWER = re.compile(_alternation(_COMPARISONS, boundary_after_head=True) + r"[^;:.!?]*$")
# "than AWS", "against Broadcom's": a name right after the comparison word (the rival compared with)
_NAME = re.compile(r"\s*(?:the\s+|its\s+)?[A-Z](?:[A-Za-z]*[A-Z]|[a-z]+)\b")


def _word_end(text: str, at: int) -> int:
    """The end of the comparison phrase starting at `at` ("compared with", "up from", "vs.")."""
    match = _COMPARISON_HEAD.match(text, at)
    return match.end() if match else at


_COMPARISON_HEAD = re.compile(r"(?i:(?:compared|relative|similar|akin|reminiscent|up|down)\s+\w+|\w+\.?)")
_QUOTES = ('"', "”")  # '"Capital Cycles and AI", Jan 2025': the publication date of a quoted title
# "Chinchilla (2022)", "Lisa Su (AMD, March 2026)": a name with its year in parentheses.
_CITATION = re.compile(r"(?:^|\s)[A-Z\"“][^\s(]*\s*\((?:[^()\d]{0,40},\s*)?$")
_CLAUSE_BREAK = re.compile(r"[,;:—|]")
_FIGURE = re.compile(r"\d(?<![\w-]\d)")  # a number standing on its own: "62%", "$44B", "80GB", not "H100"


def _calendar_precise(date: DateExpr) -> bool:
    """A day, a month or a calendar year, as publications are dated; "(H2 2026)" after a product
    name is its schedule, not a citation."""
    first, last = date.first, date.last
    whole_month = first.day == 1 and last.day == calendar.monthrange(last.year, last.month)[1] and first.month == last.month
    whole_year = (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and first.year == last.year
    return first == last or whole_month or whole_year


_VALUE_ENTRY = re.compile(r"\s*[—–:|/,-]\s*[~≈<>+\-−]*(?:[$€£¥]\d|\d[\d.,]*\s?%)")  # money or a percentage
_RECORD_SEPARATOR = re.compile(r"\s*[—–:|/,-]")
# "$44B", "73%", "53–62%", "$0.07–$0.40 (range)"; not "6t-ai-capital-math"
_NUMERIC_CELL = re.compile(
    r"[~≈<>+\-−$€£¥]*\d[\d.,]*(?:\s*[-–]\s*[~$€£¥]*\d[\d.,]*)?\s*(?:%|[A-Za-z]{1,3})?(?:\s|\(|$)")


# --- kinds ----------------------------------------------------------------------------------------

_AS_OF_CUES = frozenset({"as of", "as at"})
_START_CUES = frozenset({"since", "from", "starting"})
_BOUND_CUES = frozenset({"by", "through", "thru", "until", "till", "before", "no later than"})


class _Family:
    r"""The words and phrases of one kind of wording ("announced", "went public"). A unit's
    wording is cut into its words once (its runs of word characters, as `\b` delimits them); a
    single word is then a set look-up, matching exactly where `\bword\b` would, and the phrase
    regex runs only when one of its trigger words (a word of each phrase) is there."""

    __slots__ = ("words", "triggers", "phrases")

    def __init__(self, words: str, phrases: Sequence[str] = (), patterns: Sequence[tuple[str, str]] = ()):
        self.words = frozenset(words.split())
        alternatives = [re.escape(phrase) for phrase in phrases] + [pattern for pattern, _ in patterns]
        self.triggers = frozenset([max(_WORD.findall(phrase), key=len) for phrase in phrases]
                                  + [trigger for _, trigger in patterns])
        self.phrases = re.compile(r"\b(?:" + "|".join(alternatives) + r")\b") if alternatives else None

    def found(self, wording: str, tokens: frozenset[str]) -> bool:
        if not self.words.isdisjoint(tokens):
            return True
        return (self.phrases is not None and not self.triggers.isdisjoint(tokens)
                and self.phrases.search(wording) is not None)


_WORD = re.compile(r"\w+")


_FORECAST = _Family(
    "will shall expect expects expected expecting anticipate anticipates anticipated anticipating forecast "
    "forecasts forecasted forecasting projected projecting projection projections projects sees "
    "guide guides guided guiding "
    "guidance outlook plans planned planning target targets targeted targeting aim aims aimed aiming intend intends "
    "should might likely slated scheduled poised upcoming predict predicts predicted consensus",
    ["won't", "intended to", "set to", "on track", "on pace", "on course", "estimated to", "to reach",
     "to hit", "to exceed", "to surpass", "to grow", "to double", "to triple", "to rise", "to fall", "to decline",
     "heading to", "heading toward", "heading towards", "sold out for", "sold out into",
     "booked through", "booked out", "booked until", "booked into"],
    # "plan to build"; not "raised its capex plan to $125B" (a figure)
    [(r"plan to(?!\s*[~≈$€£¥]?\d)", "plan"), (r"could(?! not)", "could"), (r"due(?! to)", "due"),
     # "going to ship", not "going to industrial plant" or "going to the grid" (a destination)
     (r"going to (?!(?:the|a|an|this|that|these|those|its|their|our|his|her|\w+(?:al|ive|ous|ic))\b)", "going to")])
_EVENT = _Family(
    "announced launched shipped raised acquired released signed filed published unveiled introduced completed "
    "hired invested debuted founded incorporated listed delisted agreed merged delivered opened began started "
    "won awarded approved finalised finalized issued secured partnered formalised formalized trademarked "
    "appointed became joined resigned departed retired sued settled banned imposed lifted overtook surpassed "
    "showed demonstrated proposed replaced entered exited bought divested terminated canceled cancelled paused "
    "halted resumed presented revealed disclosed qualified certified commissioned energised energized "
    "inaugurated drove built brought struck adopted pushed followed paid cut erased wiped slashed emerged "
    "arrived left said noted warned claimed stated wrote argued committed connected borrowed refinanced enacted "
    "beat missed lifted lowered trimmed hiked boosted reiterated reaffirmed upgraded downgraded initiated",
    ["ipo'd", "went public", "spun off", "taped out", "broke ground", "led by", "laid out"],
    [(r"(?<!\bbe )(?<!\bbeing )sold(?! out)", "sold"),
     # "passed SB 6" (a law); "passed 50%" is a level reached (_PAST)
     (r"passed(?!\s+(?:the\s+)?[~≈$€£¥]?\d)", "passed")])
# A happening verb whose object is a share of a whole: "bought an estimated 70% of HBM output",
# "shipped 40% of units". The share is a level, measured; nothing in particular happened.
_SHARE_TAKEN = re.compile(r"\b(\w+ed|bought|sold|won|took|held|built|made)\s+(?:an?\s+)?(?:estimated\s+|about\s+|around\s+"
                          r"|roughly\s+|over\s+|nearly\s+|almost\s+|some\s+|~|≈)?\d[\d.,]*\s?%\s+of\b")
# Nouns naming a happening: "IPO in Mar 2025", "the Sep 2025 deal". Unlike a past-tense verb they
# can be in the future ("an IPO expected in 2026").
_HAPPENING = _Family(
    "ipo acquisition merger keynote deal shock podcast interview paper article blog episode webinar conference "
    "study report analysis announcement",
    ["funding round", *(f"series {letter}" for letter in "abcdefgh")],
    # an order, not an order book: "order backlog", "order intake" are measured
    [(r"(?<!in )order(?!s?\s+(?:backlog|books?|intake|growth|trends?|levels?|rates?|momentum|visibility))", "order")])
# Past and perfect tense: a by/through date in such a unit closes a period; it is no deadline.
_CHANGES = ("dropped fell rose grew declined increased decreased jumped surged plunged climbed doubled tripled "
            "expanded contracted shrank slowed accelerated improved worsened peaked")
_PAST = _Family(
    "was were had did has have held went came made took saw lost added moved shifted switched reached passed "
    "crossed exceeded topped achieved attained kept continued " + _CHANGES)
# A measured quantity that changed ("Azure grew faster than AWS in 2025"): a measurement, as a figure is.
_CHANGED = _Family(_CHANGES)
# A level stated with a verb and a figure ("share stood at 17%"): what turns a dated record into
# a snapshot.
_STATIVE = re.compile(
    r"\b" + _alternation([r"is", r"are", r"was", r"were", r"held", r"holds", r"stood", r"stands", r"totall?ed",
                          r"totals", r"reached", r"accounted for", r"represented", r"commanded", r"remained",
                          r"stayed", r"ran", r"traded", r"closed"])
    + r"(?:\s+(?:at|about|around|roughly|near|nearly|over|under|above|below|just|only|some|almost))*"
    r"\s*[~≈<>$€£¥]*\d")
_STATIVE_VERBS = frozenset(
    "is are was were held holds stood stands totaled totalled totals reached accounted represented commanded "
    "remained stayed ran traded closed".split())  # one of them must be there for _STATIVE to match


def _stative(wording: str, tokens: frozenset[str]) -> bool:
    return not _STATIVE_VERBS.isdisjoint(tokens) and _STATIVE.search(wording) is not None


# Softer future: verbs in the present ("Rubin ships in H2 2026") and nouns of plans. Only the
# verbs turn a dated record into a forecast: "- Mar 2025 — CPO put on the roadmap" is an event.
_SOFT_FORECAST_VERB = _Family(
    "launches launching ship ships shipping ramps ramping debuts arrive arrives arriving begin begins start "
    "starts sampling")
_SOFT_FORECAST_NOUN = _Family("roadmap pipeline launch ramp debut coming est")
_MEASURE = _Family(
    "share revenue revenues sales backlog rpo bookings price prices pricing asp asps cost costs capacity margin "
    "margins valuation utilisation utilization arr ebitda ebit income profit profits earnings eps cash debt capex "
    "spend spending headcount inventory inventories yield yields output production shipments tam users "
    "customers penetration adoption mix supply demand stake volume volumes average averaged averages median "
    "represented represents",
    ["made up", "make up", "makes up", "accounted for", "accounts for", "account for", "lead time", "lead times",
     "market cap", "market capitalisation", "market capitalization", "run rate",
     "run-rate", "installed base", "market size"])


# "over four years starting in 2025", "over the next five years from 2026": a plan or outlook over
# a span of years (VAULT-SPEC §1) runs to the span's end, not to the end of the year it starts in.
# Only a span that starts at its date: "grew 40% over two years in 2024" closed a period.
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_OVER_YEARS = re.compile(r"\bover\s+(?:the\s+(?:next|following|coming)\s+)?(\d{1,2}|" + "|".join(_NUMBERS)
                         + r")[\s-]+years?\b", re.IGNORECASE)
_SPAN_START = re.compile(r"\b(?:starting|beginning|from)(?:\s+in)?\s*$", re.IGNORECASE)


def _over_years(text: str, lo: int, hi: int, kind: str, governing: DateExpr) -> tuple[str, dt.date]:
    """(kind, end) of the unit text[lo:hi]: a forecast to the end of the span of years it plans
    over when its date starts that span; otherwise as classified."""
    unit = text[lo:hi]
    match = _OVER_YEARS.search(unit) if "over" in unit.lower() else None
    if match is None or not _SPAN_START.search(text[lo:governing.start]):
        return kind, governing.last
    count = _NUMBERS.get(match.group(1).lower()) or int(match.group(1))
    if not 1 < count <= 30:
        return kind, governing.last
    return "forecast", max(governing.last, dt.date(governing.first.year + count - 1, 12, 31))


def classify(unit: Unit) -> tuple[str, DateExpr]:
    """(kind, governing expression) of one unit: the first rule that applies wins.

    a. Only history (decades, "between 1880 and 1890", anything ending before 1950) -> event.
    b. An "as of" / "as at" date -> snapshot [that date]: the writer stamped the measurement.
    c. Every date is an aside (a start point "since 2020" / "from 2024", a comparison base
       "vs 32% in 2000", a citation "Mamba (2023)") -> event: none of them dates the statement,
       so none can be aged. Asides never govern a unit that has other dates.
    d. Forward-looking words (will, expected, guided, target, sold out for, ...) -> forecast
       [the latest date]; except beside a past-tense happening with a single date, which is the
       happening's date ("said in Mar 2026 that demand is expected to ..."), unless that date
       is a bound ("Through end-2026 — Rystad expects ...": nothing happens "through" a date),
       or when the only dates are exact days without a by/until cue ("the slowdown on Apr 28,
       2025"), since things happen on days. Then an estimate (2026E) -> forecast [the latest
       estimate]. Then a by/through/until date in a unit not in the past or perfect tense ->
       forecast [the latest such date]; "had shipped 1M units by March 2025" closes a period
       instead, and so does a level already reached by a share of a population ("used by 70%
       of enterprises by 2025", see _ATTAINED): that is a snapshot of adoption (rule h).
    e. A happening (announced, launched, raised, said, an IPO, a deal, ...) -> event [the first
       date]: "raised $6.6B at a $157B valuation" is an event although it names a valuation.
       A happening verb after "be"/"being" ("can be commissioned", "to be released") has not
       happened, so it is none.
    f. Dates joined by arrows, or softer future verbs (launches, ships, ramps, begins) ->
       forecast [the latest]: "Rubin launches in H2 2026", "- H2 2026 — Vera Rubin ships". A
       soft verb in a past progressive ("were shipping in volume") is no future. Nor does one
       make a forecast of a dated record whose only date is a single month or day ("- Mar 2025
       — Testco ships the X7"): present tense is how log lines narrate, and a month-stamped
       entry records when something happened; such a record falls to rule g.
    g. A dated record ("- Mar 19, 2025 — GTC keynote") -> event, unless it states a level
       ("share stood at 17%", "revenue reached ~$8.2B") or opens with what was measured and
       gives its figure ("- June 2024 — list price $25 per hour") -> snapshot [the latest].
       Otherwise nouns of plans (roadmap, pipeline, a launch in H2 2026) -> forecast [the latest].
    h. Exact days only, without a stated level -> event [the first]; otherwise a measured
       quantity (share, revenue, price, capacity, ...), a figure, or an "at" date -> snapshot
       [the latest].
    i. Anything else -> event [the first].

    Snapshots are governed by their latest date, not their first: "from 5% (2018) to 30% (early
    2026)" is as fresh as its newest figure, and a stale flag for 2018 would be noise.
    """
    dates = unit.dates
    if len(dates) == 1:  # most units: the same steps without the lists
        date = dates[0]
        if date.historical or date.last.year < HISTORY_BEFORE:
            return "event", date
        if date.cue in _AS_OF_CUES:
            return "snapshot", date
        if _starts(date, unit) or unit.is_aside(date):
            return "event", date
        measured = dates
    else:
        dated = [d for d in dates if not d.historical and d.last.year >= HISTORY_BEFORE]
        if not dated:
            return "event", dates[0]
        as_of = [d for d in dated if d.cue in _AS_OF_CUES]
        if as_of:
            return "snapshot", as_of[0]
        measured = [d for d in dated if not _starts(d, unit) and not unit.is_aside(d)]
        if not measured:
            return "event", dated[0]
    wording = unit.wording()
    words = _WORD.findall(wording)
    tokens = frozenset(words)
    happened = _happened(wording, words, tokens)
    # "lifted its 2025 capex guide … on the Q3 2025 call": a year naming what was changed is no
    # second date of the happening
    own = [d for d in measured if not _attributive(unit.text, d)] if happened and len(measured) > 1 else measured
    if not _only_days(measured) and (
            (happened and len(own) == 1 and _foretold(unit, own[0]))
            or (_FORECAST.found(wording, tokens)
                and not (happened and len(own) == 1 and own[0].cue not in _BOUND_CUES))):
        return "forecast", _latest(measured)
    happened = happened or _HAPPENING.found(wording, tokens)
    estimates = [d for d in measured if is_estimate(d)]
    if estimates:
        return "forecast", _latest(estimates)
    bounded = [d for d in measured if d.cue in _BOUND_CUES]
    if bounded and not (happened or _PAST.found(wording, tokens) or _ATTAINED.search(wording)):
        return "forecast", _latest(bounded)
    if happened:
        return "event", measured[0]
    if unit.is_trajectory():
        return "forecast", _latest(measured)
    if (_soft_future(words, tokens, wording)
            and not (len(measured) == 1 and _month_or_day(measured[0]) and unit.is_record())):
        return "forecast", _latest(measured)
    if unit.is_record():
        return (("snapshot", _latest(measured)) if _stative(wording, tokens) or unit.records_a_value()
                else ("event", measured[0]))
    if _SOFT_FORECAST_NOUN.found(wording, tokens):
        return "forecast", _latest(measured)
    if _only_days(measured) and not _stative(wording, tokens):
        return "event", measured[0]
    if (_MEASURE.found(wording, tokens) or _FIGURE.search(wording) or _CHANGED.found(wording, tokens)
            or any(d.cue == "at" for d in measured)):
        return "snapshot", _latest(measured)
    return "event", measured[0]


def _attributive(text: str, date: DateExpr) -> bool:
    """A year used as an adjective before a reporting noun: "its 2025 capex guide"."""
    return date.cue is None and YEAR_NOUN.match(text, date.end) is not None


def _foretold(unit: Unit, date: DateExpr) -> bool:
    """Whether the verb nearest before the date looks forward: in "said revenue would exceed $1.5B
    in 2025" the date is the forecast's; in "said in March 2026 that demand will double" the saying's."""
    words = _WORD.findall(unit.text[unit.lo:date.start].lower())
    for at in range(len(words) - 1, -1, -1):
        if words[at] in _FORETELLING:
            return words[at + 1:at + 2] != ["have"]  # "would have been" looks back
        if words[at] in _EVENT.words:
            return False
    return False


# The verbs that put what follows them in the future (not nouns such as "targets" or "guide").
_FORETELLING = frozenset("will would shall should could might expect expects expected anticipate anticipates "
                         "anticipated project projects projected forecast forecasts predicts predicted".split())


def _starts(date: DateExpr, unit: Unit) -> bool:
    """A start point ("since 2020", "from 2024", "articles from 2020 to 2025"), which dates no
    statement; but a change over a closed span ("fell 10% from 2022 to 2024") is measured then."""
    if date.cue not in _START_CUES:
        return False
    if date.first.year == date.last.year or " " not in date.text:
        return True
    wording = unit.wording()
    return not _CHANGED.found(wording, frozenset(_WORD.findall(wording)))


def _happened(wording: str, words: list[str], tokens: frozenset[str]) -> bool:
    """A happening verb (_EVENT) that is not a passive infinitive or progressive: "can be
    commissioned", "to be released", "is being built" have not happened."""
    hits = _EVENT.words.intersection(tokens)
    if hits and ("be" in tokens or "being" in tokens or "%" in wording):
        # not happenings: "can be commissioned", and "adopted by 60% of builds" (a level, see _ATTAINED)
        pending = (_UNREALISED.findall(wording) + _ATTAINED.findall(wording) + _SHARE_OF.findall(wording)
                   + _SHARE_TAKEN.findall(wording))
        hits = [word for word in hits if words.count(word) > pending.count(word)]
    if hits:
        return True
    return (not _EVENT.triggers.isdisjoint(tokens)) and _EVENT.phrases.search(wording) is not None


# The word after "be"/"being" (an adverb between allowed): "can be commissioned", "being built".
_UNREALISED = re.compile(r"\bbe(?:ing)?\s+(?:(?:not|still|already|also|just|\w+ly)\s+)?(\w+)")
# Soft verbs in a past progressive: "were shipping in volume", "was still ramping".
_PAST_PROGRESSIVE = re.compile(r"\b(?:was|were|been)\s+(?:(?:not|still|already|also|just|\w+ly)\s+)?(\w+ing)\b")
# A participle that describes the population of a share: "20% of racks shipped in 2025", "a third
# of chips sold": the share is a level, nothing in it happened.
_SHARE_OF = re.compile(r"%\s+of\s+(?:(?:the|all)\s+)?(?:[\w-]+\s+){1,3}?(\w+ed|sold|built|made|bought)\b")
# A level a share of a population had reached: "used by 70% of enterprises", "adopted across 40%
# of fleets". With a by-date it closes a period ("... by 2025"), it sets no deadline.
_ATTAINED = re.compile(r"\b(\w+ed|run|seen|held|won)\s+(?:by|across)\s+"
                       r"(?:about\s+|around\s+|roughly\s+|over\s+|nearly\s+|almost\s+|some\s+|~|≈)?\d[\d.,]*\s?%\s+of\b")


def _soft_future(words: list[str], tokens: frozenset[str], wording: str) -> bool:
    """A soft future verb ("ships", "ramping") that is not part of a past progressive."""
    hits = _SOFT_FORECAST_VERB.words.intersection(tokens)
    if hits and ("was" in tokens or "were" in tokens or "been" in tokens):
        past = _PAST_PROGRESSIVE.findall(wording)
        hits = [word for word in hits if words.count(word) > past.count(word)]
    return bool(hits)


def _month_or_day(date: DateExpr) -> bool:
    """A single day or a single calendar month: how a log line stamps an entry."""
    first, last = date.first, date.last
    return first == last or (first.day == 1 and first.month == last.month and first.year == last.year
                             and last.day == calendar.monthrange(last.year, last.month)[1])


def _only_days(dates: Sequence[DateExpr]) -> bool:
    """Exact days without a by/until cue: something happened on them ("the slowdown on Apr 28,
    2025"); forward-looking words elsewhere in the unit are about something undated."""
    return all(d.first == d.last and d.cue not in _BOUND_CUES for d in dates)


def _latest(dates: Sequence[DateExpr]) -> DateExpr:
    """The latest-ending expression; the first of equals."""
    return dates[0] if len(dates) == 1 else max(dates, key=_LAST)


_LAST = attrgetter("last")

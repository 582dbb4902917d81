"""Dated claims: the sentences of a page that carry a date, what kind of statement each is, and
whether its time has passed. parse calls `extract_claims` on a page's TextBlocks (pure, per page);
analyse calls `verdict` and `message` with --today and the page's max age.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .dates import DateExpr, find_dates, is_estimate
from .model import TextBlock


@dataclass(frozen=True)
class Claim:
    line: int  # 1-based line in the file (frontmatter lines counted)
    text: str  # the sentence / list item / table row, whitespace-collapsed, at most 300 chars
    expression: str  # the governing date expression as written ("Q1 FY2027")
    kind: str  # snapshot | forecast | event
    start: dt.date
    end: dt.date
    explicit: bool = False  # set by an `as_of::` inline field


MAX_TEXT = 300


def extract_claims(blocks: Sequence[TextBlock], fiscal_year_end: int = 12) -> list[Claim]:
    """Pure: the claims of one page, in line order. A claim is a sentence of a paragraph or
    blockquote, or a whole list item or table row, that holds a date expression (or sits on the
    line of an `as_of::` field). Headings are never claims."""
    claims: list[Claim] = []
    for block in blocks:
        if block.kind not in ("heading", "table_header"):  # column labels are no claims
            claims.extend(_block_claims(block, fiscal_year_end))
    claims.sort(key=lambda c: c.line)  # stable: the units of one line keep their order
    return claims


# --- verdicts -------------------------------------------------------------------------------------

def verdict(claim: Claim, today: dt.date, max_age_days: int) -> str:
    """ok | stale (a snapshot older than max age) | overdue (a forecast whose period has ended)."""
    if claim.kind == "snapshot" and claim.end + dt.timedelta(days=max_age_days) < today:
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
        cue = _cue_of(claim)
        quoted = f"{cue} {claim.expression}" if cue else claim.expression
        return f"forecast '{quoted}' {'ended' if claim.end < today else 'ends'} {claim.end.isoformat()}"
    return f"event dated {claim.expression}"


def _cue_of(claim: Claim) -> str | None:
    """The cue word of the claim's expression, read back from its text (a Claim stores no cue)."""
    return next((d.cue for d in find_dates(claim.text) if d.text == claim.expression), None)


# --- one block -> its claims ----------------------------------------------------------------------

# `as_of:: 2026-03` (Dataview's line form) and `[as_of:: 2026-03]` / `(as_of:: 2026-03)` inside a line.
_AS_OF_KEY = re.compile(r"as[ _-]?of", re.IGNORECASE)  # Dataview keys: as_of, "As Of", as-of
_AS_OF_FIELD = re.compile(r"[\[(]\s*as[ _-]?of\s*::(?P<inline>[^\])\n]*)[\])]|\bas[ _-]?of\s*::(?P<line>[^\n]*)",
                          re.IGNORECASE)


def _block_claims(block: TextBlock, fye: int) -> list[Claim]:
    text, overrides = _explicit_dates(block, fye)
    dates = find_dates(text, fye)
    claims = []
    for lo, hi in _units(text, block.kind, dates):
        first_line = block.line + text.count("\n", 0, lo)
        last_line = first_line + text.count("\n", lo, hi)
        explicit = next((date for line, date in overrides if line is None or first_line <= line <= last_line), None)
        claim = _claim(text, lo, hi, [d for d in dates if lo <= d.start < hi], block.kind, first_line, explicit)
        if claim is not None:
            claims.append(claim)
    return claims


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


def _claim(text: str, lo: int, hi: int, dates: list[DateExpr], block_kind: str, line: int,
           explicit: DateExpr | None) -> Claim | None:
    shown = " ".join(text[lo:hi].split())
    if not shown or (not dates and explicit is None):
        return None
    if len(shown) > MAX_TEXT:
        shown = shown[:MAX_TEXT - 1].rstrip() + "…"
    if explicit is not None:
        return Claim(line, shown, explicit.text, "snapshot", explicit.first, explicit.last, explicit=True)
    unit = Unit(
        wording=_wording(text, lo, hi, dates),
        dates=tuple(dates),
        asides=frozenset(d for d in dates if _is_aside(text, lo, d)),
        record=_is_record(text, lo, hi, dates, block_kind),
        trajectory=_is_trajectory(text, dates),
    )
    kind, governing = classify(unit)
    return Claim(line, shown, governing.text, kind, governing.first, governing.last)


# --- units: sentences, list items, table rows -----------------------------------------------------

# A sentence ends at . ! ? (plus closing quotes or brackets) before whitespace and a capital, a
# digit or an opening mark. Lower-case continuations ("e.g. the") never split.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+(?=[\"'“‘(\[*_]?[A-Z0-9$~#])")
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "inc", "corp", "co", "ltd", "llc", "plc", "jr", "sr", "st", "vs", "v",
    "e.g", "i.e", "cf", "approx", "est", "no", "nos", "p", "pp", "vol", "fig", "figs", "u.s", "u.k", "e.u",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "al", "ca", "c",
})


def _units(text: str, kind: str, dates: list[DateExpr]) -> list[tuple[int, int]]:
    """(start, end) of each unit of a block: a list item or table row is one unit, prose is split
    into sentences (never inside a date expression such as "Mar. 2026")."""
    if kind in ("list_item", "table_row"):
        return [(0, len(text))]
    units, lo = [], 0
    for end in _SENTENCE_END.finditer(text):
        cut = end.start() + len(end.group().rstrip())
        if _is_abbreviation(text, end.start()) or any(d.start < cut <= d.end for d in dates):
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

@dataclass(frozen=True)
class Unit:
    """One sentence, list item or table row, as the classifier reads it."""

    wording: str  # lower-cased text with the date expressions blanked; cue words stay
    dates: tuple[DateExpr, ...]
    asides: frozenset[DateExpr] = frozenset()  # dates that do not date the claim (see _is_aside)
    record: bool = False  # a dated record: "- Mar 19, 2025 — GTC keynote", "| Title | May 2023 |"
    trajectory: bool = False  # dates joined by arrows: "$38B (2025) → $58B (2026)"


def _wording(text: str, lo: int, hi: int, dates: list[DateExpr]) -> str:
    """The unit in lower case with its dates blanked, so that "May 2026" is not the verb "may"
    and "Q1 FY2027" is not a figure."""
    parts, pos = [], lo
    for date in dates:
        parts += [text[pos:date.start], " "]
        pos = date.end
    parts.append(text[pos:hi])
    return "".join(parts).lower()


# "vs 32% in 2000", "up from 50% in 2024", "resembles cloud around 2012": a comparison base.
_COMPARISON = re.compile(r"\b(?:vs\.?|versus|against|compared (?:to|with)|than|relative to|unlike|up from|down from"
                         r"|resembl\w*|similar to|akin to|reminiscent of|echo\w*)[^;:.!?]*$", re.IGNORECASE)
# '"Capital Cycles and AI", Jan 2025': the publication date of a quoted title.
_QUOTED_TITLE = re.compile(r"[\"”],?\s*$")
# "Chinchilla (2022)", "Lisa Su (AMD, March 2026)": a name with its year in parentheses.
_CITATION = re.compile(r"(?:^|\s)[A-Z\"“][^\s(]*\s*\((?:[^()\d]{0,40},\s*)?$")
_FIGURE = re.compile(r"(?<![\w-])\d")  # a number standing on its own: "62%", "$44B", "80GB", not "H100"


def _is_aside(text: str, lo: int, date: DateExpr) -> bool:
    """A date that does not date the claim: a comparison base, a quoted title's publication date,
    or a citation year after a name. Such dates never govern a claim with other dates."""
    before = text[max(lo, date.start - 60):date.start]
    if _COMPARISON.search(before) or _QUOTED_TITLE.search(before):
        return True
    if not _CITATION.search(before) or text[date.end:date.end + 1] not in ")],;" or not _calendar_precise(date):
        return False
    # "$55B HBM (2026)" dates a figure; "Mamba (2023)" names a paper
    clause = re.split(r"[,;:—|]", before[:before.rfind("(")])[-1]
    return not _FIGURE.search(clause)


def _calendar_precise(date: DateExpr) -> bool:
    """A day, a month or a calendar year, as publications are dated; "(H2 2026)" after a product
    name is its schedule, not a citation."""
    first, last = date.first, date.last
    whole_month = first.day == 1 and (last + dt.timedelta(days=1)).day == 1 and first.month == last.month
    whole_year = (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and first.year == last.year
    return first == last or whole_month or whole_year


_RECORD_SEPARATOR = re.compile(r"\s*[—–:|/,-]")
# "$44B", "73%", "53–62%", "$0.07–$0.40 (range)"; not "6t-ai-capital-math"
_NUMERIC_CELL = re.compile(
    r"[~≈<>+\-−$€£¥]*\d[\d.,]*(?:\s*[-–]\s*[~$€£¥]*\d[\d.,]*)?\s*(?:%|[A-Za-z]{1,3})?(?:\s|\(|$)")


def _is_record(text: str, lo: int, hi: int, dates: list[DateExpr], block_kind: str) -> bool:
    """A list item that opens with its date and a dash, colon or bar ("Mar 19, 2025 — GTC
    keynote"), or a table row with a cell holding only a date whose other cells are mostly words
    ("| Datacenter Anatomy | Oct 14, 2024 | cooling |"). A row of figures ("| Q1 FY2027 | $44B |")
    is data, not a record."""
    if block_kind == "list_item":
        first = dates[0]
        opening = text[lo:first.start].strip(" \t\n*_[]").lower()
        return opening in ("", first.cue) and bool(_RECORD_SEPARATOR.match(text, first.end))
    if block_kind != "table_row":
        return False
    cells = [cell.strip() for cell in text[lo:hi].split(" | ")]
    dated_cells = {d.text for d in dates}
    others = [cell for cell in cells if cell and cell not in dated_cells]
    if len(others) == len([c for c in cells if c]):
        return False  # no cell is just a date
    return sum(1 for cell in others if _NUMERIC_CELL.match(cell)) * 2 < len(others)


def _is_trajectory(text: str, dates: list[DateExpr]) -> bool:
    """"~$38B (2025) → ~$58B (2026)": an arrow between two dates is a path into the future."""
    return any("→" in text[a.end:b.start] or "->" in text[a.end:b.start] for a, b in zip(dates, dates[1:]))


# --- kinds ----------------------------------------------------------------------------------------

def _words(*alternatives: str) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")


_AS_OF_CUES = frozenset({"as of", "as at"})
_START_CUES = frozenset({"since", "from", "starting"})
_BOUND_CUES = frozenset({"by", "through", "thru", "until", "till", "before", "no later than"})
HISTORY_BEFORE = 1950  # a date that ended before this year is history, whatever the wording

_FORECAST = _words(
    r"will", r"won't", r"shall", r"expect(?:s|ed|ing)?", r"anticipat(?:e|es|ed|ing)", r"forecast(?:s|ed|ing)?",
    r"projected", r"projecting", r"projections?", r"guid(?:e|es|ed|ing|ance)", r"outlook",
    r"plans", r"planned", r"planning", r"plan to", r"target(?:s|ed|ing)?", r"aim(?:s|ing)?", r"aim to",
    r"intends?", r"intended to", r"should", r"could(?! not)", r"might", r"likely", r"slated", r"scheduled",
    r"poised", r"set to", r"on (?:track|pace|course)", r"estimated to", r"to (?:reach|hit|exceed|surpass|grow"
    r"|double|triple|rise|fall|decline)", r"heading (?:to|toward|towards)", r"going to", r"upcoming",
    r"predict(?:s|ed)?", r"consensus", r"sold out (?:for|into)", r"booked (?:through|out|until|into)",
    r"due(?! to)")
_EVENT = _words(
    r"announced", r"launched", r"shipped", r"raised", r"acquired", r"released", r"signed", r"filed",
    r"published", r"unveiled", r"introduced", r"completed", r"hired", r"invested", r"debuted", r"founded",
    r"incorporated", r"listed", r"delisted", r"ipo'd", r"went public", r"agreed", r"merged", r"spun off",
    r"delivered", r"opened", r"began", r"started", r"won", r"awarded", r"approved", r"finali[sz]ed", r"issued",
    r"secured", r"partnered", r"formali[sz]ed", r"trademarked", r"appointed", r"became", r"joined", r"resigned",
    r"departed", r"retired", r"sued", r"settled", r"banned", r"imposed", r"lifted", r"overtook", r"surpassed",
    r"showed", r"demonstrated", r"proposed", r"replaced", r"taped out", r"entered", r"exited", r"bought",
    r"sold(?! out)", r"divested", r"terminated", r"cancell?ed", r"paused", r"halted", r"resumed", r"presented",
    r"revealed", r"disclosed", r"qualified", r"certified", r"commissioned", r"energi[sz]ed", r"inaugurated",
    r"broke ground", r"drove", r"led by", r"built", r"brought", r"struck", r"adopted", r"pushed", r"followed",
    r"paid", r"cut", r"erased", r"wiped", r"slashed", r"emerged", r"arrived", r"left", r"laid out", r"said",
    r"noted", r"warned", r"claimed", r"stated", r"wrote", r"argued")
# Nouns naming a happening: "IPO in Mar 2025", "the Sep 2025 deal". Unlike a past-tense verb they
# can be in the future ("an IPO expected in 2026").
_HAPPENING = _words(
    r"ipo", r"funding round", r"series [a-h]", r"acquisition", r"merger", r"keynote", r"deal", r"(?<!in )order",
    r"shock", r"podcast", r"interview", r"paper", r"article", r"blog", r"episode", r"webinar", r"conference",
    r"study", r"report", r"analysis", r"announcement")
# Past and perfect tense: a by/through date in such a unit closes a period; it is no deadline.
_PAST = _words(
    r"was", r"were", r"had", r"did", r"has", r"have", r"held", r"dropped", r"fell", r"rose", r"grew", r"declined",
    r"increased", r"decreased", r"jumped", r"surged", r"plunged", r"climbed", r"doubled", r"tripled", r"expanded",
    r"contracted", r"shrank", r"slowed", r"accelerated", r"improved", r"worsened", r"peaked", r"went", r"came",
    r"made", r"took", r"saw", r"lost", r"added", r"moved", r"shifted", r"switched")
# A level stated with a verb and a figure ("share stood at 17%"): what turns a dated record into
# a snapshot.
_STATIVE = re.compile(
    r"\b(?:is|are|was|were|held|holds|stood|stands|totall?ed|totals|reached|accounted for|represented"
    r"|commanded|remained|stayed|ran|traded|closed)"
    r"(?:\s+(?:at|about|around|roughly|near|nearly|over|under|above|below|just|only|some|almost))*"
    r"\s*[~≈<>$€£¥]*\d")
# Softer future: verbs in the present ("Rubin ships in H2 2026") and nouns of plans. Only the
# verbs turn a dated record into a forecast: "- Mar 2025 — CPO put on the roadmap" is an event.
_SOFT_FORECAST_VERB = _words(
    r"launches", r"launching", r"ship", r"ships", r"shipping", r"ramps", r"ramping", r"debuts", r"arrive",
    r"arrives", r"arriving", r"begin", r"begins", r"start", r"starts", r"sampling")
_SOFT_FORECAST_NOUN = _words(r"roadmap", r"pipeline", r"launch", r"ramp", r"debut", r"coming", r"est")
_MEASURE = _words(
    r"share", r"revenues?", r"sales", r"backlog", r"rpo", r"bookings", r"prices?", r"pricing", r"asps?", r"costs?",
    r"lead times?", r"capacity", r"margins?", r"market cap", r"market capitali[sz]ation", r"valuation",
    r"utili[sz]ation", r"run[- ]rate", r"arr", r"ebitda", r"ebit", r"income", r"profits?", r"earnings", r"eps",
    r"cash", r"debt", r"capex", r"spend(?:ing)?", r"headcount", r"inventor(?:y|ies)", r"yields?", r"output",
    r"production", r"shipments", r"installed base", r"tam", r"market size", r"users", r"customers",
    r"penetration", r"adoption", r"mix", r"supply", r"demand", r"stake", r"volumes?")


def classify(unit: Unit) -> tuple[str, DateExpr]:
    """(kind, governing expression) of one unit: the first rule that applies wins.

    a. Only history (decades, "between 1880 and 1890", anything ending before 1950) -> event.
    b. An "as of" / "as at" date -> snapshot [that date]: the writer stamped the measurement.
    c. Every date is an aside (a start point "since 2020" / "from 2024", a comparison base
       "vs 32% in 2000", a citation "Mamba (2023)") -> event: none of them dates the statement,
       so none can be aged. Asides never govern a unit that has other dates.
    d. Forward-looking words (will, expected, guided, target, sold out for, ...) -> forecast
       [the latest date]; except beside a past-tense happening with a single date, which is the
       happening's date, or when the only dates are exact days without a by/until cue ("the
       slowdown on Apr 28, 2025"), since things happen on days. Then an estimate (2026E) ->
       forecast [the latest estimate]. Then a by/through/until date in a unit not in the past or
       perfect tense -> forecast [the latest such date]; "had shipped 1M units by March 2025"
       closes a period instead.
    e. A happening (announced, launched, raised, said, an IPO, a deal, ...) -> event [the first
       date]: "raised $6.6B at a $157B valuation" is an event although it names a valuation.
    f. Softer future verbs (launches, ships, ramps, begins) or dates joined by arrows -> forecast
       [the latest]: "Rubin launches in H2 2026", "- H2 2026 — Vera Rubin ships".
    g. A dated record ("- Mar 19, 2025 — GTC keynote") -> event, unless it states a level
       ("share stood at 17%", "revenue reached ~$8.2B") -> snapshot [the latest].
       Otherwise nouns of plans (roadmap, pipeline, a launch in H2 2026) -> forecast [the latest].
    h. Exact days only, without a stated level -> event [the first]; otherwise a measured
       quantity (share, revenue, price, capacity, ...), a figure, or an "at" date -> snapshot
       [the latest].
    i. Anything else -> event [the first].

    Snapshots are governed by their latest date, not their first: "from 5% (2018) to 30% (early
    2026)" is as fresh as its newest figure, and a stale flag for 2018 would be noise.
    """
    wording = unit.wording
    dated = [d for d in unit.dates if not d.historical and d.last.year >= HISTORY_BEFORE]
    if not dated:
        return "event", unit.dates[0]
    as_of = [d for d in dated if d.cue in _AS_OF_CUES]
    if as_of:
        return "snapshot", as_of[0]
    measured = [d for d in dated if d.cue not in _START_CUES and d not in unit.asides]
    if not measured:
        return "event", dated[0]
    happened = _EVENT.search(wording)
    if _FORECAST.search(wording) and not (happened and len(measured) == 1) and not _only_days(measured):
        return "forecast", _latest(measured)
    happened = happened or _HAPPENING.search(wording)
    estimates = [d for d in measured if is_estimate(d)]
    if estimates:
        return "forecast", _latest(estimates)
    bounded = [d for d in measured if d.cue in _BOUND_CUES]
    if bounded and not (happened or _PAST.search(wording)):
        return "forecast", _latest(bounded)
    if happened:
        return "event", measured[0]
    if unit.trajectory or _SOFT_FORECAST_VERB.search(wording):
        return "forecast", _latest(measured)
    if unit.record:
        return ("snapshot", _latest(measured)) if _STATIVE.search(wording) else ("event", measured[0])
    if _SOFT_FORECAST_NOUN.search(wording):
        return "forecast", _latest(measured)
    if _only_days(measured) and not _STATIVE.search(wording):
        return "event", measured[0]
    if _MEASURE.search(wording) or _FIGURE.search(wording) or any(d.cue == "at" for d in measured):
        return "snapshot", _latest(measured)
    return "event", measured[0]


def _only_days(dates: Sequence[DateExpr]) -> bool:
    """Exact days without a by/until cue: something happened on them ("the slowdown on Apr 28,
    2025"); forward-looking words elsewhere in the unit are about something undated."""
    return all(d.first == d.last and d.cue not in _BOUND_CUES for d in dates)


def _latest(dates: Sequence[DateExpr]) -> DateExpr:
    """The latest-ending expression; the first of equals."""
    return max(dates, key=lambda d: d.last)

"""Date expressions in prose, for the claim pass of parse: claims.py hands `find_dates` the plain
text of a block and gets back every date phrase in it as an interval (first..last day) with the cue
word before it. Hand-written rather than dateparser/ctparse, because research notes are full of
numbers that look like years (tickers, model names, money, page numbers) and a closed grammar can
say no to them.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .model import made


@dataclass(frozen=True)
class DateExpr:
    text: str  # the date part as written ("Q1 FY2027"), without its cue word
    start: int  # offset of the expression in the input string
    end: int  # offset just past it
    first: dt.date  # interval start (inclusive)
    last: dt.date  # interval end (inclusive)
    cue: str | None  # lower-cased cue word right before it ("as of", "by", "through", "in", ...)
    historical: bool = False  # decades and "between 1880 and 1890" style periods


_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}


def parse_month(value: object) -> int | None:
    """A month as frontmatter writes it ("January", "Jan", 1, "1") -> 1..12, else None."""
    if isinstance(value, bool):  # YAML `yes` is a bool, and bool is an int
        return None
    if isinstance(value, int):
        return value if 1 <= value <= 12 else None
    if isinstance(value, str):
        word = value.strip().rstrip(".").lower()
        if word.isdigit():
            return parse_month(int(word))
        return _MONTHS.get(word)
    return None


# --- the grammar ----------------------------------------------------------------------------------
# Named alternatives, tried in this order at a start position: the first that matches wins, so
# longer forms come before the shorter forms they contain (ISO day before ISO month, year ranges
# before single years, "2026E" before a bare year). The name of the alternative that matched picks
# the function that turns it into an interval (_INTERVALS below).

HISTORY_BEFORE = 1950  # a date that ended before this year is history, whatever the wording
_Y4 = r"(?:1[89]\d\d|20\d\d)"  # four-digit years 1800-2099; anything else is a number
# Month names must be capitalised: "march", "may" and "sept" are also ordinary words.
_MON = (r"(?-i:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
        r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)(?![a-z])")
# A number glued to a word, money, a path or another number is not a year ("mid-2026" is fine).
_NUM_START = r"(?:(?<=\bmid-)|(?<=\bend-)|(?<=\bearly-)|(?<=\blate-)|(?<![\w$€£¥#.,/:+\-–]))"
_EST = r"(?:(?P<{0}>[EF])(?!\w)|(?!\w))"  # optional estimate suffix: 2026E, FY2027F

_ALTERNATIVES = [
    ("between", rf"\bbetween\s+(?P<bw1>{_Y4})\s+and\s+(?P<bw2>{_Y4})(?!\w)"),
    ("fromto", rf"\bfrom\s+(?P<ft1>{_Y4})\s+(?:to|until|through|till)\s+(?P<ft2>{_Y4})(?!\w)"),
    ("decade", r"(?:\b(?P<dcm>early|mid|late)[- ]?)?(?:\b(?P<dc>(?:1[89]|20)\d0)|['’](?P<dc2>\d0))s\b"),
    ("yearend", r"\b(?:YE|EOY|CYE)\s?['’]?(?P<ye>" + _Y4 + r"|\d\d)(?!\w)"),
    ("isoday", rf"(?P<idy>{_Y4})(?P<ids>[-/])(?P<idm>0[1-9]|1[0-2])(?P=ids)"
               r"(?P<idd>0[1-9]|[12]\d|3[01])(?![\w/-])"),
    ("numday", rf"(?P<nd1>\d{{1,2}})/(?P<nd2>\d{{1,2}})/(?P<ndy>{_Y4})(?![\w/])"),
    ("yrange", rf"(?P<ry1>{_Y4})(?:[EF])?(?:\s?[-–]\s?|—|/)(?P<ry2>{_Y4})"
               + _EST.format("rye")),
    ("isomonth", rf"(?P<imy>{_Y4})-(?P<imm>0[1-9]|1[0-2])(?![\w/-])"),
    ("yrange2", rf"(?P<rs1>{_Y4})(?:\s?[-–]\s?|/)(?P<rs2>\d\d)(?![\w/])"),
    ("monrange", rf"\b(?P<mr1>{_MON})\.?\s?[-–]\s?(?P<mr2>{_MON})\.?,?\s+(?P<mry>{_Y4}|['’]\d\d)(?!\w)"),
    ("mdy", rf"\b(?P<mdm>{_MON})\.?\s+(?P<mdd>\d{{1,2}})(?:st|nd|rd|th)?"
            rf"(?:\s?[-–]\s?(?P<mdd2>\d{{1,2}})(?:st|nd|rd|th)?)?,?\s+(?P<mdyy>{_Y4})(?!\w)"),
    ("dmy", rf"(?P<dmd>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<dmm>{_MON})\.?,?\s+"
            rf"(?P<dmyy>{_Y4})(?!\w)"),
    # "the June quarter of 2026", "June-quarter 2026": the three months that end in June
    ("monquarter", rf"\b(?P<mqm>{_MON})[- ]quarter\s+(?:of\s+)?(?P<mqy>{_Y4})(?!\w)"),
    ("monyear", rf"\b(?P<mom>{_MON})(?:\.?,?\s+(?:of\s+)?|\.?-|\.?\s?(?=['’]))(?P<moy>{_Y4}|['’]\d\d)(?!\w)"),
    ("season", rf"\b(?P<se>spring|summer|fall|autumn)\s+(?:of\s+)?(?P<sey>{_Y4})(?!\w)"),
    ("spelled", r"\b(?P<sqo>first|second|third|fourth|1st|2nd|3rd|4th)(?:\s+|-)(?P<squ>quarter|half)\s+(?:of\s+)?"
                r"(?:(?P<sqc>fiscal(?:\s+year)?|FY|calendar(?:\s+year)?|CY)\s*)?(?P<sqa>['’])?"
                rf"(?P<sqy>{_Y4}|\d\d)(?!\w)"),
    # Q3 2026, Q3'26, FQ1 2027, Q1 FY2027, Q1FY27, H2 2026, Q1-Q2 2026. A two-digit year needs an
    # apostrophe or an FY/CY marker, so that "H100" and "Q3 26%" stay what they are.
    # "fiscal Q4 2025" too: the word before the quarter marks it fiscal, as FQ4 does.
    ("period", r"(?<![\w$])(?:(?P<pfw>fiscal)\s+)?(?P<pf>F)?(?P<pk>[QH])(?P<pn>[1-4])(?:\s?[-–/]\s?F?[QH]?(?P<pn2>[1-4]))?"
               r"(?:\s*(?:of\s+)?(?P<pc>FY|CY|fiscal(?:\s+year)?|calendar(?:\s+year)?)\s*['’]?(?P<py1>"
               + _Y4 + r"|\d\d)|\s*['’]\s?(?P<py2>\d\d)|(?:\s+(?:of\s+)?|\s?-\s?)(?P<py3>" + _Y4 + r"))"
               + _EST.format("pe")),
    # 3Q26, 3Q 2026, 1QFY27, 2H26, 1H 2025, 2Q-3Q26
    # F1Q25, F4Q2025: an F before the number marks the fiscal calendar
    ("nperiod", r"(?<![\w$€£¥#.,/])(?P<nf>F)?(?P<nn>[1-4])(?P<nk>[QH])(?:\s?[-–]\s?(?P<nn2>[1-4])[QH]?)?"
                r"(?:\s*(?P<nc>FY|CY)\s*['’]?|\s*['’]\s?|\s?)(?P<ny>" + _Y4 + r"|\d\d)" + _EST.format("ne")),
    # FY26 Q1, FY2027 Q1, FY27 H2
    ("fyperiod", r"\b(?P<fqc>FY|CY)\s?['’]?(?P<fqy>" + _Y4 + r"|\d\d)\s*(?P<fqk>[QH])(?P<fqn>[1-4])(?!\w)"),
    # FY2026, FY26, FY 2026, FY'26, FY2026E, FY25-27, FY2025–FY2027, fiscal 2026, CY2026
    ("fiscal", r"\b(?P<fyc>FY|CY|fiscal(?:\s+year)?|calendar\s+year)\s?['’]?(?P<fyy>" + _Y4 + r"|\d\d)"
               r"(?:\s?[-–/]\s?(?:FY|CY)?\s?['’]?(?P<fyy2>" + _Y4 + r"|\d\d))?" + _EST.format("fye")),
    ("estyear", rf"(?P<ey>{_Y4})(?P<ee>[EF])(?!\w)"),
    ("year", rf"(?P<by>{_Y4})(?!\w)"),
]


# Forms that start with a number: a number glued to a word, money, a path or another number is not
# a year, so they share one _NUM_START test (written once, it is also checked once).
_NUMERIC_FORMS = frozenset({"isoday", "numday", "yrange", "isomonth", "yrange2", "dmy", "estyear", "year"})


# What each form's first characters must be: a guard the regex engine tests in one step before it
# enters the form, so that a try at "56%" or "Q3" skips most of the grammar cheaply. A guard only
# rejects what its form would reject, so the grammar matches exactly what it would without them.
_Y4_START = r"(?:1[89]|20)\d\d"
_GUARDS = {
    "between": "b", "fromto": "f", "decade": r"[eml12'’]", "yearend": "[yec]", "isoday": _Y4_START,
    "numday": r"\d{1,2}/", "yrange": _Y4_START, "isomonth": _Y4_START, "yrange2": _Y4_START,
    "monrange": "(?-i:[JFMASOND])", "mdy": "(?-i:[JFMASOND])", "dmy": r"\d{1,2}(?:st|nd|rd|th)?\s",
    "monyear": "(?-i:[JFMASOND])", "monquarter": "(?-i:[JFMASOND])", "season": "[sfa]", "spelled": "[fst1-4]", "period": "[fqh]",
    "nperiod": "f?[1-4]", "fyperiod": "[fc]", "fiscal": "[fc]", "estyear": _Y4_START, "year": _Y4_START,
}
_NUMERIC_GUARD = rf"(?:{_Y4_START}|\d{{1,2}}(?:/|(?:st|nd|rd|th)?\s))"  # any of _NUMERIC_FORMS


def _grammar(names: set[str]) -> str:
    """The pattern of the named forms, one alternative each (numeric forms share one guard)."""
    alternatives = [(name, f"(?={_GUARDS[name]})(?P<{name}>{body})") for name, body in _ALTERNATIVES if name in names]
    numeric = [pattern for name, pattern in alternatives if name in _NUMERIC_FORMS]
    others = [pattern for name, pattern in alternatives if name not in _NUMERIC_FORMS]
    if numeric:
        others.append(f"(?={_NUMERIC_GUARD})" + _NUM_START + "(?:" + "|".join(numeric) + ")")
    return "|".join(others)


_GRAMMAR = _grammar({name for name, _ in _ALTERNATIVES})  # a pattern, compiled only inside _SEARCH

# The grammar is tried only around year-like numbers, the anchors: a four-digit run 1800-2099, or
# a two-digit run (group 1) right after an apostrophe or a Q/H/FY/CY/YE mark ("Q3'26", "3Q26",
# "FY26"; checked in find_dates). "H100", "$2,026" and "2308" are none of these, so most prose
# with numbers costs one scan. No other number can be covered by an expression.
_ANCHOR = re.compile(r"\d(?<!\d\d)(?:(?<=1)[89]\d\d|(?<=2)0\d\d|(\d))(?!\d)")  # opens with \d: a fast scan
_SHORT_YEAR_MARK = re.compile(r"(?:['’]|[QqHh]|[FfCc][Yy]|[Yy][Ee]|[Oo][Yy])\s?['’]?$")
# Tokens where a match may start: numbers, apostrophes, months and the grammar's own words, each
# after a character that is no word character or apostrophe ("between 1880 and 1890", "the second
# half of 2026"). Skipping every other word ("in", "was", "revenue") keeps the grammar from being
# tried where it cannot match, which is most of its cost. Every alternative opens with a
# case-sensitive letter or class, which the regex engine tests before it enters the alternative.
_STARTER_WORDS = ("between", "from", "early", "mid", "late", "first", "second", "third", "fourth", "spring",
                  "summer", "fall", "autumn", "fiscal", "calendar", "fy", "cy", "ye", "eoy")
_STARTER_BODY = "|".join([r"\d", r"['’]\d", r"[Ff][QqHh][1-4]", r"[Ff][1-4][QqHh]", r"[QqHh][1-4]"]
                         + [f"[{w[0].upper()}{w[0]}](?i:{w[1:]})" for w in _STARTER_WORDS]
                         + "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())
# The whole grammar, tried only at start tokens: a token that no word character or apostrophe
# precedes (looking behind, so the start of the text is one too), then the first alternative that
# matches there. Compiled once: the 4 KB grammar takes 7-10 ms to compile, which a second,
# start-anchored copy would cost every process that re-checks an edited page.
_SEARCH = re.compile(rf"(?<![\w'’])(?=(?-i:{_STARTER_BODY}))(?:{_GRAMMAR})", re.IGNORECASE)

# How far before its first anchor an expression may start: "the first quarter of fiscal 2027"
# starts 25 characters before 2027. (An expression spans at most four start tokens up to its first
# anchor, "Mar 19-20, 2025", so no limit on their number is needed.)
_LOOKBACK = 40

# Cue words, matched on the words right before an expression (an optional "the" skipped).
_CUES = frozenset({"as of", "as at", "no later than", "up to", "by", "in", "through", "thru", "until", "till",
                   "since", "from", "during", "before", "after", "for", "at", "on", "of", "around", "circa",
                   "to", "into", "within", "ending", "ended", "starting", "over"})
# each cue as one shared string, so that the claims of a page carry (and pickle) one copy of it
_CUE_OBJECTS = {cue: cue for cue in _CUES}
_CUE_ENDS = frozenset(cue.rsplit(" ", 1)[-1] for cue in _CUES)  # last words of the cues
_PAIR_ENDS = frozenset(cue.split()[-1] for cue in _CUES if len(cue.split()) == 2)  # of, at, to
_OPENERS = "([{\"'“‘—–"  # stripped from the front of a word before it is read as a cue
# A bare year ("2025") counts only right after one of these (or in parentheses, or as "2025's").
_YEAR_CUES = _CUES - {"at", "on", "of", "to", "up to", "within", "over"}
# early/mid/late, end/year-end and start/beginning narrow the expression that follows them.
_MODIFIER = re.compile(r"\b(early|mid|late|end|year[- ]?end|start|beginning)(?:\s*-\s*|\s+of\s+(?:the\s+)?|\s+)$",
                       re.IGNORECASE)
_MODIFIER_WORDS = frozenset({"early", "mid", "late", "end", "year", "yearend", "start", "beginning"})
# Words and symbols after which a number is a page, an identifier or money, never a date.
_NOT_DATE_WORDS = frozenset({
    "p.", "pp.", "pg.", "no.", "nos.", "vol.", "fig.", "figs.", "ch.", "sec.", "tab.", "ver.", "ref.", "page",
    "pages", "number", "volume", "figure", "table", "section", "chapter", "item", "version", "ticker", "code",
    "iso", "rfc", "arxiv", "doi", "isbn", "issue", "patent", "sku", "route", "usd", "eur", "jpy", "rmb", "cny",
    "krw", "twd", "ntd", "hkd", "gbp", "inr"})
_MONEY = "$€£¥₩#§"
# Units after a number make it a count or a size: "2026 units", "1950-2050 MHz".
_UNIT = re.compile(
    r"\s?(?:units?|pcs|pieces|wafers?|nm|mm|cm|km|kg|tons?|tonnes?|[kMGT]Wh?|[kMGT]?Hz|[KMGTP]B|[GT]bps"
    r"|cores?|gpus?|cpus?|chips?|servers?|racks?|nodes?|employees|people|staff|workers|points|pts|bps"
    r"|shares|times|usd|dollars|yen|ft|feet|miles|sq)\b", re.IGNORECASE)
# Nouns that make the year before them a period: "the 2026 guide", "2025 revenue".
YEAR_NOUN = re.compile(
    r"\s(?:revenues?|sales|capex|guide|guidance|outlook|budget|targets?|estimates?|forecasts?|consensus|eps"
    r"|earnings|ebitda|margins?|results|plan|roadmap|shipments|deliveries|production|spend(?:ing)?|run[- ]rate"
    r"|exit|bookings|backlog|season|cohort|vintage)\b", re.IGNORECASE)  # not "the 2024 10-K": a document's name
# "every quarter of 2025", "the first nine months of 2025", "the rest of 2026": a part of a year.
_PERIOD_OF = re.compile(r"\b(?:quarters?|months|weeks|rest|remainder|balance|course)\s+of\s+(?:the\s+)?$",
                        re.IGNORECASE)
_NUMBER_AFTER = re.compile(r"[.,:/]\d|\s?%|-\d")


def find_dates(text: str, fiscal_year_end: int = 12) -> list[DateExpr]:
    """Every date expression in `text` (plain prose, code already removed), left to right, non-overlapping.

    Forms marked fiscal (FY2027, Q1 FY2027, FQ1 2027, fiscal 2027) follow `fiscal_year_end`, the
    month FY n ends in; every other form (Q1 2027, 2H26, 2027E, CY2027) is calendar.

    The text is scanned for anchors (year-like numbers) first; most prose has none and costs one
    scan. Then one search per expression finds the leftmost start token, at most _LOOKBACK
    characters before the next anchor, where the grammar matches across that anchor: the
    expression that covers it. A start the grammar rejects (no anchor covered, or a number that is
    money or a count) is rejected for every anchor, so the search moves on past it.
    """
    if text.isascii() and not ("2" in text or "1" in text or "0" in text or "9" in text or "8" in text
                               or "3" in text or "4" in text or "5" in text or "6" in text or "7" in text):
        return []  # no digit at all (memchr-fast); a regex scan costs ten times more
    anchors = [a.start() for a in _ANCHOR.finditer(text)
               if not a.lastindex or _SHORT_YEAR_MARK.search(text, a.start() - 4 if a.start() > 4 else 0, a.start())]
    if not anchors:
        return []
    fye = fiscal_year_end if isinstance(fiscal_year_end, int) and 1 <= fiscal_year_end <= 12 else 12
    found: list[DateExpr] = []
    count, i, pos = len(anchors), 0, 0  # anchors[i] is the first anchor at or after pos
    while True:
        while i < count and anchors[i] < pos:
            i += 1
        if i == count:
            return found
        lo = anchors[i] - _LOOKBACK
        if lo < pos:
            lo = pos
        match = _SEARCH.search(text, lo)
        if match is None:
            return found
        form = match.lastgroup
        start, end = match.start(form), match.end()
        while i < count and anchors[i] < start:
            i += 1
        if i == count:
            return found
        if anchors[i] >= end or start < anchors[i] - _LOOKBACK:  # covers no anchor, or too far before it
            pos = start + 1
            continue
        expr = _expression(match, form, start, end, text, fye)
        if expr is None:
            pos = start + 1
            continue
        prev = found[-1] if found else None
        # "Q3 2026–Q1 2027" and "Mar 2025 to Jun 2026" are one interval, not two dates
        if (prev is not None and expr.last > prev.last and not prev.historical and not expr.historical
                and _RANGE_JOIN.fullmatch(text, prev.end, expr.start)):
            found[-1] = _date_expr(text[prev.start:expr.end], prev.start, expr.end, prev.first, expr.last, prev.cue)
        else:
            found.append(expr)
        pos = end


def is_estimate(expr: DateExpr) -> bool:
    """`2026E`, `FY2027F`, `3Q26E`: the writer marked the period as an estimate."""
    text = expr.text  # a digit, then E or F, at the end
    return text[-1:] in ("E", "e", "F", "f") and text[-2:-1].isdecimal()


# --- one match -> one expression ------------------------------------------------------------------

def _expression(match: re.Match, form: str, start: int, end: int, text: str, fye: int) -> DateExpr | None:
    """The expression of one grammar match (alternative `form`, text[start:end]), or None when
    its context says it is no date."""
    if _NUMBER_AFTER.match(text, end):
        return None
    # a number after "p." or "$", or before "units", is a page, money or a count
    if form in _NUMERIC_FORMS and not _plausible_number(text, start, end):
        return None
    if form == "yrange" and _edition_range(text, start, end):
        return None
    key = (form, text[start:end], fye)
    interval = _INTERVAL_CACHE.get(key, False)
    if interval is False:
        interval = _INTERVALS[form](match, fye)
        if len(_INTERVAL_CACHE) >= 4096:
            _INTERVAL_CACHE.clear()
        _INTERVAL_CACHE[key] = interval
    if form == "fromto":  # "from" is the cue, not part of the expression
        start = match.start("ft1")
    before = text[start - 24 if start > 24 else 0:start]
    last_char = before[-1:]
    if last_char == "-" or last_char.isspace():  # else nothing can be a modifier or a cue
        lowered = before.lower()
        modifier = _modifier(text, start, before, lowered) if form != "decade" else None
        if modifier:
            start = modifier[0]
            cue = _cue(text[start - 24 if start > 24 else 0:start])
        else:
            cue = _cue(before, lowered) if last_char != "-" else None
    else:
        modifier = cue = None
    if form == "year" and not modifier and not _bare_year_ok(text, start, end, cue):
        return None
    if interval is None:
        return None
    first, last = _narrow(*interval, modifier[1]) if modifier else interval
    # a decade is a period of history; "between 2023 and 2025" is as recent as its years
    historical = form == "decade" or (form == "between" and last.year < HISTORY_BEFORE)
    return _date_expr(text[start:end], start, end, first, last, cue, historical)


# (form, matched text, fiscal year end) -> interval: the groups of a form's match are a function
# of the text it matched, and the same few dozen dates recur on every page. Bounded; a cache of a
# pure function, so parse stays pure.
_INTERVAL_CACHE: dict[tuple[str, str, int], tuple[dt.date, dt.date] | None] = {}


def _date_expr(text: str, start: int, end: int, first: dt.date, last: dt.date, cue: str | None,
               historical: bool = False) -> DateExpr:
    """DateExpr(...), made fast (see model.made): find_dates makes one per date of every page."""
    return made(DateExpr, {"text": text, "start": start, "end": end, "first": first, "last": last, "cue": cue,
                           "historical": historical})


# After a year range, words that make it a product's versions or editions: "Office 2013-2019 files".
_EDITION_NOUN = re.compile(r"\s(?:files?|formats?|editions?|versions?|releases?|sections?|documents?|installs?"
                           r"|installations?|apps?|clients?|servers?|packages?|drivers?|builds?)\b", re.IGNORECASE)


def _edition_range(text: str, start: int, end: int) -> bool:
    """"Office 2013-2019 files", "OneNote 2010-2016 Section": a run of years before a word such as
    files, formats or editions names a product's versions (VAULT-SPEC §1: not a date). A run of
    years after a company's name ("AMD 2025-2027 capex") stays a period."""
    return _EDITION_NOUN.match(text, end) is not None


def _plausible_number(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 12):start].rstrip()
    if before[-1:] and before[-1] in _MONEY:
        return False
    word = before.rsplit(None, 1)[-1].lower().rstrip(":") if before else ""
    if word in _NOT_DATE_WORDS:
        return False
    return not (text[end:end + 2].strip()[:1].isalpha() and _UNIT.match(text, end))


def _cue(before: str, lowered: str | None = None) -> str | None:
    """The cue phrase in the (up to three) words at the end of `before` (the 24 characters before
    an expression; `lowered` is it in lower case, when the caller has it), an optional "the"
    skipped; none when something is glued to the expression."""
    if not before[-1:].isspace():
        return None
    words = (lowered if lowered is not None else before.lower()).split()[-4:]
    count = len(words)
    last = words[-1].lstrip(_OPENERS) if count else ""
    if last == "the":  # "in the 1990s", "by the end of 2026"
        count -= 1
        last = words[count - 1].lstrip(_OPENERS) if count else ""
    if last not in _CUE_ENDS:
        return None
    # the longer cues first: "no later than", then "as of", "as at", "up to"
    if count >= 3 and last == "than":
        phrase = f"{words[count - 3].lstrip(_OPENERS)} {words[count - 2].lstrip(_OPENERS)} {last}"
        if phrase in _CUES:
            return _CUE_OBJECTS[phrase]
    if count >= 2 and last in _PAIR_ENDS:
        phrase = f"{words[count - 2].lstrip(_OPENERS)} {last}"
        if phrase in _CUES:
            return _CUE_OBJECTS[phrase]
    return _CUE_OBJECTS.get(last)


def _modifier(text: str, start: int, before: str, lowered: str) -> tuple[int, str] | None:
    """(offset, word) of the early/mid/late/end/start word before an expression, if any. `before`
    is the 24 characters before `start`, ending in a space or a hyphen (else there is none), and
    `lowered` is it in lower case."""
    if not ("end" in lowered or "mid" in lowered or "early" in lowered or "late" in lowered or "start" in lowered
            or "year" in lowered or "beginning" in lowered):
        return None  # the cheap test: _MODIFIER needs one of its words
    words = lowered.replace("-", " ").split()[-3:]
    if not _MODIFIER_WORDS.intersection(word.lstrip("([{\"'“‘") for word in words):
        return None
    found = _MODIFIER.search(before)
    return (start - len(before) + found.start(), found.group(1).lower()) if found else None


def _bare_year_ok(text: str, start: int, end: int, cue: str | None) -> bool:
    """A lone year is a date only after a cue word ("in 2025"), before a reporting noun ("2026 guide",
    "2025 revenue"), in parentheses ("(2025)", "(BofA, 2030)") or as "2025's". A table cell holding
    only "2025" is not one: tables hold tickers and counts too, and a header cell dates nothing."""
    if cue in _YEAR_CUES or (cue == "of" and _PERIOD_OF.search(text, max(0, start - 40), start)):
        return True
    after = text[end:end + 2]
    if after[:1] in ("'", "’") and after[1:2].lower() == "s":
        return True
    if YEAR_NOUN.match(text, end):
        return True
    if after[:1] in (")", ","):
        before = text[max(0, start - 2):start]
        if before.endswith("("):
            return True
        opening = text.rfind("(", 0, start)
        # "(BofA, 2030)": a source and its year; "(Computex 2025)" is a name, not a date
        return (before == ", " and opening >= 0 and ")" not in text[opening:start]
                and not any(c.isdigit() for c in text[opening:start]))
    return False


# --- intervals ------------------------------------------------------------------------------------
# Periods are counted in months, as absolute month numbers (year * 12 + month - 1), so a quarter of
# a fiscal year that starts in February is plain arithmetic.

_DAY = dt.timedelta(days=1)


def _months(first: int, count: int) -> tuple[dt.date, dt.date]:
    """`count` whole months from absolute month `first`."""
    after = first + count
    return dt.date(first // 12, first % 12 + 1, 1), dt.date(after // 12, after % 12 + 1, 1) - _DAY


def _month_number(date: dt.date) -> int:
    return date.year * 12 + date.month - 1


def _year(digits: str) -> int:
    """Two-digit years are always 20xx ("3Q26" is 2026)."""
    digits = digits.lstrip("'’")
    return int(digits) if len(digits) == 4 else 2000 + int(digits)


def _year_start(year: int, fiscal: bool, fye: int) -> int:
    """First month of calendar year `year`, or of FY`year`, which ends in month `fye` of `year`."""
    return (year - 1) * 12 + fye if fiscal else year * 12


def _years(first: int, last: int, fiscal: bool = False, fye: int = 12):
    """Calendar or fiscal years `first` through `last`; None when the run goes backwards."""
    if last < first:
        return None
    start = _year_start(first, fiscal, fye)
    return _months(start, (last - first + 1) * 12)


def _periods(year: int, size: int, first: int, last: int | None, fiscal: bool, fye: int):
    """Quarters (size 3) or halves (size 6) `first`..`last` of a calendar or fiscal year
    ("Q1-Q3 2026"); None for a fifth quarter, a third half or a run that goes backwards."""
    last = last or first
    if last < first or last * size > 12:
        return None
    return _months(_year_start(year, fiscal, fye) + size * (first - 1), size * (last - first + 1))


def _is_fiscal(marker: str | None) -> bool:
    return bool(marker) and marker.lower().startswith(("fy", "fiscal"))


def _day(year: int, month: int, day: int):
    try:
        date = dt.date(year, month, day)
    except ValueError:  # Feb 30 and friends
        return None
    return date, date


def _decade(m, fye):
    if m["dc"]:
        start = int(m["dc"])
    else:  # '90s is the 1990s, '20s the 2020s
        tens = int(m["dc2"])
        start = (2000 if tens < 30 else 1900) + tens
    low, high = {"early": (0, 3), "mid": (4, 6), "late": (7, 9)}.get((m["dcm"] or "").lower(), (0, 9))
    return dt.date(start + low, 1, 1), dt.date(start + high, 12, 31)


def _numeric_day(m, fye):
    """3/15/2026 (US order) or 15/3/2026 when the first number cannot be a month."""
    a, b = int(m["nd1"]), int(m["nd2"])
    month, day = (a, b) if a <= 12 else (b, a)
    return _day(int(m["ndy"]), month, day) if month <= 12 else None


def _short_year_range(m, fye):
    """2026-27, 2022–23, 2025/26: the second year shares the first one's century."""
    first = int(m["rs1"])
    return _years(first, first // 100 * 100 + int(m["rs2"])) if int(m["rs2"]) > first % 100 else None


def _month_range(m, fye):
    year = _year(m["mry"])
    first, last = _MONTHS[m["mr1"].lower()], _MONTHS[m["mr2"].lower()]
    return _months(year * 12 + first - 1, last - first + 1) if last > first else None


def _month_day_year(m, fye):
    """Mar 19, 2025, and the day range Mar 19-20, 2025."""
    year, month = int(m["mdyy"]), _MONTHS[m["mdm"].lower()]
    first, last = _day(year, month, int(m["mdd"])), _day(year, month, int(m["mdd2"] or m["mdd"]))
    if first is None or last is None or last[0] < first[0]:
        return None
    return first[0], last[0]


_SEASONS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9}  # meteorological, northern hemisphere
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}


def _spelled(m, fye):
    """"the second half of 2026", "the first quarter of fiscal 2027"."""
    if len(m["sqy"]) == 2 and not (m["sqc"] or m["sqa"]):
        return None
    size = 3 if m["squ"].lower() == "quarter" else 6
    ordinal = _ORDINALS.get(m["sqo"].lower())  # None for "firſt", which (?i) lets through
    return _periods(_year(m["sqy"]), size, ordinal, None, _is_fiscal(m["sqc"]), fye) if ordinal else None


def _prefixed_period(m, fye):
    """Q3 2026, FQ1 2027, Q1 FY2027, H2 2026, Q1-Q2 2026."""
    size = 3 if m["pk"].lower() == "q" else 6
    fiscal = bool(m["pf"] or m["pfw"]) or _is_fiscal(m["pc"])
    last = int(m["pn2"]) if m["pn2"] else None
    return _periods(_year(m["py1"] or m["py2"] or m["py3"]), size, int(m["pn"]), last, fiscal, fye)


def _numbered_period(m, fye):
    """3Q26, 1QFY27, 2H 2026, 2Q-3Q26, F1Q25."""
    size = 3 if m["nk"].lower() == "q" else 6
    last = int(m["nn2"]) if m["nn2"] else None
    return _periods(_year(m["ny"]), size, int(m["nn"]), last, bool(m["nf"]) or _is_fiscal(m["nc"]), fye)


def _fiscal_year(m, fye):
    """FY2026 (fiscal calendar), CY2026 (calendar), and runs of them ("FY25-27")."""
    if m["fyc"].lower().startswith(("fiscal", "calendar")) and len(m["fyy"]) == 2:
        return None  # "fiscal 26" is too loose; "fiscal 2026" is fine
    first = _year(m["fyy"])
    return _years(first, _year(m["fyy2"]) if m["fyy2"] else first, _is_fiscal(m["fyc"]), fye)


_INTERVALS = {
    "between": lambda m, fye: _years(int(m["bw1"]), int(m["bw2"])) if m["bw2"] != m["bw1"] else None,
    "fromto": lambda m, fye: _years(int(m["ft1"]), int(m["ft2"])) if m["ft2"] != m["ft1"] else None,
    "decade": _decade,
    "yearend": lambda m, fye: _months(_year(m["ye"]) * 12 + 11, 1),
    "isoday": lambda m, fye: _day(int(m["idy"]), int(m["idm"]), int(m["idd"])),
    "numday": _numeric_day,
    "yrange": lambda m, fye: _years(int(m["ry1"]), int(m["ry2"])) if m["ry2"] != m["ry1"] else None,
    "isomonth": lambda m, fye: _months(int(m["imy"]) * 12 + int(m["imm"]) - 1, 1),
    "yrange2": _short_year_range,
    "monrange": _month_range,
    "mdy": _month_day_year,
    "dmy": lambda m, fye: _day(int(m["dmyy"]), _MONTHS[m["dmm"].lower()], int(m["dmd"])),
    "monquarter": lambda m, fye: _months(_year(m["mqy"]) * 12 + _MONTHS[m["mqm"].lower()] - 3, 3),
    "monyear": lambda m, fye: _months(_year(m["moy"]) * 12 + _MONTHS[m["mom"].lower()] - 1, 1),
    "season": lambda m, fye: (_months(int(m["sey"]) * 12 + _SEASONS[m["se"].lower()] - 1, 3)
                              if m["se"].lower() in _SEASONS else None),  # not "ſummer"
    "spelled": _spelled,
    "period": _prefixed_period,
    "nperiod": _numbered_period,
    "fyperiod": lambda m, fye: _periods(_year(m["fqy"]), 3 if m["fqk"].lower() == "q" else 6, int(m["fqn"]), None,
                                        _is_fiscal(m["fqc"]), fye),
    "fiscal": _fiscal_year,
    "estyear": lambda m, fye: _years(int(m["ey"]), int(m["ey"])),
    "year": lambda m, fye: _years(int(m["by"]), int(m["by"])),
}


def _narrow(first: dt.date, last: dt.date, modifier: str) -> tuple[dt.date, dt.date]:
    """early/mid/late take the first/middle/last third of the months (early 2026 = Jan-Apr);
    end and year-end the last month, start and beginning the first. A single month is cut into
    days 1-10, 11-20 and 21-end instead; a single day stays as it is."""
    if first == last:
        return first, last
    start, months = _month_number(first), _month_number(last) - _month_number(first) + 1
    if months == 1:
        cuts = {"early": (1, 10), "start": (1, 10), "beginning": (1, 10), "mid": (11, 20)}
        low, high = cuts.get(modifier, (21, last.day))
        return first.replace(day=low), first.replace(day=high)
    if modifier in ("start", "beginning"):
        return _months(start, 1)
    if modifier not in ("early", "mid", "late"):  # end, year-end
        return _months(start + months - 1, 1)
    third = round(months / 3)
    offset = {"early": 0, "mid": third, "late": 2 * third}[modifier]
    return _months(start + offset, third if modifier != "late" else months - 2 * third)


# --- ranges written as two expressions ------------------------------------------------------------

_RANGE_JOIN = re.compile(r"\s?[-–]\s?|\s+(?:to|through)\s+")


def as_date(value: object) -> dt.date | None:
    """A frontmatter date: a YAML date, or an ISO string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None

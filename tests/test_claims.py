"""Dated claims: the labelled pages in fixtures/claims/, then units, kinds, as_of fields, verdicts
and messages one rule at a time. Every judgement is made on 2026-11-22 with a 180-day max age."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from compiler.claims import Claim, extract_claims, message, verdict
from compiler.dates import parse_month
from compiler.model import TextBlock

FIXTURES = Path(__file__).parent / "fixtures" / "claims"
TODAY = dt.date(2026, 11, 22)
MAX_AGE = 180
LABEL = re.compile(r"\s*<!--\s*expect:\s*(.*?)\s*-->\s*")
DELIMITER_ROW = re.compile(r"\|?[-:| ]+\|?")


# --- the labelled pages ---------------------------------------------------------------------------

def read_page(path: Path) -> tuple[list[TextBlock], int, dict[int, str]]:
    """(one TextBlock per body line, fiscal year end, expected label per file line): a tiny stand-in
    for parse.py that does what it does to prose — code spans blanked, links shown by their text,
    HTML comments dropped, list markers and table pipes removed."""
    lines = path.read_text(encoding="utf-8").split("\n")
    close = lines.index("---", 1)
    meta = dict(line.split(":", 1) for line in lines[1:close])
    fye = parse_month(meta["fiscal_year_end"].strip()) if "fiscal_year_end" in meta else 12
    blocks, labels = [], {}
    for number, raw in enumerate(lines[close + 1:], close + 2):
        label = LABEL.search(raw)
        if label:
            labels[number] = label.group(1)
        text = LABEL.sub(" ", raw).strip()
        text = re.sub(r"`[^`]*`", " ", text)
        text = re.sub(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]", r"\1", text)
        fields = tuple((k.strip(), v.strip()) for k, v in re.findall(r"\[([\w ]+)::([^\]]*)\]", text))
        if not text or DELIMITER_ROW.fullmatch(text):
            continue
        if text.startswith("#"):
            blocks.append(TextBlock(number, "heading", text.lstrip("# ")))
        elif text.startswith("- "):
            blocks.append(TextBlock(number, "list_item", text[2:], fields))
        elif text.startswith("|"):
            cells = " | ".join(cell.strip() for cell in text.strip("|").split("|"))
            blocks.append(TextBlock(number, "table_row", cells, fields))
        else:
            blocks.append(TextBlock(number, "paragraph", text, fields))
    return blocks, fye, labels


def judged(claims: list[Claim]) -> dict[int, str]:
    """file line -> "verdict kind" of each claim on it, "; "-joined, in the labels' format."""
    out: dict[int, list[str]] = {}
    for claim in claims:
        out.setdefault(claim.line, []).append(f"{verdict(claim, TODAY, MAX_AGE)} {claim.kind}")
    return {line: "; ".join(found) for line, found in out.items()}


PAGES = sorted(FIXTURES.glob("*.md"))


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_every_labelled_line_gets_its_verdict(path):
    blocks, fye, labels = read_page(path)
    got = judged(extract_claims(blocks, fye))
    wrong = {line: (want, got.get(line, "none")) for line, want in labels.items() if got.get(line, "none") != want}
    assert wrong == {}
    assert set(got) <= set(labels), "a claim on an unlabelled line"


def test_the_labelled_page_covers_enough_ground():
    blocks, fye, labels = read_page(FIXTURES / "labelled.md")
    assert fye == 1  # fiscal_year_end: January
    kinds = " ".join(labels.values())
    claim_lines = [line for line, label in labels.items() if label != "none"]
    assert len(claim_lines) >= 60
    assert all(k in kinds for k in ("stale snapshot", "ok snapshot", "overdue forecast", "ok forecast", "ok event"))
    section = [b.line for b in blocks if b.kind == "heading" and b.text.startswith("Looks like a date")][0]
    decoys = [line for line, label in labels.items() if label == "none" and line > section and line in
              {b.line for b in blocks if b.kind == "list_item"}]
    assert len(decoys) >= 15


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_every_body_line_carries_a_label(path):
    lines = path.read_text(encoding="utf-8").split("\n")
    body = lines[lines.index("---", 1) + 1:]
    unlabelled = [l for l in body if l.strip() and not LABEL.search(l) and not DELIMITER_ROW.fullmatch(l.strip())]
    assert unlabelled == []


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_the_real_parser_gives_the_same_verdicts(path):
    pytest.importorskip("markdown_it")
    pytest.importorskip("frontmatter")
    from compiler.parse import parse_page

    _, _, labels = read_page(path)
    got = judged(list(parse_page(path.name, path.read_text(encoding="utf-8")).claims))
    assert {line: got.get(line, "none") for line in labels} == labels


def test_fiscal_quarters_end_where_the_year_end_says():
    blocks = [TextBlock(5, "paragraph", "Revenue was $12.4B in Q1 FY2027.")]
    nvidia, calendar = extract_claims(blocks, 1)[0], extract_claims(blocks, 12)[0]
    assert (nvidia.start, nvidia.end) == (dt.date(2026, 2, 1), dt.date(2026, 4, 30))
    assert (calendar.start, calendar.end) == (dt.date(2027, 1, 1), dt.date(2027, 3, 31))
    assert verdict(nvidia, TODAY, MAX_AGE) == "stale" and verdict(calendar, TODAY, MAX_AGE) == "ok"


# --- units ----------------------------------------------------------------------------------------

def claims_of(text: str, kind: str = "paragraph", line: int = 10, fields=(), fye: int = 12) -> list[Claim]:
    return extract_claims([TextBlock(line, kind, text, tuple(fields))], fye)


def test_a_paragraph_is_split_into_sentences_with_their_own_lines():
    text = ("Revenue was $10B in Q2 2025. Guidance calls\nfor $16B in Q4 2026! Analysts agree.\n"
            "HBM supply stays tight through 2027.")
    claims = claims_of(text, line=20)
    assert [(c.line, c.expression, c.kind) for c in claims] == [
        (20, "Q2 2025", "snapshot"), (20, "Q4 2026", "forecast"), (22, "2027", "forecast")]
    assert claims[1].text == "Guidance calls for $16B in Q4 2026!"


@pytest.mark.parametrize("text", [
    "U.S. capex rose 40% in 2025.", "Revenue was $4B in Mar. 2026 per the filing.", "J. Huang said so in Mar 2025.",
    "Capex (e.g. Meta's) doubled in 2025.", "Sales were $4.5B vs. $3B in 2025.",
])
def test_abbreviations_do_not_end_a_sentence(text):
    assert [c.text for c in claims_of(text)] == [text]


def test_a_list_item_or_table_row_is_one_unit():
    item = claims_of("Revenue was $10B in Q2 2025. It grew in Q3 2025.", kind="list_item")
    row = claims_of("Q4 FY2026 | $11.8B | 66%", kind="table_row")
    assert len(item) == 1 and item[0].expression == "Q3 2025"
    assert [(c.text, c.kind, c.expression) for c in row] == [("Q4 FY2026 | $11.8B | 66%", "snapshot", "Q4 FY2026")]


def test_headings_and_undated_units_are_not_claims():
    assert claims_of("Outlook for 2027", kind="heading") == []
    assert claims_of("Margins are high. Demand is strong.") == []


def test_claim_text_is_collapsed_and_trimmed():
    long = "Revenue was $44B in Q1 2026 and " + "the mix kept shifting " * 30
    claim = claims_of(long.replace(" and ", "\n  and "))[0]
    assert len(claim.text) == 300 and claim.text.endswith("…") and "\n" not in claim.text and "  " not in claim.text


def test_extract_claims_is_pure_and_in_line_order():
    blocks = [TextBlock(9, "list_item", "Rubin ships in H2 2026."),
              TextBlock(3, "paragraph", "Sales were $1B in 2025.")]
    assert [c.line for c in extract_claims(blocks)] == [3, 9]
    assert extract_claims(blocks) == extract_claims(blocks)


# --- as_of fields ---------------------------------------------------------------------------------

def test_an_inline_as_of_field_overrides_the_date():
    claim, = claims_of("Share 38% in Q2 2026 [as_of:: 2026-02]", kind="list_item", fields=[("as_of", "2026-02")])
    assert (claim.kind, claim.expression, claim.start, claim.end, claim.explicit) == (
        "snapshot", "2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28), True)
    assert "as_of" not in claim.text and claim.text == "Share 38% in Q2 2026"


def test_an_as_of_field_line_dates_only_the_units_on_its_line():
    text = "Backlog is $55B. Margins are 70%. as_of:: Q1 2026\nRevenue grew in 2025."
    claims = claims_of(text, line=4, fields=[("as_of", "Q1 2026")])
    assert [(c.line, c.expression, c.explicit) for c in claims] == [
        (4, "Q1 2026", True), (4, "Q1 2026", True), (5, "2025", False)]


def test_an_as_of_field_missing_from_the_text_dates_the_whole_block():
    claims = claims_of("Share 38%, up from 30%.", kind="list_item", fields=[("As Of", "March 2026")])
    assert [(c.expression, c.explicit) for c in claims] == [("March 2026", True)]


def test_an_unreadable_as_of_value_is_ignored():
    assert claims_of("Share 38% [as_of:: soon]", kind="list_item", fields=[("as_of", "soon")]) == []


# --- kinds ----------------------------------------------------------------------------------------

KINDS = [
    # as of makes a snapshot, whatever else the sentence says
    ("As of March 2026, SK hynix held 62% of HBM.", "snapshot", "March 2026"),
    ("As of Q1 2026, the company expects FY2027 revenue of $300B.", "snapshot", "Q1 2026"),
    # forward-looking words beat measured nouns
    ("Revenue is expected to reach $200B in 2027.", "forecast", "2027"),
    ("Backlog will convert to revenue by Q4 2027.", "forecast", "Q4 2027"),
    ("Capex was guided to $660B for 2026, double 2025.", "forecast", "2026"),
    ("HBM is sold out through 2026.", "forecast", "2026"),
    ("Margins of 70% in 2025E and 72% in 2026E.", "forecast", "2026E"),
    ("Databricks is at $5.4B ARR, with an IPO expected in 2026.", "forecast", "2026"),
    ("NVIDIA announced on Mar 18, 2025 that Rubin will ship in H2 2026.", "forecast", "H2 2026"),
    ("The X9 launches in H2 2026.", "forecast", "H2 2026"),
    ("~$38B (2025) → ~$58B (2026) → ~$100B (2028).", "forecast", "2028"),
    ("Vera Rubin's launch in H2 2026 sets the pace.", "forecast", "H2 2026"),
    # a past happening beats a measured noun, and owns a lone date beside forward words
    ("OpenAI raised $6.6B at a $157B valuation in Oct 2024.", "event", "Oct 2024"),
    ("Hyperscalers raised $108B of debt in 2025, with projections of $1.5T to come.", "event", "2025"),
    ("CoreWeave IPO in March 2025 at ~$35B.", "event", "March 2025"),
    ("Lisa Su said in Mar 2026 that CPU demand beat her plan.", "event", "Mar 2026"),
    # by/until in the past closes a period
    ("By March 2025 Testco had shipped 1M units.", "event", "March 2025"),
    ("Prices held at $410 through 2025.", "snapshot", "2025"),
    # starts, comparison bases and citations never govern; alone they are events
    ("Transformer prices are up 60–80% since January 2020.", "event", "January 2020"),
    ("Only 7% is debt-funded, against 32% in the 2000 telecom boom.", "event", "2000"),
    ("Chinchilla (2022) set ~20 tokens per parameter.", "event", "2022"),
    ("Share rose from 5% (2018) to 30% (early 2026).", "snapshot", "early 2026"),
    ("Revenue grew 78% in Q4 FY2025 versus Q4 FY2024.", "snapshot", "Q4 FY2025"),
    # history is an event
    ("The railroads laid 70,400 miles between 1880 and 1890.", "event", "between 1880 and 1890"),
    ("A third of US mileage was in receivership by 1895.", "event", "1895"),
    ("The 1990s telecom boom destroyed $2T.", "event", "1990s"),
    # measured states: the latest date governs
    ("Revenue was $44B in Q1 FY2027.", "snapshot", "Q1 FY2027"),
    ("Share was 50% in 2024 and 62% in Q2 2025.", "snapshot", "Q2 2025"),
    ("Lead times at end-2025 ran 120 weeks.", "snapshot", "end-2025"),
    ("The shares closed at $214 on 2026-05-29.", "snapshot", "2026-05-29"),
    # exact days name happenings; undated prose with no figure is an event
    ("The 1.5GW slowdown on Apr 28, 2025 shows how a pause gets misread.", "event", "Apr 28, 2025"),
    ("The conference moved to Taipei in 2026.", "event", "2026"),
    # a past progressive is no future: "were shipping" states what was, a measured level
    ("Two custom parts were shipping in volume; 12 design wins were logged in 2025.", "snapshot", "2025"),
    ("Both parts were still ramping through Q2 2025.", "event", "Q2 2025"),
    # a level a share of a population had reached by a date closes a period: a snapshot
    ("DPO (used by 70% of labs by 2025) is the default.", "snapshot", "2025"),
    ("The format, adopted across 40% of fleets by 2025, stuck.", "snapshot", "2025"),
    ("Revenue reached $9B by 2025.", "snapshot", "2025"),
    # a happening verb after "be" has not happened: the forward word decides
    ("Gartner expects 40% of agent projects to be cancelled by 2027.", "forecast", "2027"),
    ("Analysts expect the shortage to last until new halls can be commissioned in 2027.", "forecast", "2027"),
]


@pytest.mark.parametrize("text, kind, expression", KINDS, ids=[k[0][:40] for k in KINDS])
def test_kind_and_governing_expression(text, kind, expression):
    claim, = claims_of(text)
    assert (claim.kind, claim.expression) == (kind, expression)


RECORDS = [
    ("Mar 19, 2025 — GTC 2025 laid out the Rubin roadmap.", "event"),
    # a measured value on a timeline row is a snapshot (VAULT-SPEC §1: "June 2024 — list price $25 per hour")
    ("Q2 2025 — share: SK hynix 62%, Micron 21%, Samsung 17%.", "snapshot"),
    ("June 2024 — list price $25 per hour", "snapshot"),
    ("Q2 2025 — HBM share stood at 17%, third of three.", "snapshot"),
    ("In 2025, revenue was $9B.", "snapshot"),
    ("H2 2026 — Vera Rubin NVL72 ships.", "forecast"),
    ("Q3 2026 — HBM4 volume is scheduled to begin.", "forecast"),
    ("Late 2025 — the X8 taped out.", "event"),
    # forward words on a log line dated by a bound make a forecast, even beside a past verb
    ("Through end-2026 — analysts expect the shortage to persist, pacing how fast halls can be commissioned.",
     "forecast"),
    ("Through end-2026 — Testco expects tight supply, having signed two new vendors.", "forecast"),
    ("Mar 2026 — Lisa Su said demand is expected to beat supply.", "event"),
    # present tense narrates a log entry stamped with a month or a day: an event
    ("Mar 2025 — Testco ships the X7.", "event"),
    ("Sep 9, 2025 — Testco begins volume output.", "event"),
    ("Mar 2025 — Testco ships the X7; the X9 follows in H2 2026.", "forecast"),
]


@pytest.mark.parametrize("text, kind", RECORDS, ids=[r[0][:30] for r in RECORDS])
def test_dated_log_lines_are_events_unless_worded_otherwise(text, kind):
    assert claims_of(text, kind="list_item")[0].kind == kind


def test_a_claim_keeps_the_cue_of_its_governing_expression():
    through, = claims_of("Supply stays tight through Q2 2026.")
    estimate, = claims_of("2026E margins are 72%.")
    field, = claims_of("Share 38% [as_of:: 2026-02]", kind="list_item", fields=[("as_of", "2026-02")])
    assert (through.cue, estimate.cue, field.cue) == ("through", "", "as of")
    assert message(through, "overdue", TODAY, MAX_AGE) == "forecast 'through Q2 2026' ended 2026-06-30"
    assert message(estimate, "ok", TODAY, MAX_AGE) == "forecast '2026E' ends 2026-12-31"


def test_a_table_row_of_words_with_a_date_cell_is_a_record():
    record, = claims_of("Datacenter Anatomy Part 2: Cooling | Feb 13, 2025 | cooling", kind="table_row")
    data, = claims_of("Feb 2025 | $2.50 per million tokens", kind="table_row")
    assert (record.kind, data.kind) == ("event", "snapshot")


# --- verdicts and messages ------------------------------------------------------------------------

def claim(kind: str, end: dt.date, expression: str = "Mar 2026", text: str = "", explicit: bool = False) -> Claim:
    return Claim(1, text or f"x {expression}", expression, kind, end.replace(day=1), end, explicit)


def test_snapshot_is_stale_only_past_its_max_age():
    edge = TODAY - dt.timedelta(days=MAX_AGE)
    assert verdict(claim("snapshot", edge), TODAY, MAX_AGE) == "ok"
    assert verdict(claim("snapshot", edge - dt.timedelta(days=1)), TODAY, MAX_AGE) == "stale"
    assert verdict(claim("snapshot", edge - dt.timedelta(days=1)), TODAY, MAX_AGE + 1) == "ok"


def test_forecast_is_overdue_once_its_interval_has_ended():
    assert verdict(claim("forecast", TODAY), TODAY, MAX_AGE) == "ok"
    assert verdict(claim("forecast", TODAY - dt.timedelta(days=1)), TODAY, MAX_AGE) == "overdue"


def test_events_are_never_flagged():
    assert verdict(claim("event", dt.date(1990, 1, 31)), TODAY, 1) == "ok"


def test_messages():
    stale = claim("snapshot", dt.date(2026, 3, 31))
    assert message(stale, "stale", TODAY, MAX_AGE) == "snapshot as of Mar 2026 is 236 days old (max 180)"
    overdue = claim("forecast", dt.date(2026, 6, 30), "Q2 2026", "Supply stays tight through Q2 2026.")
    assert message(overdue, "overdue", TODAY, MAX_AGE) == "forecast 'through Q2 2026' ended 2026-06-30"
    upcoming = claim("forecast", dt.date(2026, 12, 31), "2026E", "2026E margins are 72%.")
    assert message(upcoming, "ok", TODAY, MAX_AGE) == "forecast '2026E' ends 2026-12-31"
    explicit = claim("snapshot", dt.date(2026, 11, 21), "2026-11-21", "Share 38%", explicit=True)
    assert message(explicit, "ok", TODAY, MAX_AGE) == "snapshot as of 2026-11-21 (as_of field) is 1 day old (max 180)"
    future = claim("snapshot", dt.date(2026, 12, 31), "Q4 2026")
    assert message(future, "ok", TODAY, MAX_AGE) == "snapshot as of Q4 2026 runs until 2026-12-31"
    event = claim("event", dt.date(2025, 3, 19), "Mar 19, 2025")
    assert message(event, "ok", TODAY, MAX_AGE) == "event dated Mar 19, 2025"


def test_a_long_log_entry_takes_its_kind_from_the_words_around_its_date():
    """A work log's dated entry is an event even when, far from its date, it says what comes
    next ("we will"): 122 such entries of a 1,875-page log were flagged overdue. A long item is
    read as prose, a claim per dated sentence."""
    from compiler.parse import parse_page

    entry = ("- 2026-05-12 · audit and fixes, deployed. " + "Reviewed the logs and the dashboards for the team. " * 6
             + "Next we will ship the new pipeline and plan the migration.\n")
    assert [(c.kind, c.expression) for c in parse_page("log.md", entry).claims] == [("event", "2026-05-12")]
    item = ("- **The revenue gap.** Operators need ~$600B a year of AI revenue to earn back the spend, a gap "
            "that tripled since late 2023; JPMorgan puts the bar for a 10% return at $650B. The gap matters to "
            "lenders and to the neoclouds' shareholders alike. About $400-500B went into AI infrastructure in "
            "2024 against roughly $100B of AI-services revenue.\n")
    claims = parse_page("gap.md", item).claims
    assert [(c.kind, c.expression) for c in claims] == [("event", "late 2023"), ("snapshot", "2024")]
    short = "- Sold out through Q2 2026. Demand will stay high.\n"  # a short item is read whole
    assert [c.kind for c in parse_page("a.md", short).claims] == ["forecast"]


def test_going_to_a_destination_is_no_future():
    from compiler.parse import parse_page

    text = ("Capex hit $148B in Q1 2026, with much of it going to industrial plant rather than chips.\n\n"
            "Nvidia is going to ship Rubin in H2 2026.\n")
    assert [(c.kind, c.expression) for c in parse_page("a.md", text).claims] == [
        ("snapshot", "Q1 2026"), ("forecast", "H2 2026")]


@pytest.mark.parametrize("text, kind, end", [
    ("The joint venture committed $500B over four years starting in 2025.", "forecast", "2028-12-31"),
    ("AMD expects to spend $10B over the next five years from 2025.", "forecast", "2029-12-31"),
    ("Capex will rise over three years, beginning in 2026.", "forecast", "2028-12-31"),
    # a span that ends at its date closed a period; "over 90%" is no span
    ("Revenue grew 40% over two years in 2024.", "snapshot", "2024-12-31"),
    ("Over 90% of racks were air-cooled in 2024.", "snapshot", "2024-12-31"),
])
def test_a_plan_over_a_span_of_years_runs_to_the_span_end(text, kind, end):
    claim, = claims_of(text)
    assert (claim.kind, claim.end.isoformat()) == (kind, end)


@pytest.mark.parametrize("text, kind, found", [
    ("Capacity additions slowed in Q4 2025 and are expected to re-accelerate in 2H26.", "paragraph",
     [("snapshot", "Q4 2025"), ("forecast", "2H26")]),
    ("The HBM market was ~$38B in 2025 and is expected at ~$54B in 2026.", "list_item",
     [("snapshot", "2025"), ("forecast", "2026")]),
    # one clause (no verb after "and"), or a second clause without a date of its own: one claim
    ("Supply stays tight through Q2 2026 and prices will rise in 2027.", "list_item", [("forecast", "2027")]),
    ("Revenue rose in 2025 and margins were flat.", "list_item", [("snapshot", "2025")]),
])
def test_a_sentence_of_two_dated_clauses_is_two_claims(text, kind, found):
    assert [(c.kind, c.expression) for c in claims_of(text, kind=kind)] == found

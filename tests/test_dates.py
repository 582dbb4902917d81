"""The date grammar: every form with its interval, the cue words, the numbers that are not dates,
fiscal calendars, and the speed budget (find_dates runs on every block of every page)."""
from __future__ import annotations

import datetime as dt
import timeit

import pytest

from compiler.dates import find_dates, is_estimate, parse_month

D = dt.date

# (text, the expression as written, first day, last day) on a calendar fiscal year
FORMS = [
    ("on 2026-03-15", "2026-03-15", D(2026, 3, 15), D(2026, 3, 15)),
    ("on 2026/03/15", "2026/03/15", D(2026, 3, 15), D(2026, 3, 15)),
    ("in 2026-03", "2026-03", D(2026, 3, 1), D(2026, 3, 31)),
    ("in 2011-12", "2011-12", D(2011, 12, 1), D(2011, 12, 31)),  # ISO month wins over a range
    ("in March 2026", "March 2026", D(2026, 3, 1), D(2026, 3, 31)),
    ("in the June quarter of 2026", "June quarter of 2026", D(2026, 4, 1), D(2026, 6, 30)),
    ("guided June-quarter 2026 sales", "June-quarter 2026", D(2026, 4, 1), D(2026, 6, 30)),
    ("in the first nine months of 2025", "2025", D(2025, 1, 1), D(2025, 12, 31)),
    ("in every quarter of 2025", "2025", D(2025, 1, 1), D(2025, 12, 31)),
    ("for the rest of 2026", "2026", D(2026, 1, 1), D(2026, 12, 31)),
    ("in Mar 2026", "Mar 2026", D(2026, 3, 1), D(2026, 3, 31)),
    ("in Mar. 2026", "Mar. 2026", D(2026, 3, 1), D(2026, 3, 31)),
    ("in Sept 2025", "Sept 2025", D(2025, 9, 1), D(2025, 9, 30)),
    ("in February, 2024", "February, 2024", D(2024, 2, 1), D(2024, 2, 29)),
    ("in Mar '26", "Mar '26", D(2026, 3, 1), D(2026, 3, 31)),
    ("on Mar 19, 2025", "Mar 19, 2025", D(2025, 3, 19), D(2025, 3, 19)),
    ("on March 19 2025", "March 19 2025", D(2025, 3, 19), D(2025, 3, 19)),
    ("on March 19th, 2025", "March 19th, 2025", D(2025, 3, 19), D(2025, 3, 19)),
    ("on 19 March 2025", "19 March 2025", D(2025, 3, 19), D(2025, 3, 19)),
    ("on Mar 19-20, 2025", "Mar 19-20, 2025", D(2025, 3, 19), D(2025, 3, 20)),
    ("on 3/2/2026", "3/2/2026", D(2026, 3, 2), D(2026, 3, 2)),
    ("on 15/3/2026", "15/3/2026", D(2026, 3, 15), D(2026, 3, 15)),
    ("in Jan–Mar 2026", "Jan–Mar 2026", D(2026, 1, 1), D(2026, 3, 31)),
    ("in Q3 2026", "Q3 2026", D(2026, 7, 1), D(2026, 9, 30)),
    ("in q3 2026", "q3 2026", D(2026, 7, 1), D(2026, 9, 30)),
    ("in 3Q26", "3Q26", D(2026, 7, 1), D(2026, 9, 30)),
    ("in Q3'26", "Q3'26", D(2026, 7, 1), D(2026, 9, 30)),
    ("in 3Q 2026", "3Q 2026", D(2026, 7, 1), D(2026, 9, 30)),
    ("in Q3 of 2026", "Q3 of 2026", D(2026, 7, 1), D(2026, 9, 30)),
    ("in Q1-Q2 2026", "Q1-Q2 2026", D(2026, 1, 1), D(2026, 6, 30)),
    ("in 2Q–3Q26", "2Q–3Q26", D(2026, 4, 1), D(2026, 9, 30)),
    ("in H2 2026", "H2 2026", D(2026, 7, 1), D(2026, 12, 31)),
    ("in 2H26", "2H26", D(2026, 7, 1), D(2026, 12, 31)),
    ("in 1H25", "1H25", D(2025, 1, 1), D(2025, 6, 30)),
    ("in 2H 2026", "2H 2026", D(2026, 7, 1), D(2026, 12, 31)),
    ("in the third quarter of 2026", "third quarter of 2026", D(2026, 7, 1), D(2026, 9, 30)),
    ("in the second half of 2025", "second half of 2025", D(2025, 7, 1), D(2025, 12, 31)),
    ("in FY2026", "FY2026", D(2026, 1, 1), D(2026, 12, 31)),
    ("in FY26", "FY26", D(2026, 1, 1), D(2026, 12, 31)),
    ("in FY 2026", "FY 2026", D(2026, 1, 1), D(2026, 12, 31)),
    ("in FY'26", "FY'26", D(2026, 1, 1), D(2026, 12, 31)),
    ("in FY2026E", "FY2026E", D(2026, 1, 1), D(2026, 12, 31)),
    ("in fiscal 2026", "fiscal 2026", D(2026, 1, 1), D(2026, 12, 31)),
    ("across FY25-27", "FY25-27", D(2025, 1, 1), D(2027, 12, 31)),
    ("across FY2025–FY2027", "FY2025–FY2027", D(2025, 1, 1), D(2027, 12, 31)),
    ("in Q1 FY2027", "Q1 FY2027", D(2027, 1, 1), D(2027, 3, 31)),
    ("in CY2026", "CY2026", D(2026, 1, 1), D(2026, 12, 31)),
    ("in CY26", "CY26", D(2026, 1, 1), D(2026, 12, 31)),
    ("in calendar year 2026", "calendar year 2026", D(2026, 1, 1), D(2026, 12, 31)),
    ("in early 2026", "early 2026", D(2026, 1, 1), D(2026, 4, 30)),
    ("in mid 2026", "mid 2026", D(2026, 5, 1), D(2026, 8, 31)),
    ("in mid-2026", "mid-2026", D(2026, 5, 1), D(2026, 8, 31)),
    ("in late 2026", "late 2026", D(2026, 9, 1), D(2026, 12, 31)),
    ("by end-2026", "end-2026", D(2026, 12, 1), D(2026, 12, 31)),
    ("by the end of 2026", "end of 2026", D(2026, 12, 1), D(2026, 12, 31)),
    ("by year-end 2026", "year-end 2026", D(2026, 12, 1), D(2026, 12, 31)),
    ("by YE2026", "YE2026", D(2026, 12, 1), D(2026, 12, 31)),
    ("by the start of 2027", "start of 2027", D(2027, 1, 1), D(2027, 1, 31)),
    ("by the end of Q1 2026", "end of Q1 2026", D(2026, 3, 1), D(2026, 3, 31)),
    ("in early Q3 2026", "early Q3 2026", D(2026, 7, 1), D(2026, 7, 31)),
    ("in late March 2026", "late March 2026", D(2026, 3, 21), D(2026, 3, 31)),
    ("in summer 2026", "summer 2026", D(2026, 6, 1), D(2026, 8, 31)),
    ("reaching $54B in 2026E", "2026E", D(2026, 1, 1), D(2026, 12, 31)),
    ("reaching $60B in 2027F", "2027F", D(2027, 1, 1), D(2027, 12, 31)),
    ("over 2025–2027", "2025–2027", D(2025, 1, 1), D(2027, 12, 31)),
    ("over 2025-2027", "2025-2027", D(2025, 1, 1), D(2027, 12, 31)),
    ("over 2026E-2028E", "2026E-2028E", D(2026, 1, 1), D(2028, 12, 31)),
    ("over 2026-27", "2026-27", D(2026, 1, 1), D(2027, 12, 31)),
    ("during the 2022–23 shortage", "2022–23", D(2022, 1, 1), D(2023, 12, 31)),
    ("in 2025/2026", "2025/2026", D(2025, 1, 1), D(2026, 12, 31)),
    ("from 2024 to 2026", "2024 to 2026", D(2024, 1, 1), D(2026, 12, 31)),
    ("from Q3 2026 to Q1 2027", "Q3 2026 to Q1 2027", D(2026, 7, 1), D(2027, 3, 31)),
    ("in Q3 2026–Q1 2027", "Q3 2026–Q1 2027", D(2026, 7, 1), D(2027, 3, 31)),
    ("in 2025", "2025", D(2025, 1, 1), D(2025, 12, 31)),
    ("by 2027", "2027", D(2027, 1, 1), D(2027, 12, 31)),
    ("through 2026", "2026", D(2026, 1, 1), D(2026, 12, 31)),
    ("until 2028", "2028", D(2028, 1, 1), D(2028, 12, 31)),
    ("as of 2025", "2025", D(2025, 1, 1), D(2025, 12, 31)),
    ("since 2023", "2023", D(2023, 1, 1), D(2023, 12, 31)),
    ("from 2024", "2024", D(2024, 1, 1), D(2024, 12, 31)),
    ("during 2025", "2025", D(2025, 1, 1), D(2025, 12, 31)),
    ("for 2026", "2026", D(2026, 1, 1), D(2026, 12, 31)),
    ("HBM sales of $38B (2025)", "2025", D(2025, 1, 1), D(2025, 12, 31)),
    ("$155B (BofA, 2030)", "2030", D(2030, 1, 1), D(2030, 12, 31)),
    ("double 2025's capex", "2025", D(2025, 1, 1), D(2025, 12, 31)),
    ("the 2026 guide", "2026", D(2026, 1, 1), D(2026, 12, 31)),
    ("the 1990s", "1990s", D(1990, 1, 1), D(1999, 12, 31)),
    ("in the 2000s", "2000s", D(2000, 1, 1), D(2009, 12, 31)),
    ("the mid-1990s", "mid-1990s", D(1994, 1, 1), D(1996, 12, 31)),
    ("the '90s", "'90s", D(1990, 1, 1), D(1999, 12, 31)),
    ("between 1880 and 1890", "between 1880 and 1890", D(1880, 1, 1), D(1890, 12, 31)),
]


@pytest.mark.parametrize("text, written, first, last", FORMS, ids=[f[0] for f in FORMS])
def test_every_form_is_one_interval(text, written, first, last):
    found = find_dates(text)
    assert [(d.text, d.first, d.last) for d in found] == [(written, first, last)]
    assert text[found[0].start:found[0].end] == written


# NVIDIA's fiscal year ends in January: FY2027 is 2026-02-01..2027-01-31.
FISCAL = [
    ("FY2027", 1, D(2026, 2, 1), D(2027, 1, 31)),
    ("Q1 FY2027", 1, D(2026, 2, 1), D(2026, 4, 30)),
    ("1QFY27", 1, D(2026, 2, 1), D(2026, 4, 30)),
    ("1Q FY27", 1, D(2026, 2, 1), D(2026, 4, 30)),
    ("FQ1 2027", 1, D(2026, 2, 1), D(2026, 4, 30)),
    ("FY27 Q4", 1, D(2026, 11, 1), D(2027, 1, 31)),
    ("Q4 FY2027", 1, D(2026, 11, 1), D(2027, 1, 31)),
    ("H2 FY2027", 1, D(2026, 8, 1), D(2027, 1, 31)),
    ("first quarter of fiscal 2027", 1, D(2026, 2, 1), D(2026, 4, 30)),
    ("FY2026E", 1, D(2025, 2, 1), D(2026, 1, 31)),
    ("late FY2026", 1, D(2025, 10, 1), D(2026, 1, 31)),
    ("end of FY2026", 1, D(2026, 1, 1), D(2026, 1, 31)),
    ("Q1 FY2026", 10, D(2025, 11, 1), D(2026, 1, 31)),  # Broadcom: October year end
    ("FY2026", 6, D(2025, 7, 1), D(2026, 6, 30)),  # Supermicro: June
    ("Q3 FY2026", 3, D(2025, 10, 1), D(2025, 12, 31)),  # Japan: March
    # Calendar forms stay calendar whatever the fiscal year: only FY/FQ/fiscal name fiscal periods.
    ("Q1 2027", 1, D(2027, 1, 1), D(2027, 3, 31)),
    ("CY2026", 1, D(2026, 1, 1), D(2026, 12, 31)),
    ("2026E", 1, D(2026, 1, 1), D(2026, 12, 31)),
]


@pytest.mark.parametrize("text, fye, first, last", FISCAL, ids=[f"{f[0]}/{f[1]}" for f in FISCAL])
def test_fiscal_periods_follow_the_year_end_month(text, fye, first, last):
    found = find_dates(f"revenue in {text}", fye)
    assert [(d.text, d.first, d.last) for d in found] == [(text, first, last)]


def test_a_bad_fiscal_year_end_means_calendar():
    assert find_dates("in FY2026", 13)[0].first == D(2026, 1, 1)


NOT_DATES = [
    "$2026M of orders", "$2,026 in fees", "2,026 units", "sold 2026 units in 2026 units", "GPT-4", "H100",
    "H200 and GB200", "MI450X", "B200", "2308", "[[2308]] and 6834", "000660.KS", "268A", "12/25", "7/8 nm",
    "3nm", "p. 2026", "pp. 2001-2010", "page 2025", "arXiv:2511.00739", "2511.00739", "v2026.1", "+1 415 555 2026",
    "2,000", "up 20.26%", "in 2026%", "1H", "Q3", "Q3 26%", "Computex 2025", "the 2017 transformer",
    "X2025 part", "SN-2026-03", "No. 2026", "USD 2026", "in 2026 MW", "in 1950-2050 MHz", "#2026",
    "(2308, 2026)", "Mar 26", "march 2026", "may 2026 be", "FY", "in 2026-13", "Feb 30, 2026",
    "Singapore's 2023 moratorium", "| 2025 |",
    "at half of 2023 levels", "most of 2025 units",
]


@pytest.mark.parametrize("text", NOT_DATES)
def test_numbers_that_are_not_dates(text):
    assert find_dates(text) == []


def test_letters_that_ignoring_case_folds_into_ascii_are_no_crash():
    # re.IGNORECASE lets "ſ" (long s) match "s": the grammar matches "firſt half", the interval
    # tables do not know it, and the page must still parse
    assert find_dates("in the firſt half of 2026") == [] and find_dates("in ſummer 2026") == []


CUES = [
    ("as of March 2026", "as of"), ("As of March 2026", "as of"), ("as at Q1 2026", "as at"),
    ("by 2027", "by"), ("sold out through 2026", "through"), ("until 2028", "until"), ("since 2023", "since"),
    ("in 2025", "in"), ("from 2024", "from"), ("during 2025", "during"), ("by the end of 2026", "by"),
    ("in the 1990s", "in"), ("(as of Mar 2026)", "as of"), ("no later than Q2 2026", "no later than"),
    ("at end-2025", "at"), ("on Mar 19, 2025", "on"), ("revenue Q1 FY2027", None), ("(2025)", None),
]


@pytest.mark.parametrize("text, cue", CUES, ids=[c[0] for c in CUES])
def test_the_cue_word_before_an_expression(text, cue):
    assert [d.cue for d in find_dates(text)] == [cue]


def test_several_expressions_left_to_right_with_offsets():
    text = "As of March 2026 SK hynix held 62%, sold out through 2026, with HBM4 ramping in H2 2026 (vs 3Q25)."
    found = find_dates(text)
    assert [d.text for d in found] == ["March 2026", "2026", "H2 2026", "3Q25"]
    assert all(text[d.start:d.end] == d.text for d in found)
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))


def test_historical_periods_are_flagged():
    assert [d.historical for d in find_dates("in the 1990s, between 1880 and 1890, and in 2025")] == [True, True, False]


def test_estimates_are_recognised():
    assert [is_estimate(d) for d in find_dates("2026E, FY2027F, 3Q26E, 2025E-2027E and in 2026")] == [
        True, True, True, True, False]


@pytest.mark.parametrize("value, month", [
    ("January", 1), ("Jan", 1), ("jan.", 1), (1, 1), ("1", 1), (" October ", 10), ("Sept", 9), ("12", 12),
    (13, None), (0, None), ("Foo", None), (None, None), (True, None), (1.0, None), ("", None),
])
def test_parse_month(value, month):
    assert parse_month(value) == month


# --- speed -----------------------------------------------------------------------------------------

PROSE = [
    "The hyperscalers funding the buildout are also launch partners for a rival CPU architecture.",
    "NVIDIA's H100 and B200 carry 80GB and 192GB of HBM, with gross margins near 75% and ~$30B of sales.",
    "Delta Electronics (2308) and Seikoh Giken (6834) both trade at more than 40x trailing earnings.",
    "Liquid cooling is now the default for racks above 120 kW, and rear-door heat exchangers fill the gap.",
]


def _microseconds(text: str) -> float:
    runs = 2000
    return min(timeit.repeat(lambda: find_dates(text, 1), number=runs, repeat=5)) / runs * 1e6


def test_prose_without_dates_costs_under_20_microseconds():
    assert all(find_dates(text) == [] for text in PROSE)
    assert max(_microseconds(text) for text in PROSE) < 20


def test_a_dated_sentence_stays_cheap():
    # a generous bound: a dated sentence pays for the grammar once per date
    assert _microseconds("As of March 2026, revenue was $44B in Q1 FY2027, sold out through 2026.") < 200


@pytest.mark.parametrize("text, expression, first, last", [
    # every way analysts write a fiscal period (VAULT-SPEC §1), on a January fiscal year end
    ("Revenue grew in F1Q25 strongly.", "F1Q25", "2024-02-01", "2024-04-30"),
    ("The F4Q2025 call was upbeat.", "F4Q2025", "2024-11-01", "2025-01-31"),
    ("Results for 4QFY25 were strong.", "4QFY25", "2024-11-01", "2025-01-31"),
    ("In fiscal Q4 2025 margins rose.", "fiscal Q4 2025", "2024-11-01", "2025-01-31"),
    ("Guidance for fiscal 2026 is $50B.", "fiscal 2026", "2025-02-01", "2026-01-31"),
    ("In the second-quarter fiscal 2026 period sales rose.", "second-quarter fiscal 2026", "2025-05-01", "2025-07-31"),
    ("The fourth quarter of fiscal 2025 closed well.", "fourth quarter of fiscal 2025", "2024-11-01", "2025-01-31"),
])
def test_fiscal_wordings(text, expression, first, last):
    import datetime as dt

    from compiler.dates import find_dates

    found = [(d.text, d.first.isoformat(), d.last.isoformat()) for d in find_dates(text, 1)]
    assert found == [(expression, first, last)]
    assert dt.date.fromisoformat(first) <= dt.date.fromisoformat(last)


@pytest.mark.parametrize("text, found", [
    ("Import OneNote 2010-2016 Section (*.one) files.", []),  # a product's versions, not a period
    ("It reads Office 2013-2019 files.", []),
    ("We think AMD 2025-2027 capex triples.", ["2025-2027"]),  # a company's name before: a period
])
def test_version_and_edition_ranges_are_no_dates(text, found):
    from compiler.dates import find_dates

    assert [d.text for d in find_dates(text)] == found


def test_a_date_in_a_linked_page_name_is_no_claim():
    from compiler.parse import parse_page

    page = parse_page("a.md", "See [[Launch Week March 2026]] for details.\n\n"
                              "See [[Launch Week March 2026|the launch of March 2026]] soon.\n")
    assert [c.expression for c in page.claims] == ["March 2026"] and page.claims[0].line == 3
    assert "\ue000" not in page.claims[0].text


def test_a_documents_year_dates_no_statement():
    """"See the 2024 10-K, page 31" names a filing; "2025 revenue" dates a figure."""
    assert find_dates("See the 2024 10-K, page 31, for the risk factors.") == []
    assert find_dates("the 2024 annual report") == []
    assert [d.text for d in find_dates("2025 revenue was $4B.")] == ["2025"]

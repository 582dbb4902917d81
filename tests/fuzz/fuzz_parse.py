"""Coverage-guided fuzzing of the page parser and the claim grammar with atheris.

Briefly in `make test` (tests/test_fuzz.py); longer by hand:
    .venv/bin/python tests/fuzz/fuzz_parse.py -max_total_time=600
Any exception, or a file slower than the per-file budget, is a crash that atheris reports.
"""
import sys
import time

import atheris

with atheris.instrument_imports():
    from compiler.dates import find_dates
    from compiler.parse import parse_page

BUDGET_SECONDS = 2.0  # far above the ~1 ms a normal page takes


def fuzz_one(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    fiscal_year_end = provider.ConsumeIntInRange(1, 12)
    text = provider.ConsumeUnicodeNoSurrogates(len(data))
    started = time.perf_counter()
    page = parse_page("fuzz.md", text)
    find_dates(text, fiscal_year_end)
    elapsed = time.perf_counter() - started
    if elapsed > BUDGET_SECONDS:
        raise RuntimeError(f"one {len(text)}-character page took {elapsed:.1f} s")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1  # a lone CR ends a line too
    for link in page.links:
        if not 1 <= link.line <= lines:
            raise AssertionError(f"link line {link.line} outside a {lines}-line file")


def main() -> None:
    atheris.Setup(sys.argv, fuzz_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

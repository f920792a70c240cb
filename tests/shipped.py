"""What the shipped data says, read from data/ (or SLUTASKJUT_DATA), for tests of pages built on it.

Tests check pages against these files instead of restating their figures, so publishing a figure or a new year
breaks no test (tests/test_new_data.py runs the suite on a copy of data/ with a year added). The checks that a
shipped figure equals what its source says are next to the data, in data/source_quotes.csv.
"""

from __future__ import annotations

import functools

import pandas as pd

from slutaskjut import fmt
from slutaskjut.load import read_all
from slutaskjut.paths import data_dir

__all__ = ["data_dir"]  # for tests that read a file of data/ themselves


@functools.cache
def tables() -> dict[str, pd.DataFrame]:
    return read_all(data_dir())


def headline(year: int, measure: str) -> int | None:
    """The count Malmö's yearly table shows for a year and measure; None where it is not published."""
    yearly = tables()["malmo_yearly"]
    row = yearly[(yearly["year"] == year) & (yearly["measure"] == measure) & yearly["is_headline"]]
    if row.empty or fmt.is_missing(row["count"].iloc[0]) or row["status"].iloc[0] != "published":
        return None
    return int(row["count"].iloc[0])


def default_years() -> tuple[int, int]:
    """The years a page shows without years in its link: the first year of the yearly table to the last with a
    published whole-year figure (as the year_span query has it)."""
    yearly = tables()["malmo_yearly"]
    headlines = yearly[yearly["is_headline"]]
    return int(headlines["year"].min()), int(headlines.loc[headlines["status"] == "published", "year"].max())


def not_published() -> tuple[int, str]:
    """A year and measure in the default years that the yearly table marks not published."""
    first, last = default_years()
    yearly = tables()["malmo_yearly"]
    rows = yearly[yearly["is_headline"] & (yearly["status"] == "not_published") & yearly["year"].between(first, last)]
    return int(rows["year"].iloc[-1]), str(rows["measure"].iloc[-1])


def change_pct(measure: str, base_year: int, year: int) -> int:
    """The change of a measure between two years, in whole per cent, as the overview rounds it."""
    base, now = headline(base_year, measure), headline(year, measure)
    return round((now - base) / base * 100)


def last_updated(measure: str) -> tuple[str, str]:
    """The date a measure's published whole-year figures run to, and when the source of the latest was published."""
    yearly = tables()["malmo_yearly"]
    rows = yearly[(yearly["measure"] == measure) & yearly["is_headline"] & (yearly["status"] == "published")]
    latest = rows.loc[rows["as_of"].astype(str).idxmax()]
    sources = tables()["sources"].set_index("source_id")
    return str(latest["as_of"]), str(sources.loc[latest["source_id"], "date_published"])

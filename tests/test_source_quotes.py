"""The shipped figures equal what their sources say: data/source_quotes.csv, next to the data it checks.

Each row of that file names a figure in a data file (its table, the row's key and the column), the value the
source gives, how the source writes it where that is not in digits ("sju", "drygt 100"), the source, and the
source's own words (for a table, its header and the row). Publishing a figure adds its row there; no test
restates a figure in Python.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
import shipped

from slutaskjut import fmt

QUOTES = pd.read_csv(shipped.data_dir() / "source_quotes.csv", dtype=str, keep_default_na=False)


def quoted_row(table: str, selector: str, source_id: str) -> pd.Series:
    """The one row of a data file that a quote's selector ("year=2016;measure=shootings") and source pick."""
    frame = shipped.tables()[table]
    chosen = frame["source_id"] == source_id if "source_id" in frame else pd.Series(True, index=frame.index)
    for condition in selector.split(";"):
        column, value = condition.split("=", 1)
        chosen &= frame[column].astype(str) == value
    rows = frame[chosen]
    assert len(rows) == 1, f"{table}: {selector} from {source_id} picks {len(rows)} rows"
    return rows.iloc[0]


def spaced(text: str) -> str:
    """Text with every kind of space as one plain space: "1 038" and "1\u00a0038" read alike."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


@pytest.mark.parametrize(
    "quote", list(QUOTES.itertuples(index=False)), ids=lambda q: f"{q.table}:{q.selector}:{q.source_id}"
)
def test_every_quoted_figure_is_in_the_data_as_its_source_says(quote):
    row = quoted_row(quote.table, quote.selector, quote.source_id)
    shown = row[quote.column]
    assert not fmt.is_missing(shown) and str(int(shown)) == quote.value, (quote.selector, shown)
    assert spaced(quote.as_written or quote.value) in spaced(quote.quote)
    assert quote.source_id in set(shipped.tables()["sources"]["source_id"])


def test_every_primary_figure_has_its_quote():
    """The figures of the two documents the project was created from are all checked against them."""
    primary = set(shipped.tables()["sources"].query("kind == 'primary'")["source_id"])
    yearly = shipped.tables()["malmo_yearly"]
    figures = yearly[yearly["source_id"].isin(primary) & yearly["count"].notna()]
    quoted = {(q.selector, q.source_id) for q in QUOTES.itertuples() if q.table == "malmo_yearly"}
    missing = [
        (f"year={row.year};measure={row.measure}", row.source_id)
        for row in figures.itertuples()
        if (f"year={row.year};measure={row.measure}", row.source_id) not in quoted
    ]
    assert not missing

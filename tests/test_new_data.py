"""Publishing a new year's figures breaks no test: the suite runs again on a copy of data/ with one more year.

Tests read what they expect from data/ (tests/shipped.py, data/source_quotes.csv) or build their own fixtures,
so a new row in data/ with its source must leave every one of them passing. This test shows it: it publishes the
year after the last with whole-year figures (every measure, a population, and their source) in a copy of data/,
writes the demonstration extracts again as `python -m slutaskjut demo` would, and runs the other tests on that
copy (SLUTASKJUT_DATA) in a subprocess. The browser tests, which take minutes and read the same expectations,
are left out.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import shipped

from slutaskjut import demo
from slutaskjut.paths import ROOT
from slutaskjut.schema import MEASURES

BROWSER_TESTS = sorted(path.name for path in Path(__file__).parent.glob("test_*browser.py"))


def rewrite_rows(path: Path, change) -> None:
    """Rewrite a CSV file of data/ with `change(rows)`, a function of its rows (dicts) returning the new rows."""
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        header, rows = reader.fieldnames, list(reader)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows([{column: row.get(column, "") for column in header} for row in change(rows)])


def with_a_new_year(folder: Path) -> int:
    """A copy of data/ in `folder` with the whole-year figures of the year after the last published one (its
    not-published rows replaced, or new rows where it has none), a population and their source; returns the year.
    """
    shutil.copytree(shipped.data_dir(), folder)
    year = shipped.default_years()[1] + 1
    assert year < dt.date.today().year, "a whole year's figures are published after the year"
    source = {"source_id": "test_new_year", "kind": "secondary", "publisher": "A publisher of tests"}
    source |= {"title": f"Figures for {year}", "date_published": f"{year + 1}-01-15", "date_accessed": "2026-12-02"}
    rewrite_rows(folder / "sources.csv", lambda rows: [*rows, source])
    figures = {
        measure: {"year": str(year), "measure": measure, "count": str(11 + n), "status": "published"}
        | {"is_headline": "true", "as_of": f"{year}-12-31", "source_id": "test_new_year"}
        for n, measure in enumerate(MEASURES)
    }

    def publish(rows: list[dict]) -> list[dict]:
        kept = [row for row in rows if not (row["year"] == str(year) and row["is_headline"] == "true")]
        return [*kept, *figures.values()]

    rewrite_rows(folder / "malmo_yearly.csv", publish)
    population = {"year": str(year), "population": "400000", "as_of": f"{year}-12-31", "source_id": "test_new_year"}
    rewrite_rows(
        folder / "population.csv", lambda rows: [row for row in rows if row["year"] != str(year)] + [population]
    )
    demo.write_demo_extracts(folder)  # as the README says: the demonstration extracts follow the figures
    return year


def test_a_new_year_in_data_breaks_no_test(tmp_path):
    data = tmp_path / "data"
    year = with_a_new_year(data)
    env = {**os.environ, "SLUTASKJUT_DATA": str(data)}
    env.pop("SLUTASKJUT_DB", None)  # the run builds its own, from the copy
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "tests"]
    command += [f"--ignore=tests/{name}" for name in (*BROWSER_TESTS, Path(__file__).name)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
    assert result.returncode == 0, f"with {year} added to data/:\n{result.stdout[-4000:]}{result.stderr[-2000:]}"

"""Shooting victims per year counted from a US city's open-data export, as rows of data/us_city_yearly.csv.

`python -m slutaskjut count-shootings boston FILE` reads Analyze Boston's "Shootings" export and
`... philadelphia FILE` OpenDataPhilly's "Shooting victims". Both have one row per person shot. The
command prints, as CSV, the fatal, non-fatal and total victims of every whole year in the file: the
year of its latest shooting is partial and left out (said on stderr). A victim whose outcome is empty
(Philadelphia leaves it empty for police officer-involved shootings) is in none of the three counts, and
the total's note says how many there were. A value the command does not know stops it: exit 2 with
every problem as file, row, column and reason.

The year is that of the date as written. Boston's times carry "+00" but are local times (most
shootings fall in the late evening), so converting them would move New Year's Eve into the next year.
Philadelphia's `year` column follows the case number, not the date of the shooting: the date agrees
with the City Controller's table in more years, so the date is used.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from slutaskjut.problems import DataError, Problem
from slutaskjut.schema import TABLES_BY_NAME

_DATE = re.compile(r"(\d{4})-\d{2}-\d{2}")


@dataclass(frozen=True)
class Export:
    """How one city's export is read, and the rows it gives in us_city_yearly.csv."""

    city: str
    source_id: str
    is_headline: bool  # its counts are the city's series on the page, not a cross-check
    date_column: str
    outcome_column: str
    fatal: dict[str, bool]  # outcome value -> fatal; an empty outcome is unknown


EXPORTS = {
    "boston": Export(
        city="Boston",
        source_id="analyze_boston_shootings",
        is_headline=True,
        date_column="shooting_date",
        outcome_column="shooting_type_v2",
        fatal={"Fatal": True, "Non-Fatal": False},
    ),
    "philadelphia": Export(
        city="Philadelphia",
        source_id="opendataphilly_shooting_victims",
        is_headline=False,
        date_column="date_",
        outcome_column="fatal",
        fatal={"1": True, "0": False},
    ),
}


@dataclass(frozen=True)
class Counts:
    """Victims per year: `victims[(year, fatal)]`, those of unknown outcome, and the latest date."""

    victims: Counter
    unknown: Counter
    latest: str

    def whole_years(self) -> list[int]:
        """Every year before the one of the latest shooting, which the export covers only in part."""
        last = int(self.latest[:4])
        return sorted(({year for year, _ in self.victims} | set(self.unknown)) - {last})


def count_victims(path: Path, export: Export) -> Counts:
    """Count the victims in `path` by year and outcome; raise DataError listing every problem."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [column for column in (export.date_column, export.outcome_column) if column not in header]
        if missing:
            raise DataError([Problem(path.name, 1, column, "required column is missing") for column in missing])
        victims, unknown, problems, latest = Counter(), Counter(), [], ""
        for row_number, row in enumerate(reader, start=2):
            # a short row leaves its last cells None
            date, outcome = (row[export.date_column] or "").strip(), (row[export.outcome_column] or "").strip()
            matched = _DATE.match(date)
            if not matched:
                problems.append(Problem(path.name, row_number, export.date_column, f"'{date}' is not a date"))
                continue
            year, latest = int(matched.group(1)), max(latest, matched.group(0))
            if outcome == "":
                unknown[year] += 1
            elif outcome in export.fatal:
                victims[year, export.fatal[outcome]] += 1
            else:
                known = ", ".join(export.fatal)
                problems.append(
                    Problem(path.name, row_number, export.outcome_column, f"'{outcome}' is not one of {known}")
                )
    if problems:
        raise DataError(problems)
    if not latest:
        raise DataError([Problem(path.name, 0, "-", "no rows")])
    return Counts(victims, unknown, latest)


def yearly_rows(counts: Counts, export: Export) -> list[dict]:
    """The rows of us_city_yearly.csv for every whole year: fatal, non-fatal and total victims.

    How the counts were made is in the source's notes (sources.csv); a row's note, in Swedish and
    English, says only what was left out of that year.
    """
    rows = []
    for year in counts.whole_years():
        fatal, non_fatal = counts.victims[year, True], counts.victims[year, False]
        left_out = counts.unknown[year]
        note = {
            "note_sv": f"Utelämnade: {left_out} skjutna utan uppgift om dödligt eller icke-dödligt.",
            "note_en": f"Left out: {left_out} victims with no fatal or non-fatal value.",
        }
        no_note = dict.fromkeys(note, "")
        for measure, count, measure_note in (
            ("fatal", fatal, no_note),
            ("non_fatal", non_fatal, no_note),
            ("total", fatal + non_fatal, note if left_out else no_note),
        ):
            rows.append(
                {
                    "city": export.city,
                    "year": year,
                    "measure": measure,
                    "unit": "victims",
                    "count": count,
                    "is_headline": "true" if export.is_headline else "false",
                    "as_of": f"{year}-12-31",
                    "source_id": export.source_id,
                }
                | measure_note
            )
    return rows


def count_shootings(city: str, path: Path) -> tuple[str, str]:
    """The command: the CSV rows for `city`'s export at `path`, and a line on what was left out."""
    export = EXPORTS[city]
    counts = count_victims(path, export)
    rows = yearly_rows(counts, export)
    columns = [column.name for column in TABLES_BY_NAME["us_city_yearly"].columns]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    left_out = f"{counts.latest[:4]} left out: the file runs to {counts.latest}, so the year is partial."
    return text.getvalue(), left_out

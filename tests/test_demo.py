"""The synthetic demonstration extracts: up to date, in the canonical format, equal to the published figures.

The expected numbers are read from the shipped data files, never written here, so the tests
keep holding when a published figure is corrected and the extracts are written again.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from slutaskjut import demo
from slutaskjut.extract_schema import FOLLOW_UPS, INCIDENTS, INTERVENTIONS, MALMO_BOUNDS, Dataset
from slutaskjut.load import read_all
from slutaskjut.paths import data_dir
from slutaskjut.schema import MEASURES

EXTRACTS = data_dir() / "extracts"
FILES = {"incidents": demo.INCIDENTS_FILE, "interventions": demo.INTERVENTIONS_FILE}
_PERSONAL_NUMBER = re.compile(r"(?:\d{2})?\d{6}[-+]?\d{4}")


def read_extract(path: Path) -> pd.DataFrame:
    """The cells of an extract file as written: strings, empty cells as ''."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def published() -> dict[str, pd.DataFrame]:
    return read_all(data_dir())


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    frame = read_extract(EXTRACTS / demo.INCIDENTS_FILE)
    return frame.assign(year=frame["date"].str[:4].astype(int), dead=frame["dead"].astype(int)).assign(
        injured=frame["injured"].astype(int)
    )


@pytest.fixture(scope="module")
def contacts() -> pd.DataFrame:
    return read_extract(EXTRACTS / demo.INTERVENTIONS_FILE)


@pytest.fixture(scope="module")
def stages(published) -> dict[tuple[str, str], int]:
    figures = published["outreach_figures"]
    return {(r, s): int(c) for r, s, c in zip(figures["round_id"], figures["stage"], figures["count"], strict=True)}


@pytest.fixture(scope="module")
def rounds(published) -> dict[str, dict]:
    return {row["round_id"]: row for row in published["outreach_rounds"].to_dict("records")}


def headline_years(published: dict[str, pd.DataFrame]) -> dict[int, dict[str, int]]:
    yearly = published["malmo_yearly"]
    headline = yearly[yearly["is_headline"] & yearly["count"].notna()]
    counts = headline.pivot(index="year", columns="measure", values="count").dropna()
    return {int(year): {m: int(row[m]) for m in MEASURES} for year, row in counts[list(MEASURES)].iterrows()}


def test_shipped_files_are_what_the_generator_writes(data_copy):
    shutil.rmtree(data_copy / "extracts", ignore_errors=True)
    paths = demo.write_demo_extracts(data_copy)
    assert [path.name for path in paths] == [demo.INCIDENTS_FILE, demo.INTERVENTIONS_FILE]
    for path in paths:
        assert path.read_bytes() == (EXTRACTS / path.name).read_bytes(), (
            f"data/extracts/{path.name} is not what the generator writes: run `python -m slutaskjut demo`"
        )


@pytest.mark.parametrize("dataset", [INCIDENTS, INTERVENTIONS], ids=lambda d: d.name)
def test_files_are_in_the_canonical_format(dataset: Dataset):
    raw = (EXTRACTS / FILES[dataset.name]).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
    frame = read_extract(EXTRACTS / FILES[dataset.name])
    assert list(frame.columns) == dataset.columns
    assert (frame["source"] == demo.SYNTHETIC_SOURCE).all()
    assert frame[dataset.key].is_unique
    assert frame["kind"].isin(dataset.kinds).all()
    for field in dataset.fields:
        cells = frame[field.name]
        if field.required:
            assert (cells != "").all(), field.name
        known = cells[cells != ""]
        if field.kind == "date":
            assert known.map(lambda v: dt.date.fromisoformat(v).isoformat() == v).all(), field.name
            assert (known <= dt.date.today().isoformat()).all(), field.name
        elif field.kind == "time":
            assert known.map(lambda v: dt.time.fromisoformat(v).strftime("%H:%M") == v).all(), field.name
        elif field.kind == "bool":
            assert known.isin(["true", "false"]).all(), field.name
        elif field.kind == "int":
            assert known.str.fullmatch(r"\d+").all(), field.name
        elif field.kind == "float":
            assert known.str.fullmatch(r"\d+\.\d{5}").all(), field.name


def test_incidents_are_sorted_by_date_time_and_id(incidents):
    keys = list(zip(incidents["date"], incidents["time"], incidents["incident_id"], strict=True))
    assert keys == sorted(keys)
    assert (incidents["incident_id"].str[4:8].astype(int) == incidents["year"]).all()


def test_yearly_totals_equal_the_headline_figures(published, incidents):
    expected = headline_years(published)
    assert expected, "no year has all four measures published"
    assert sorted(incidents["year"].unique()) == sorted(expected)
    for year, figures in expected.items():
        of_year = incidents[incidents["year"] == year]
        shootings = of_year[of_year["kind"] == "shooting"]
        assert len(shootings) == figures["shootings"], year
        assert (of_year["kind"] == "explosion").sum() == figures["explosions"], year
        assert of_year["dead"].sum() == shootings["dead"].sum() == figures["dead"], year
        assert of_year["injured"].sum() == shootings["injured"].sum() == figures["injured"], year
        assert shootings["dead"].between(0, 2).all() and shootings["injured"].between(0, 3).all(), year


def test_suspected_shootings_are_kept_apart(published, incidents):
    for year, figures in headline_years(published).items():
        suspected = incidents[(incidents["year"] == year) & (incidents["kind"] == "suspected_shooting")]
        assert 0.1 * figures["shootings"] - 0.5 <= len(suspected) <= 0.25 * figures["shootings"] + 0.5, year
        assert (suspected["dead"] == 0).all() and (suspected["injured"] == 0).all(), year


def test_incidents_spread_over_the_year_and_lean_to_evenings(incidents):
    assert incidents["date"].str[5:7].nunique() == 12
    hours = incidents["time"].str[:2].astype(int)
    assert ((hours >= 18) | (hours < 4)).mean() > 0.5


def test_every_point_is_inside_malmo_and_in_a_district(incidents):
    latitude, longitude = incidents["latitude"].astype(float), incidents["longitude"].astype(float)
    assert latitude.between(MALMO_BOUNDS["lat_min"], MALMO_BOUNDS["lat_max"]).all()
    assert longitude.between(MALMO_BOUNDS["lon_min"], MALMO_BOUNDS["lon_max"]).all()
    assert set(incidents["district"]) <= {district[0] for district in demo.DISTRICTS}
    assert incidents["district"].nunique() == len(demo.DISTRICTS)


def test_custom_notification_rounds_equal_the_published_funnels(contacts, stages, rounds):
    custom_rounds = [r for r, row in rounds.items() if row["activity"] == "custom_notification_round"]
    assert custom_rounds
    for round_id in custom_rounds:
        of_round = contacts[contacts["round_id"] == round_id]
        assert (of_round["kind"] == "custom_notification").all()
        assert of_round["person_ref"].is_unique  # each person sought out once
        assert len(of_round) == stages[(round_id, "sought_out")]
        counted = set()
        for stage, column in demo.STAGE_FOLLOW_UPS.items():
            if (round_id, stage) in stages:
                assert (of_round[column] == "true").sum() == stages[(round_id, stage)], (round_id, stage)
                counted.add(column)
        for column in FOLLOW_UPS:
            allowed = {"true", "false"} if column in counted else {""}  # empty: the figures do not say
            assert set(of_round[column]) <= allowed, (round_id, column)


def test_may_2020_funnel(contacts, stages):
    may = contacts[contacts["round_id"] == "may_2020"]
    asked = set(may.loc[may["asked_exit_support"] == "true", "person_ref"])
    relocated = set(may.loc[may["helped_to_relocate"] == "true", "person_ref"])
    assert may["person_ref"].nunique() == stages[("may_2020", "sought_out")]
    assert len(asked) == stages[("may_2020", "sought_exit_support")]
    assert len(relocated) == stages[("may_2020", "helped_to_relocate")]
    assert relocated <= asked


def test_nov_2020_funnel(contacts, stages):
    nov = contacts[contacts["round_id"] == "nov_2020"]
    assert nov["person_ref"].nunique() == stages[("nov_2020", "sought_out")]
    assert (nov["wanted_help_on_the_spot"] == "true").sum() == stages[("nov_2020", "wanted_help_on_the_spot")]


def test_call_ins_and_notifications_equal_the_february_2020_report(contacts, stages, rounds):
    report = "feb_2020_report"
    before = contacts[contacts["date"] <= rounds[report]["period_end"].isoformat()]
    call_ins = before[before["kind"] == "call_in"]
    assert call_ins["round_id"].nunique() == stages[(report, "call_ins_held")]
    assert (call_ins.groupby("round_id")["date"].nunique() == 1).all()  # a call-in is one meeting
    assert len(call_ins) == call_ins["person_ref"].nunique() == stages[(report, "call_in_participants")]
    assert set(call_ins[list(FOLLOW_UPS)].stack()) == {""}

    notifications = before[before["kind"] == "custom_notification"]
    assert len(notifications) == stages[(report, "custom_notifications_held")]
    assert notifications["person_ref"].nunique() == stages[(report, "custom_notification_individuals")]
    again = notifications.loc[notifications["contacted_again"] == "true", "person_ref"]
    per_person = notifications.groupby("person_ref").size()
    assert sorted(again) == sorted(per_person[per_person == 2].index)
    assert set(per_person) <= {1, 2}
    assert set(notifications["contacted_again"]) == {"true", "false"}
    for person in again:  # true on the first of the two contacts
        dates = notifications.loc[notifications["person_ref"] == person].sort_values("date")
        assert list(dates["contacted_again"]) == ["true", "false"]
    assert set(notifications[["asked_exit_support", "wanted_help_on_the_spot", "helped_to_relocate"]].stack()) == {""}

    assert len(contacts) == len(before) + sum(
        stages[(r, "sought_out")] for r, row in rounds.items() if row["activity"] == "custom_notification_round"
    )


def test_people_are_distinct_across_the_programme(contacts, stages, rounds):
    assert (contacts.groupby("person_ref")["round_id"].nunique() == 1).all()
    report = "feb_2020_report"
    expected = stages[(report, "call_in_participants")] + stages[(report, "custom_notification_individuals")]
    expected += sum(
        stages[(r, "sought_out")] for r, row in rounds.items() if row["activity"] == "custom_notification_round"
    )
    assert contacts["person_ref"].nunique() == expected
    total = next(r for r, row in rounds.items() if row["activity"] == "programme_total")
    assert contacts["person_ref"].nunique() >= stages[(total, "sought_out")]  # published as a lower bound
    assert (contacts.groupby("person_ref")["group_ref"].nunique() == 1).all()


def test_every_contact_is_dated_within_its_round(published, contacts, rounds):
    milestones = dict(zip(published["milestones"]["milestone_id"], published["milestones"]["date"], strict=True))
    report = rounds["feb_2020_report"]
    for row in contacts.to_dict("records"):
        date = dt.date.fromisoformat(row["date"])
        if row["round_id"] in rounds:
            period = rounds[row["round_id"]]
            # a round whose source gives no first day is a campaign that ends on its last day (demo.py)
            start = period["period_start"] or period["period_end"] - dt.timedelta(days=demo.CAMPAIGN_DAYS - 1)
            assert start <= date <= period["period_end"], row
        else:
            assert milestones["project_start"] <= date <= report["period_end"], row
        if row["kind"] == "call_in":
            assert date >= milestones["first_call_in"], row
    for round_id in ("may_2020", "nov_2020"):
        dates = pd.to_datetime(contacts.loc[contacts["round_id"] == round_id, "date"])
        assert (dates.max() - dates.min()).days < demo.CAMPAIGN_DAYS, round_id


def test_contacts_are_sorted_by_date_and_id(contacts):
    keys = list(zip(contacts["date"], contacts["contact_id"], strict=True))
    assert keys == sorted(keys)


def test_references_are_codes_not_people(incidents, contacts):
    references = pd.concat(
        [incidents["incident_id"], contacts["contact_id"], contacts["person_ref"], contacts["group_ref"]]
    )
    assert references.str.contains(r"\d").all()
    assert not references.str.contains(r"\s").any()
    assert not references.str.contains(_PERSONAL_NUMBER).any()
    assert contacts["person_ref"].str.fullmatch(r"SYN-P-\d{4}").all()
    assert contacts["group_ref"].str.fullmatch(r"SYN-G-\d{2}").all()
    assert contacts["group_ref"].str[-2:].astype(int).between(1, demo.GROUPS).all()


def _set_headline(data_dir: Path, year: int, measure: str, count: int) -> None:
    path = data_dir / "malmo_yearly.csv"
    prefix = f"{year},{measure},"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    (index,) = [i for i, line in enumerate(lines) if line.startswith(prefix) and ",published,true," in line]
    cells = lines[index].split(",")
    cells[2] = str(count)
    lines[index] = ",".join(cells)
    path.write_text("".join(lines), encoding="utf-8")


def test_a_changed_published_figure_changes_the_synthetic_incidents(data_copy, published):
    before = demo.incidents(published)
    _set_headline(data_copy, 2018, "shootings", 50)
    changed = read_all(data_copy)  # still a valid file
    after = demo.incidents(changed)
    of_2018 = after[after["date"].str.startswith("2018")]
    assert (of_2018["kind"] == "shooting").sum() == 50
    assert of_2018["dead"].astype(int).sum() == headline_years(changed)[2018]["dead"]
    other_years = ~before["date"].str.startswith("2018")
    pd.testing.assert_frame_equal(  # each year has its own seed
        before[other_years].reset_index(drop=True), after[~after["date"].str.startswith("2018")].reset_index(drop=True)
    )


def test_figures_that_do_not_fit_are_refused(data_copy):
    _set_headline(data_copy, 2020, "dead", 999)
    with pytest.raises(ValueError, match="2020"):
        demo.incidents(read_all(data_copy))


def test_generated_frames_hold_strings_and_none(published):
    for frame in (demo.incidents(published), demo.interventions(published)):
        assert all(value is None or isinstance(value, str) for value in frame.to_numpy().ravel())


def test_the_build_imports_the_shipped_extracts_as_synthetic(con, incidents, contacts):
    for table, rows in (("incidents", incidents), ("interventions", contacts)):
        stored = con.table(table).df()
        assert len(stored) == int(stored["is_synthetic"].sum()) == len(rows), table

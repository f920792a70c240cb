"""Privacy in public views: small counts of people read "fewer than 3" and cannot be worked out.

Exact figures come from hand-made frames and from fixture databases of contacts (extract_database),
hand-made or generated in several shapes (contact_extracts.py), never from the session database,
whose demonstration extract may change. The published outreach figures are read from data/.
"""

from __future__ import annotations

import itertools
import json
import random
import re

import duckdb
import pandas as pd
import pytest
import streamlit
from conftest import extract_database, footer_lines, run_page
from contact_extracts import Shape, contact_frame, stored_contacts
from test_pages import texts_of

from slutaskjut import charts, exports, fmt, markdown, privacy, sentences, tables
from slutaskjut.columns import label as column_label
from slutaskjut.extract_schema import FOLLOW_UPS
from slutaskjut.i18n import t
from slutaskjut.paths import data_dir
from slutaskjut.queries import models, queries, run_query

BELOW, HIDDEN = privacy.BELOW_THRESHOLD, privacy.COMPLEMENTARY
FUNNEL = "outreach_funnel_by_round_and_month"
PEOPLE_COLUMNS = queries()[FUNNEL].description["suppress"]["columns"]


def flags(frame: pd.DataFrame, column: str) -> list:
    return frame[privacy.flag_column(column)].tolist()


def values(frame: pd.DataFrame, column: str) -> list:
    return [None if pd.isna(v) else v for v in frame[column]]


# The threshold --------------------------------------------------------------------------------


def test_threshold_defaults_to_3_and_is_configurable(monkeypatch):
    monkeypatch.delenv("SLUTASKJUT_MIN_COUNT", raising=False)
    assert privacy.min_count() == 3
    monkeypatch.setenv("SLUTASKJUT_MIN_COUNT", " 5 ")
    assert privacy.min_count() == 5


@pytest.mark.parametrize("value", ["0", "-1", "abc", "2.5", "3 people"])
def test_a_threshold_that_is_not_a_whole_number_of_at_least_1_is_refused(monkeypatch, value):
    monkeypatch.setenv("SLUTASKJUT_MIN_COUNT", value)
    with pytest.raises(ValueError, match="SLUTASKJUT_MIN_COUNT must be a whole number of at least 1"):
        privacy.min_count()


# Below the threshold --------------------------------------------------------------------------


def test_small_counts_are_hidden_zero_and_missing_are_not():
    frame = pd.DataFrame({"id": list("abcde"), "people": [0, 1, 2, 3, None]})
    hidden = privacy.suppress(frame, ["people"], None, 3)
    assert values(hidden, "people") == [0, None, None, 3, None]
    assert flags(hidden, "people") == [None, BELOW, BELOW, None, None]
    assert list(frame["people"].fillna(-1)) == [0, 1, 2, 3, -1], "the input is left as it was"


def test_an_empty_frame_stays_empty():
    frame = pd.DataFrame({"round": pd.Series([], dtype=str), "people": pd.Series([], dtype="Int64")})
    hidden = privacy.suppress(frame, ["people"], ["round"], 3)
    assert hidden.empty and list(hidden.columns) == ["round", "people", "people_suppressed"]


def test_the_threshold_decides_what_is_small():
    frame = pd.DataFrame({"people": [1, 4, 5]})
    assert values(privacy.suppress(frame, ["people"], None, 5), "people") == [None, None, 5]
    assert values(privacy.suppress(frame, ["people"], None, 1), "people") == [1, 4, 5]


def test_only_the_rows_that_count_people_are_suppressed():
    frame = pd.DataFrame({"unit": ["meetings", "people", "people"], "count": [2, 2, 23]})
    hidden = privacy.suppress(frame, ["count"], None, 3, rows={"unit": "people"})
    assert values(hidden, "count") == [2, None, 23]


# Complementary suppression --------------------------------------------------------------------


def group(months: list[int], total: int | None = None, kind: str = "sum", threshold: int = 3) -> pd.DataFrame:
    """Months of one round (and its total row unless None), suppressed."""
    frame = pd.DataFrame({"round": "r", "people": months, "is_total": False})
    if total is not None:
        frame = pd.concat([frame, pd.DataFrame({"round": ["r"], "people": [total], "is_total": [True]})])
    frame = frame.reset_index(drop=True)
    return privacy.suppress(frame, ["people"], ["round"], threshold, total="is_total", totals={"people": kind})


def test_one_hidden_month_takes_another_with_it():
    hidden = group([1, 5, 7], total=13)
    assert flags(hidden, "people") == [BELOW, HIDDEN, None, None]
    assert values(hidden, "people") == [None, None, 7, 13]


def test_the_other_hidden_month_is_large_enough_to_protect():
    # Hiding the 3 would not do: 13 - 9 = 4 hidden, and a hidden month is at least 3, so the 1 would show.
    assert flags(group([1, 3, 9], total=13), "people") == [BELOW, None, HIDDEN, None]


def test_two_small_months_whose_sum_is_known_are_protected():
    # 12 - 10 = 2 people in two months each "fewer than 3": both would be 1.
    assert flags(group([1, 1, 10], total=12), "people") == [BELOW, BELOW, HIDDEN, None]
    # 1 + 2 = 3: either could be 1 or 2, so nothing more is needed.
    assert flags(group([1, 2, 10], total=13), "people") == [BELOW, BELOW, None, None]


def test_zero_is_never_hidden_and_a_total_goes_when_nothing_else_can():
    hidden = group([2, 0, 0], total=2)
    assert flags(hidden, "people") == [BELOW, None, None, BELOW] and values(hidden, "people")[1:3] == [0, 0]
    assert flags(group([2, 0, 5], total=7), "people") == [BELOW, None, HIDDEN, None]
    assert flags(group([1, 0, 0, 4], total=5), "people") == [BELOW, None, None, HIDDEN, None]
    only_small = group([1, 1, 0], total=2)
    assert flags(only_small, "people") == [BELOW, BELOW, None, BELOW]


def test_the_total_is_hidden_when_no_month_can_protect():
    # 4 = 1 + 3: hiding the 3 would leave 4 - 3 = 1 for the 1 (a hidden month is at least 3),
    # and no other month is non-zero, so the total goes instead.
    assert flags(group([1, 3, 0], total=4), "people") == [BELOW, None, None, HIDDEN]


def test_a_total_shown_elsewhere_protects_like_a_total_row():
    assert flags(group([1, 5, 7]), "people") == [BELOW, HIDDEN, None]


def test_people_counted_once_in_the_round():
    # One person in both months: 2 + 10 > 11. A reader guessing 11 - 10 = 1 is wrong, and the
    # bounds (the month is at least 11 - 10 and at most 2) leave it 1 or 2.
    assert flags(group([2, 10], total=11, kind="union"), "people") == [BELOW, None, None]
    # With no one counted twice the guess is right, so it is protected as a sum.
    assert flags(group([2, 10], total=12, kind="union"), "people") == [BELOW, HIDDEN, None]


def test_a_rest_that_is_not_shown_is_protected_too():
    # 10 people, 9 asked for support and 0 unknown: the 1 who did not ask would show.
    frame = pd.DataFrame({"people": [10, 23], "asked": [9, 7], "asked_unknown": [0, 0]})
    hidden = privacy.suppress(
        frame, ["people", "asked", "asked_unknown"], None, 3, parts=[["people", "asked", "asked_unknown"]]
    )
    assert values(hidden, "people") == [10, 23] and values(hidden, "asked") == [None, 7]
    assert flags(hidden, "asked") == [HIDDEN, None]


def test_people_are_at_most_their_contacts():
    # 4 people with 4 contacts, none who asked and 3 for whom it is unknown: 1 did not ask. Hiding
    # the 3 and the people would leave the people at most the 4 contacts, and so the 1 at most 1.
    frame = pd.DataFrame({"contacts": [4], "people": [4], "asked": [0], "asked_unknown": [3]})
    columns, parts = list(frame.columns), [["people", "asked", "asked_unknown"]]
    hidden = privacy.suppress(frame, columns, None, 3, parts=parts, at_most=[["people", "contacts"]])
    assert [flags(hidden, c) for c in columns] == [[HIDDEN], [HIDDEN], [None], [HIDDEN]]
    unrelated = privacy.suppress(frame, columns, None, 3, parts=parts)
    assert flags(unrelated, "contacts") == [None], "without the relation the contacts would stay"


def test_hiding_stops_where_the_markers_alone_tell_as_much():
    # Two months of "fewer than 3" people make a round of at most 4, and 3 of them asked: whatever
    # is hidden, a reader knows that at most 1 did not. The round's 4 would tell that both months
    # are 2, so it is hidden; the 3 stays, since hiding it would tell no less about the 1.
    frame = pd.DataFrame(
        {
            "round": "r",
            "people": [2, 2, 4],
            "asked": [1, 2, 3],
            "asked_unknown": [0, 0, 0],
            "is_total": [False, False, True],
        }
    )
    columns = ["people", "asked", "asked_unknown"]
    hidden = privacy.suppress(
        frame, columns, ["round"], 3, total="is_total", totals={"people": "union", "asked": "union"}, parts=[columns]
    )
    assert [flags(hidden, c) for c in columns] == [[BELOW, BELOW, HIDDEN], [BELOW, BELOW, None], [None] * 3]


def test_relations_that_do_not_hold_are_refused():
    frame = pd.DataFrame({"round": "r", "people": [5, 5, 3], "is_total": [False, False, True]})
    with pytest.raises(ValueError, match="do not make up the total"):
        privacy.suppress(frame, ["people"], ["round"], 3, total="is_total")
    with pytest.raises(ValueError, match="add up to more than people"):
        privacy.suppress(
            pd.DataFrame({"people": [3], "asked": [4]}), ["people", "asked"], None, 3, parts=[["people", "asked"]]
        )
    with pytest.raises(ValueError, match="people is more than contacts"):
        privacy.suppress(
            pd.DataFrame({"people": [4], "contacts": [3]}),
            ["people", "contacts"],
            None,
            3,
            at_most=[["people", "contacts"]],
        )


def _reader_can_narrow(months: list[int], total: int, shown: list[bool], below: list[bool], threshold: int) -> bool:
    """Brute force: can a reader of the shown months and total pin a hidden small month down?"""
    hidden = [i for i, is_shown in enumerate(shown) if not is_shown]
    rest = total - sum(m for m, is_shown in zip(months, shown, strict=True) if is_shown)
    ranges = [range(1, threshold) if below[i] else range(threshold, total + 1) for i in hidden]
    possible = [combo for combo in itertools.product(*ranges) if sum(combo) == rest]
    return any(below[i] and {combo[k] for combo in possible} != set(range(1, threshold)) for k, i in enumerate(hidden))


@pytest.mark.parametrize("threshold", [3, 4])
def test_no_small_month_can_be_worked_out_from_a_shown_total(threshold):
    draw = random.Random(f"privacy-{threshold}")
    for _ in range(300):
        months = [draw.choice([0, 1, 1, 2, 3, 4, 5, 6, 8, 12]) for _ in range(draw.randint(1, 5))]
        total = sum(months)
        hidden = group(months, total=total, threshold=threshold)
        shown_values = values(hidden, "people")
        assert not any(v is not None and 0 < v < threshold for v in shown_values), months
        if shown_values[-1] is None:
            continue  # the total is hidden: nothing to subtract from
        shown = [v is not None for v in shown_values[:-1]]
        below = [f == BELOW for f in flags(hidden, "people")[:-1]]
        assert not _reader_can_narrow(months, total, shown, below, threshold), (months, flags(hidden, "people"))


# Texts, tables and downloads ------------------------------------------------------------------


def test_markers_and_note_in_both_languages(monkeypatch):
    monkeypatch.delenv("SLUTASKJUT_MIN_COUNT", raising=False)
    assert privacy.marker(BELOW, "sv") == "färre än 3" and privacy.marker(HIDDEN, "sv") == "dold"
    assert privacy.marker(HIDDEN, "en") == "hidden" and "1–2" in privacy.note("sv")
    monkeypatch.setenv("SLUTASKJUT_MIN_COUNT", "5")
    assert privacy.marker(BELOW, "en") == "fewer than 5" and "1 to 4" in privacy.note("en")


def test_count_text_is_the_marker_or_the_count():
    frame = pd.DataFrame({"people": [1, 30, None, 1200], "is_lower_bound": [False, True, False, False]})
    hidden = privacy.suppress(frame, ["people"], None, 3)
    texts = [
        privacy.count_text(row, "people", "sv", lower_bound=row["is_lower_bound"], unknown="okänt")
        for _, row in hidden.iterrows()
    ]
    assert texts == ["färre än 3", "minst 30", "okänt", "1\u00a0200"]
    assert privacy.count_text(next(hidden.itertuples()), "people", "en") == "fewer than 3"
    assert privacy.count_text(hidden.iloc[2], "people", "en") is None, "missing reads as the caller says"


def test_tables_and_downloads_show_the_markers_not_the_numbers():
    frame = pd.DataFrame({"month": ["2020-05", "2020-06", None], "people": [20, 2, 22], "is_round_total": [0, 0, 1]})
    frame["round"] = "r"
    frame["is_round_total"] = frame["is_round_total"].astype(bool)
    hidden = privacy.suppress(frame, ["people"], ["round"], 3, total="is_round_total")
    shown = tables.for_display(hidden, ["month", "people"], "sv")
    assert shown["Personer"].tolist() == ["dold", "färre än 3", "22"]
    assert shown["Månad"].tolist() == ["maj 2020", "juni 2020", "Hela omgången"]
    download = tables.for_download(hidden, ["month", "people"], "en")
    assert download["People"].tolist() == ["hidden", "fewer than 3", 22]
    csv = exports.csv_bytes(download).decode("utf-8-sig").replace("\r\n", "\n")
    assert "fewer than 3" in csv and ",2\n" not in csv and ",20\n" not in csv


# The published outreach figures ---------------------------------------------------------------

OUTREACH = "outreach_by_round_and_stage"


def small_published_counts() -> pd.DataFrame:
    """The published counts of fewer than 3 people (data/outreach_figures.csv)."""
    figures = pd.read_csv(data_dir() / "outreach_figures.csv")
    small = figures[(figures["unit"] == "people") & figures["count"].between(1, 2)]
    assert len(small), "data/ publishes no count of 1 or 2 people: nothing here tests how one is shown"
    return small


@pytest.fixture(scope="module")
def published(con):
    span = run_query(con, "year_span").iloc[0]
    return run_query(con, OUTREACH, from_year=int(span["first_year"]), to_year=int(span["last_year"]))


def test_published_outreach_is_shown_as_published(published):
    assert privacy.protect(OUTREACH, published, 3) is published, "a published figure is never suppressed"
    for figure in small_published_counts().itertuples():
        stage = published[(published["round_id"] == figure.round_id) & (published["stage"] == figure.stage)]
        assert stage["count"].tolist() == [figure.count]


def test_published_outreach_sentences_and_chart_give_small_figures_as_published(published):
    press = sentences.press_sentences(
        yearly=pd.DataFrame(columns=["count"]),
        provisional=pd.DataFrame(),
        change=pd.DataFrame(columns=["change_pct"]),
        us_results=pd.DataFrame(),
        outreach=published,
        findings=pd.DataFrame(),
        sources=run_sources(published),
        lang="en",
    )
    assert not press["english"].str.contains("fewer than").any()
    for figure in small_published_counts().itertuples():
        stages = published[published["round_id"] == figure.round_id]
        stage = t(f"stage.{figure.stage}", "en")
        assert f"{stage} {figure.count}" in sentences.describe_funnel(stages, "en")
        (funnel,) = charts.funnel_figure(stages, lang="en", title="x").data
        step = [label.replace("<br>", " ") for label in funnel.y].index(stage)  # wrapped to fit a phone
        assert funnel.x[step] == figure.count and funnel.text[step].startswith(f"{figure.count} ")
        assert press["english"].str.contains(f"{stage}: {figure.count} ", regex=False).any()


def run_sources(frame: pd.DataFrame) -> pd.DataFrame:
    ids = sorted(set(frame["source_id"]))
    return pd.DataFrame(
        {
            "source_id": ids,
            "publisher": "P",
            "title": "T",
            "date_published": "2020-12-03",
            "date_accessed": "2021-01-01",
        }
    )


# Every query that counts people declares its suppression ---------------------------------------

KEYS = {"columns", "within", "total", "totals", "parts", "at_most", "rows"}
# Counts computed from an extract about people in the programme are suppressed (privacy.py): every
# query over the contact extract, directly or through a model built on it. A published figure
# (outreach_figures) is shown as published, and the dead and injured of incidents are counted in
# public reports: those queries declare no [suppress].
EXTRACT_TABLES = {"interventions"}
EXTRACT_TABLES |= {name for name, model in models().items() if set(model.description["tables"]) & EXTRACT_TABLES}


def example_params(name: str) -> dict:
    return {key: p["example"] for key, p in queries()[name].description.get("params", {}).items()}


def test_every_suppress_section_names_the_querys_columns():
    for name, query in queries().items():
        spec = query.description.get("suppress")
        over_the_extract = bool(set(query.description["tables"]) & EXTRACT_TABLES)
        assert over_the_extract == (spec is not None), f"{name}: [suppress] is for the queries over the contact extract"
        if spec is None:
            continue
        assert set(spec) <= KEYS, f"{name}: unknown keys {set(spec) - KEYS}"
        declared = set(spec["columns"]) | set(spec.get("within") or [])
        declared |= set(spec.get("totals", {})) | {c for part in spec.get("parts", []) for c in part}
        declared |= {c for pair in spec.get("at_most", []) for c in pair}
        declared |= set(spec.get("rows", {})) | ({spec["total"]} if "total" in spec else set())
        assert declared <= set(query.columns), f"{name}: [suppress] names {declared - set(query.columns)}"


@pytest.fixture(scope="module")
def more_people(tmp_path_factory):
    """The contacts fixture with a twin of every person contacted: every figure computed from the
    contacts about people changes, and nothing else."""
    contacts = pd.DataFrame(spring_round() + other_rounds())
    twins = contacts.assign(contact_id="twin-" + contacts["contact_id"], person_key="twin-" + contacts["person_key"])
    path = tmp_path_factory.mktemp("more_people") / "more_people.duckdb"
    return extract_database(path, interventions=pd.concat([contacts, twins]))  # the models count the twins too


def test_every_query_that_counts_people_of_the_extract_declares_suppression(contacts_db, more_people):
    # What a query returns about the extract's people: the figures that change when more are contacted.
    about_people = {}
    with duckdb.connect(str(contacts_db), read_only=True) as con, duckdb.connect(str(more_people)) as more:
        for name in queries():
            before, after = run_query(con, name, **example_params(name)), run_query(more, name, **example_params(name))
            assert list(before.columns) == list(after.columns) and len(before) == len(after), name
            about_people[name] = {
                column
                for column in before.columns
                if pd.api.types.is_numeric_dtype(before[column])
                and not before[column].reset_index(drop=True).equals(after[column].reset_index(drop=True))
            }
    assert about_people["outreach_funnel_by_round_and_month"] >= {"contacts", "people", "asked_exit_support"}
    assert about_people["outreach_by_round_and_stage"] == set(), "published figures do not count the extract"
    assert about_people["extract_status"] == {"row_count"}
    for name, columns in about_people.items():
        query = queries()[name]
        if not columns:
            continue
        assert set(query.description["tables"]) & EXTRACT_TABLES, f"{name} counts people from {columns}: which table?"
        spec = query.description.get("suppress")
        assert spec is not None, f"{name} returns {sorted(columns)} about people and declares no [suppress]"
        undeclared = columns - set(spec["columns"])
        assert not undeclared, f"{name}: {sorted(undeclared)} count people and are not suppressed"


@pytest.mark.parametrize("threshold", [3, 5])
def test_no_suppressed_query_lets_a_reader_narrow_a_small_count(con, contacts_db, threshold):
    # The audit of the shown figures (privacy.audit) on the session database and on the fixture
    # of contacts, whose rounds have months and follow-ups of 1 and 2 people.
    suppressed = [name for name, query in queries().items() if "suppress" in query.description]
    with duckdb.connect(str(contacts_db), read_only=True) as contacts:
        for database in (con, contacts):
            for name in suppressed:
                frame = run_query(database, name, **example_params(name))
                shown = privacy.protect(name, frame, threshold)
                assert not privacy.audit(name, frame, shown, threshold), (
                    name,
                    privacy.audit(name, frame, shown, threshold),
                )


def test_the_audit_finds_what_a_reader_can_work_out(funnel):
    # Hiding only the counts below 3 leaves June's 1 asking for support as the round's 7 minus May's 6.
    naive = privacy.suppress(funnel, PEOPLE_COLUMNS, None, 3)
    problems = privacy.audit(FUNNEL, funnel, naive, 3)
    june = funnel.index[funnel["month"].eq("2020-06")].item()
    assert f"row {june}: asked_exit_support is 1, and a reader can tell 1 to 1" in problems
    assert privacy.audit(FUNNEL, funnel, privacy.protect(FUNNEL, funnel, 3), 3) == []
    shown_small = privacy.protect(FUNNEL, funnel, 3)
    shown_small.loc[june, ["asked_exit_support", "asked_exit_support_suppressed"]] = [1, None]
    assert any("asked_exit_support" in problem for problem in privacy.audit(FUNNEL, funnel, shown_small, 3))


# The funnel query on a fixture database --------------------------------------------------------


def contact(
    number: int, person: int, date: str, round_id: str = "spring_2020", kind: str = "custom_notification", **follow_ups
):
    return {
        "contact_id": f"c{number:03d}",
        "person_key": f"person-{person:02d}",
        "group_key": "group-a",
        "date": pd.Timestamp(date),
        "kind": kind,
        "round_id": round_id,
        **{column: follow_ups.get(column) for column in FOLLOW_UPS},
        "source": "Malmö stad, test",
        "is_synthetic": False,
        "import_id": "test-import",
    }


def spring_round() -> list[dict]:
    """23 people: 20 in May 2020, 3 in June and one of May's again in June.

    asked_exit_support: 6 in May (people 1-6), 1 in June (21); false for the rest, except
    person 1's June contact, which leaves it empty. helped_to_relocate: people 1 and 2 in May.
    wanted_help_on_the_spot: never given. contacted_again: true for person 1 in May, false for
    2-10, empty for 11-20 and in June.
    """
    rows = []
    for person in range(1, 21):
        rows.append(
            contact(
                person,
                person,
                f"2020-05-{person + 4:02d}",
                asked_exit_support=person <= 6,
                helped_to_relocate=person <= 2,
                contacted_again=True if person == 1 else (False if person <= 10 else None),
            )
        )
    rows.append(contact(21, 1, "2020-06-02"))
    for person in (21, 22, 23):
        rows.append(
            contact(
                person + 1,
                person,
                f"2020-06-{person - 10:02d}",
                asked_exit_support=person == 21,
                helped_to_relocate=False,
            )
        )
    return rows


def other_rounds() -> list[dict]:
    """A call-in of 5 people in 2019, apart from the notifications, and a round of 2017."""
    rows = [contact(100 + p, 100 + p, "2019-03-14", "call_in_a", "call_in") for p in range(5)]
    rows += [contact(200 + p, 200 + p, "2017-09-01", "autumn_2017") for p in range(4)]
    return rows


@pytest.fixture(scope="module")
def contacts_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("contacts") / "contacts.duckdb"
    return extract_database(path, interventions=pd.DataFrame(spring_round() + other_rounds()))


@pytest.fixture(scope="module")
def funnel(contacts_db):
    with duckdb.connect(str(contacts_db), read_only=True) as con:
        return run_query(con, FUNNEL, from_year=2018, to_year=2020)


def row(frame: pd.DataFrame, round_id: str, month: str | None) -> dict:
    rows = frame[
        (frame["round_id"] == round_id) & (frame["month"].isna() if month is None else frame["month"] == month)
    ]
    assert len(rows) == 1
    return {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in rows.iloc[0].to_dict().items()}


def test_funnel_by_round_and_month_counts_people_and_follow_ups(funnel):
    assert set(funnel["round_id"]) == {"spring_2020", "call_in_a"}, "the 2017 round is outside the years"
    columns = ["contacts", "people"] + [c for f in FOLLOW_UPS for c in (f, f"{f}_unknown")]
    expected = {
        "2020-05": [20, 20, 6, 0, None, 20, 2, 0, 1, 10],
        "2020-06": [4, 4, 1, 1, None, 4, 0, 1, None, 4],
        None: [24, 23, 7, 0, None, 23, 2, 0, 1, 13],
    }
    for month, figures in expected.items():
        got = row(funnel, "spring_2020", month)
        assert [got[c] for c in columns] == figures, month
        assert got["is_round_total"] == (month is None)
        assert (str(got["period_start"].date()), str(got["period_end"].date())) == ("2020-05-05", "2020-06-13")
    call_in = row(funnel, "call_in_a", None)
    assert (
        call_in["kind"],
        call_in["people"],
        call_in["asked_exit_support"],
        call_in["asked_exit_support_unknown"],
    ) == (
        "call_in",
        5,
        None,
        5,
    )


def test_funnel_suppression_on_the_fixture(funnel):
    hidden = privacy.protect(FUNNEL, funnel, 3)
    marks = {
        month: {c: row(hidden, "spring_2020", month)[f"{c}_suppressed"] for c in PEOPLE_COLUMNS}
        for month in ("2020-05", "2020-06", None)
    }
    hidden_cells = {(m, c): flag for m, by in marks.items() for c, flag in by.items() if flag}
    assert hidden_cells == {
        ("2020-05", "asked_exit_support"): HIDDEN,  # else 7 - 6 gives June's 1 back
        ("2020-05", "helped_to_relocate"): BELOW,
        ("2020-05", "contacted_again"): BELOW,
        ("2020-06", "asked_exit_support"): BELOW,
        ("2020-06", "asked_exit_support_unknown"): BELOW,
        ("2020-06", "helped_to_relocate_unknown"): BELOW,
        (None, "helped_to_relocate"): BELOW,
        (None, "contacted_again"): BELOW,
    }
    total = row(hidden, "spring_2020", None)
    assert (total["people"], total["asked_exit_support"], total["wanted_help_on_the_spot"]) == (23, 7, None)
    assert row(hidden, "spring_2020", "2020-06")["helped_to_relocate"] == 0, "0 stays 0"


# A rest the round and another month give away (issue 10) ---------------------------------------

REVIEWED = "spring_2024"


def reviewed_round() -> list[dict]:
    """The round of the review: 40 people, each contacted once, 20 in February 2024 (18 of them
    contacted again) and 20 in May (14 of them). The round's 40 and 32 less May's 20 and 14 give
    February's 20 and 18, and so the 2 in February who were not contacted again."""
    rows = []
    for month, people, again in (("2024-02", 20, 18), ("2024-05", 20, 14)):
        for person in range(people):
            number = len(rows) + 1
            rows.append(contact(number, number, f"{month}-{person + 1:02d}", REVIEWED, contacted_again=person < again))
    return rows


@pytest.fixture(scope="module")
def reviewed_db(tmp_path_factory):
    return extract_database(
        tmp_path_factory.mktemp("reviewed") / "reviewed.duckdb", interventions=pd.DataFrame(reviewed_round())
    )


def february_rest(figure) -> int | None:
    """February's people not contacted again as a reader works them out, or None when they cannot.

    `figure(month, column)` is a figure as shown (None when hidden; month None for the round).
    Each of February's figures is shown, or the round's less May's (no one is in both months).
    """

    def february(column: str) -> int | None:
        shown, may, whole = figure("2024-02", column), figure("2024-05", column), figure(None, column)
        if shown is not None:
            return shown
        return None if may is None or whole is None else whole - may

    people, again, unknown = (february(c) for c in ("people", "contacted_again", "contacted_again_unknown"))
    return None if None in (people, again, unknown) else people - again - unknown


def shown_in(frame: pd.DataFrame):
    return lambda month, column: row(frame, REVIEWED, month)[column]


def test_a_rest_the_round_and_another_month_give_away_is_hidden_in_every_year_range(reviewed_db):
    # No single cell protects February's 2: hiding its people or its contacted again leaves each the
    # round's less May's. Before, both were hidden and the 2 shown anyway, as "unprotectable".
    with duckdb.connect(str(reviewed_db), read_only=True) as con:
        ranges = [(first, last) for first, last in url_year_ranges(con) if first <= 2024 <= last]
        assert ranges
        for first, last in ranges:
            frame = run_query(con, FUNNEL, from_year=first, to_year=last)
            assert february_rest(shown_in(frame)) == 2, "the review's figures"
            shown = privacy.protect(FUNNEL, frame, 3)
            assert february_rest(shown_in(shown)) is None, (first, last)
            assert privacy.audit(FUNNEL, frame, shown, 3) == [], (first, last)


# Every year range a URL can ask for, on generated extracts ---------------------------------------

REVIEWED_SHAPE = "300 contacts in rounds of four months"
BENCHMARK_SHAPE = "200,000 contacts as in the benchmark"
SHAPES = {
    # as in the review: two rounds a year, most people contacted once, most of them contacted again
    REVIEWED_SHAPE: Shape(
        300,
        first_year=2022,
        last_year=2024,
        rounds_per_year=2,
        round_days=120,
        people=1000,
        true_share=0.8,
        unknown_share=0,
    ),
    BENCHMARK_SHAPE: Shape(200_000),
    "many 1s and 2s": Shape(
        400, rounds_per_year=6, round_days=56, people=150, true_share=0.1, unknown_share=0.05, both_kinds=True
    ),
    "rounds of one month": Shape(250, people=200),
    "follow-ups mostly unknown": Shape(600, rounds_per_year=3, round_days=90, people=500, unknown_share=0.85),
}
PUBLIC_SUPPRESSED = sorted(
    name
    for name, query in queries().items()
    if "suppress" in query.description and query.description.get("audience") != "partners"
)


def url_year_ranges(con) -> list[tuple[int, int]]:
    """Every (from, to) a URL can ask for on the database: years of year_span, from not after to (view.py)."""
    span = run_query(con, "year_span").iloc[0]
    years = range(int(span["first_year"]), int(span["last_year"]) + 1)
    return [(first, last) for first in years for last in years if first <= last]


def url_params(name: str, ranges: list[tuple[int, int]]) -> list[dict]:
    """Every set of parameters a public page can run the query with: its years, or none."""
    params = set(queries()[name].description.get("params", {}))
    if not params:
        return [{}]
    assert params == {"from_year", "to_year"}, f"{name}: which values of {sorted(params)} can a URL give?"
    return [{"from_year": first, "to_year": last} for first, last in ranges]


@pytest.fixture(scope="module")
def generated_views(tmp_path_factory):
    """views(shape): (query, parameters, figures, as shown) for every suppressed public query and every set
    of parameters a URL can give it, on a database of the shape's generated contacts (built once)."""
    built: dict[str, list] = {}

    def views(shape: str) -> list[tuple[str, dict, pd.DataFrame, pd.DataFrame]]:
        if shape not in built:
            contacts = stored_contacts(contact_frame(SHAPES[shape], seed=10))
            # an incident on the last contact's day: the years of every round can be chosen
            last = pd.DataFrame({"incident_id": ["i1"], "date": [contacts["date"].max()], "kind": ["shooting"]})
            folder = tmp_path_factory.mktemp("generated")
            path = extract_database(folder / "contacts.duckdb", interventions=contacts, incidents=last)
            built[shape] = []
            with duckdb.connect(str(path), read_only=True) as con:
                ranges = url_year_ranges(con)
                for name in PUBLIC_SUPPRESSED:
                    for params in url_params(name, ranges):
                        frame = run_query(con, name, **params)
                        built[shape].append((name, params, frame, privacy.protect(name, frame, 3)))
        return built[shape]

    return views


def hidden_cells(shown: pd.DataFrame) -> dict[tuple, str]:
    """(round, kind, month or None, column) -> flag for every hidden count of the funnel."""
    return {
        (record["round_id"], record["kind"], None if record["is_round_total"] else record["month"], column): flag
        for record in shown.to_dict("records")
        for column in PEOPLE_COLUMNS
        if (flag := record[privacy.flag_column(column)])
    }


@pytest.mark.parametrize("shape", SHAPES)
def test_no_year_range_lets_a_reader_narrow_a_small_count(generated_views, shape):
    views = generated_views(shape)
    problems = [
        (name, params, problem)
        for name, params, frame, shown in views
        for problem in privacy.audit(name, frame, shown, 3)
    ]
    assert not problems, problems[:5]
    hidden = [flag for name, _, _, shown in views if name == FUNNEL for flag in hidden_cells(shown).values()]
    if shape != BENCHMARK_SHAPE:  # its rounds of 5,000 contacts have no small count
        assert HIDDEN in hidden, "the shape tests complementary suppression"


@pytest.mark.parametrize("shape", [REVIEWED_SHAPE, "many 1s and 2s"])
def test_a_round_hides_the_same_cells_in_every_year_range(generated_views, shape):
    # So comparing two ranges tells nothing: a round is wholly in a range or not.
    of_rounds: dict[tuple[str, str], dict] = {}
    for name, params, frame, _ in generated_views(shape):
        if name != FUNNEL:
            continue
        privacy._hidden.cache_clear()  # each range works its rounds out afresh, not from the cache
        hidden = hidden_cells(privacy.protect(FUNNEL, frame, 3))
        for round_key in set(zip(frame["round_id"], frame["kind"], strict=True)):
            of_round = {cell: flag for cell, flag in hidden.items() if cell[:2] == round_key}
            assert of_rounds.setdefault(round_key, of_round) == of_round, (round_key, params)
    assert HIDDEN in {flag for of_round in of_rounds.values() for flag in of_round.values()}


def test_every_round_a_url_can_choose_is_charted_from_the_suppressed_frame(generated_views):
    # ?round= picks which whole-round row of the suppressed frame the funnel draws (sections.py).
    # Each distinct row is charted once: a round's row is the same in every range (test above).
    views = generated_views(REVIEWED_SHAPE) + generated_views("many 1s and 2s")
    totals = pd.concat(shown[shown["is_round_total"]] for name, _, _, shown in views if name == FUNNEL)
    charted = 0
    for _, total in totals.drop_duplicates().iterrows():
        follow_ups = sentences.contact_follow_ups(total)
        (funnel,) = charts.contact_funnel_figure(total, follow_ups, lang="en", title="x").data
        for stage, length, text in zip(("people", *follow_ups), funnel.x, funnel.text, strict=True):
            flag = privacy.flag_of(total, stage)
            if flag:
                assert length == 0 and text.startswith(privacy.marker(flag, "en")), (total["round_id"], stage)
                charted += 1
            else:
                assert length == total[stage]
    assert charted, "some round's funnel has a hidden stage to chart"


# The outreach page -------------------------------------------------------------------------------

# Dates as pages write them ("2 september 2017") and as downloads do (2017-09-02, 2017-09): not counts.
DATES = re.compile(
    r"\b(\d{1,2} )?(januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december|"
    r"January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b"
    r"|\b\d{4}-\d{2}(-\d{2})?\b"
)
NOT_PEOPLE = re.compile(r"\b\d+ (möten|meetings|samtal|conversations)\b")


def small_numbers(text: str, threshold: int) -> list[str]:
    """Standalone numbers 1..threshold-1 left in a text once dates and counts of meetings are gone."""
    for lang in ("sv", "en"):
        text = text.replace(privacy.note(lang), "")
    text = NOT_PEOPLE.sub("", DATES.sub("", text))
    numbers = re.finditer(r"(?<![\w,.\-–])\d+(?![\w,.%])", text)
    return [text[max(0, n.start() - 40) : n.end() + 20] for n in numbers if 0 < int(n.group()) < threshold]


TABLE_FILES = {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@pytest.fixture
def downloads(monkeypatch):
    """Every frame a click on a download button of the page would hand over (CSV or workbook).

    The buttons' files are made on click (their data is a callable): the page run makes them here.
    """
    frames: list[pd.DataFrame] = []
    csv_bytes, excel_bytes = exports.csv_bytes, exports.excel_bytes
    download_button = streamlit.download_button

    def click(label, data, **kwargs):
        if callable(data) and kwargs["mime"] in TABLE_FILES:
            data = data()
        return download_button(label, data, **kwargs)

    def record_csv(frame):
        frames.append(frame)
        return csv_bytes(frame)

    def record_excel(sheets):
        frames.extend(sheets.values())
        return excel_bytes(sheets)

    monkeypatch.setattr(exports, "csv_bytes", record_csv)
    monkeypatch.setattr(exports, "excel_bytes", record_excel)
    monkeypatch.setattr(streamlit, "download_button", click)
    return frames


def people_cells(frame: pd.DataFrame, lang: str) -> list:
    """The cells of a shown or downloaded table that count the extract's people."""
    headers = {column_label(c, lang) for c in PEOPLE_COLUMNS}
    return [v for c in frame.columns if c in headers for v in frame[c]]


def from_the_extract(app, lang: str) -> list:
    """The Outreach page's elements from the contact extract's header on, in page order: the figures
    computed from the extract (the published figures above them are shown as published)."""
    elements = list(app.main)
    title = t("outreach_extract.title", lang)
    start = next(i for i, element in enumerate(elements) if element.type == "header" and element.value == title)
    return elements[start:]


def assert_nothing_small(elements: list, frames: list[pd.DataFrame], lang: str, threshold: int) -> None:
    """No count of people from 1 to threshold-1 in the elements' texts, charts and tables, nor in the downloads."""
    kinds = ("title", "header", "subheader", "markdown", "caption", "info", "warning")
    # every text but the sources' citations in the footer ("Journal 17(1)"), one Markdown element a line each
    lines = [line for e in elements if e.type in kinds for line in str(e.value).splitlines()]
    text = "\n".join(line for line in lines if not line.startswith("- **"))
    text += "\n".join(f"{e.label} {e.value} {e.delta}" for e in elements if e.type == "metric")
    assert not small_numbers(text, threshold), small_numbers(text, threshold)
    traces = [trace for e in elements if e.type == "plotly_chart" for trace in json.loads(e.proto.spec)["data"]]
    assert not small_numbers(" ".join(str(text) for trace in traces for text in trace.get("text", [])), threshold)
    bars = [float(x) for trace in traces for x in trace["x"] if x is not None]
    assert not [x for x in bars if 0 < x < threshold], "a bar's length is a count"
    for frame in [e.value for e in elements if e.type == "dataframe"] + frames:
        for cell in people_cells(frame, lang):
            number = pd.to_numeric(pd.Series([str(cell).replace("\u00a0", "")]), errors="coerce").iloc[0]
            assert pd.isna(number) or not 0 < number < threshold, (cell, frame)


@pytest.fixture
def contacts_page(contacts_db, monkeypatch):
    monkeypatch.setenv("SLUTASKJUT_DB", str(contacts_db))


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_outreach_page_shows_the_extract_without_small_counts(contacts_page, downloads, lang):
    app = run_page("pages/outreach.py", lang=lang, **{"from": "2018", "to": "2020"})
    assert not app.exception, app.exception[0].value if app.exception else ""
    assert t("outreach_extract.title", lang) in [h.value for h in app.header]
    assert t("extract.synthetic", lang) not in [w.value for w in app.warning], "real (test) rows are not synthetic"
    text = texts_of(app)
    assert privacy.marker(BELOW, lang) in text and privacy.note(lang) in text
    assert any(privacy.marker(BELOW, lang) in frame.to_csv() for frame in downloads)
    assert_nothing_small(from_the_extract(app, lang), downloads, lang, 3)


def test_the_threshold_is_configurable_on_the_page(contacts_page, downloads, monkeypatch):
    monkeypatch.setenv("SLUTASKJUT_MIN_COUNT", "5")
    app = run_page("pages/outreach.py", lang="en", **{"from": "2018", "to": "2020"})
    assert not app.exception
    text = texts_of(app)
    assert "fewer than 5" in text and "fewer than 3" not in text
    assert_nothing_small(from_the_extract(app, "en"), downloads, "en", 5)
    assert "4" not in [str(cell) for frame in downloads for cell in people_cells(frame, "en")]


def test_outreach_page_without_contacts_has_no_extract_section(tmp_path, monkeypatch):
    monkeypatch.setenv("SLUTASKJUT_DB", str(extract_database(tmp_path / "empty.duckdb")))
    app = run_page("pages/outreach.py", lang="sv", **{"from": "2016", "to": "2022"})
    assert not app.exception
    assert t("outreach_extract.title", "sv") not in [h.value for h in app.header]
    assert t("extract.synthetic", "sv") not in [w.value for w in app.warning]
    text = texts_of(app)
    for figure in small_published_counts().itertuples():
        assert f"{t(f'stage.{figure.stage}', 'sv')} {figure.count}" in text, "a published figure reads as published"
    assert privacy.note("sv") not in text, "nothing is suppressed"


def test_the_reviewed_link_shows_nothing_that_gives_the_rest_away(reviewed_db, monkeypatch):
    # outreach?from=2024&to=2024&round=..., the link of the review
    monkeypatch.setenv("SLUTASKJUT_DB", str(reviewed_db))
    link = {"from": "2024", "to": "2024", "round": f"{REVIEWED}_custom_notification"}
    app = run_page("pages/outreach.py", lang="en", **link)
    assert not app.exception, app.exception[0].value if app.exception else ""
    with duckdb.connect(str(reviewed_db), read_only=True) as con:
        shown = privacy.protect(FUNNEL, run_query(con, FUNNEL, from_year=2024, to_year=2024), 3)
    total = shown[shown["is_round_total"]].iloc[0]
    (expected,) = charts.contact_funnel_figure(total, sentences.contact_follow_ups(total), lang="en", title="x").data
    (funnel,) = json.loads(app.get("plotly_chart")[-1].proto.spec)["data"]
    assert (funnel["x"], funnel["text"]) == (list(expected.x), list(expected.text)), "drawn from the suppressed frame"
    (months,) = [frame.value for frame in app.dataframe if column_label("month", "en") in frame.value.columns]
    order = [None if record["is_round_total"] else record["month"] for record in shown.to_dict("records")]

    def as_read(month: str | None, column: str) -> int | None:
        text = str(months.iloc[order.index(month)][column_label(column, "en")]).replace("\u00a0", "")
        return int(text) if text.isdigit() else None  # a marker reads as no number

    assert february_rest(as_read) is None


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_outreach_page_on_the_session_database_shows_no_small_count_of_the_extract(downloads, lang):
    app = run_page("pages/outreach.py", lang=lang, **{"from": "2016", "to": "2022"})
    assert not app.exception, app.exception[0].value if app.exception else ""
    assert privacy.marker(BELOW, lang) in texts_of(app)
    assert_nothing_small(from_the_extract(app, lang), downloads, lang, 3)
    assert privacy.marker(BELOW, lang) in "\n".join(frame.to_csv() for frame in downloads)


def test_press_sentences_give_small_published_figures_as_published():
    app = run_page("pages/press.py", lang="en", **{"from": "2016", "to": "2022"})
    english = app.dataframe[0].value[column_label("sentence", "en")]  # the page's language
    assert not english.str.contains("fewer than").any()
    for figure in small_published_counts().itertuples():
        assert english.str.contains(f"{t(f'stage.{figure.stage}', 'en')}: {figure.count} ", regex=False).any()


def numbers_on_the_page(app, downloads: list[pd.DataFrame]) -> set[int]:
    """Every whole number a reader sees or downloads, but those in dates and the privacy note."""
    kinds = ("title", "header", "subheader", "markdown", "caption", "info", "warning")
    parts = [str(e.value) for kind in kinds for e in getattr(app, kind)]
    parts += [f"{m.label} {m.value} {m.delta}" for m in app.metric]
    parts += [str(v) for frame in [f.value for f in app.dataframe] + downloads for v in frame.to_numpy().ravel()]
    for chart in app.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        parts.append(str(spec["layout"].get("title", {}).get("text", "")))
        parts += [str(v) for trace in spec["data"] for key in ("text", "x") for v in trace.get(key) or []]
    text = "\n".join(parts)
    for lang in ("sv", "en"):
        text = text.replace(privacy.note(lang), "")
    return {int(n) for n in re.findall(r"(?<![\w.,])\d+(?![\w]|[.,]\d)", DATES.sub("", text))}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_footer_does_not_give_a_hidden_round_away(tmp_path, monkeypatch, downloads, lang):
    # Round A of 10 people is shown, round B of 2 reads "fewer than 3": a total of 12 contacts
    # anywhere on the page (the footer's count of the extract) would give B's 2 back.
    round_a = [contact(n, n, f"2017-03-{n:02d}", "round_a") for n in range(1, 11)]
    round_b = [contact(20 + n, 20 + n, f"2017-09-0{n}", "round_b") for n in (1, 2)]
    path = extract_database(tmp_path / "two_rounds.duckdb", interventions=pd.DataFrame(round_a + round_b))
    monkeypatch.setenv("SLUTASKJUT_DB", str(path))
    app = run_page("pages/outreach.py", lang=lang, **{"from": "2016", "to": "2017"})
    assert not app.exception, app.exception[0].value if app.exception else ""
    text = texts_of(app)
    assert privacy.marker(BELOW, lang) in text
    kind = t("outreach_extract.kind_custom_notification", lang)
    for first, last in (("2017-03-01", "2017-03-10"), ("2017-09-01", "2017-09-02")):  # rounds A and B, by name
        name = t("outreach_extract.round_unnamed", lang, kind=kind, period=fmt.date_range(first, last, lang))
        assert markdown.plain(name) in text
    assert "round_a" not in text and "round_b" not in text, "a round is named in words, never by the extract's id"
    numbers = numbers_on_the_page(app, downloads)
    assert 10 in numbers, "round A is shown"
    assert not numbers & {2, 12}, f"round B's 2 can be derived from {sorted(numbers)}"
    (line,) = [line for line in footer_lines(app) if line.startswith(f"- **{t('extract.interventions', lang)}**")]
    assert "Malmö stad, test" in line and "2017" in line
    assert not DATES.search(line) and not re.search(r"\b(?!2017\b)\d+\b", line), "no count and no day of a contact"

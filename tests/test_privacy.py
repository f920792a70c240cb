"""Privacy in public views: small counts of people read "fewer than 3" and cannot be worked out.

Exact figures come from hand-made frames and from a fixture database of contacts
(extract_database), never from the session database, whose demonstration extract may change.
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
from conftest import extract_database, run_page
from test_pages import texts_of

from slutaskjut import charts, exports, privacy, sentences, tables
from slutaskjut.extract_schema import FOLLOW_UPS
from slutaskjut.i18n import t
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
    frame = pd.DataFrame({"id": list("abcde"), "people": [0, 1, 2, 3, None], "pct": [0.0, 10.0, 20.0, 30.0, None]})
    hidden = privacy.suppress(frame, ["people"], None, 3, ["pct"])
    assert values(hidden, "people") == [0, None, None, 3, None]
    assert flags(hidden, "people") == [None, BELOW, BELOW, None, None]
    assert values(hidden, "pct") == [0.0, None, None, 30.0, None], "a share gives its count back"
    assert flags(hidden, "pct") == [None, HIDDEN, HIDDEN, None, None]
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
    frame = pd.DataFrame({"unit": ["meetings", "people", "people"], "count": [2, 2, 23], "pct": [None, 8.7, 100.0]})
    hidden = privacy.suppress(frame, ["count"], None, 3, ["pct"], rows={"unit": "people"})
    assert values(hidden, "count") == [2, None, 23]
    assert values(hidden, "pct") == [None, None, 100.0]


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


def test_relations_that_do_not_hold_are_refused():
    frame = pd.DataFrame({"round": "r", "people": [5, 5, 3], "is_total": [False, False, True]})
    with pytest.raises(ValueError, match="do not make up the total"):
        privacy.suppress(frame, ["people"], ["round"], 3, total="is_total")
    with pytest.raises(ValueError, match="add up to more than people"):
        privacy.suppress(
            pd.DataFrame({"people": [3], "asked": [4]}), ["people", "asked"], None, 3, parts=[["people", "asked"]]
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
    assert texts == ["färre än 3", "30+", "okänt", "1\u00a0200"]
    assert privacy.count_text(next(hidden.itertuples()), "people", "en") == "fewer than 3"
    assert privacy.count_text(hidden.iloc[2], "people", "en") is None, "missing reads as the caller says"


def test_tables_and_downloads_show_the_markers_not_the_numbers():
    frame = pd.DataFrame({"month": ["2020-05", "2020-06", None], "people": [20, 2, 22], "is_round_total": [0, 0, 1]})
    frame["round"] = "r"
    frame["is_round_total"] = frame["is_round_total"].astype(bool)
    hidden = privacy.suppress(frame, ["people"], ["round"], 3, total="is_round_total")
    shown = tables.for_display(hidden, ["month", "people"], "sv")
    assert shown["Personer"].tolist() == ["dold", "färre än 3", "22"]
    assert shown["Månad"].tolist() == ["maj 2020", "juni 2020", ""]
    download = tables.for_download(hidden, ["month", "people"], "en")
    assert download["People"].tolist() == ["hidden", "fewer than 3", 22]
    csv = exports.csv_bytes(download).decode("utf-8-sig").replace("\r\n", "\n")
    assert "fewer than 3" in csv and ",2\n" not in csv and ",20\n" not in csv


# The published outreach figures ---------------------------------------------------------------


@pytest.fixture(scope="module")
def published(con):
    return privacy.protect(
        "outreach_by_round_and_stage", run_query(con, "outreach_by_round_and_stage", from_year=2016, to_year=2024), 3
    )


def test_published_outreach_hides_the_two_relocated(published):
    may = published[published["round_id"] == "may_2020"].set_index("stage")
    assert values(may.reset_index(), "count") == [23, 7, None]
    assert may.loc["helped_to_relocate", "count_suppressed"] == BELOW
    assert pd.isna(may.loc["helped_to_relocate", "share_of_first_step_pct"])
    assert may.loc["sought_exit_support", "share_of_first_step_pct"] == pytest.approx(7 / 23 * 100)
    meetings = published[published["unit"] == "meetings"]
    assert values(meetings, "count") == [3], "3 call-ins held are meetings, not people"


def test_published_outreach_sentences_and_chart_say_fewer_than_3(published):
    may = published[published["round_id"] == "may_2020"]
    assert sentences.describe_funnel(may, "en").endswith("Helped to move to another town fewer than 3.")
    (funnel,) = charts.funnel_figure(may, lang="sv", title="x").data
    assert list(funnel.text) == ["23", "7 (30\u00a0%)", "färre än 3"] and list(funnel.x) == [23, 7, 0]
    press = sentences.press_sentences(
        yearly=pd.DataFrame(columns=["count"]),
        provisional=pd.DataFrame(),
        change=pd.DataFrame(columns=["change_pct"]),
        us_results=pd.DataFrame(),
        outreach=published,
        findings=pd.DataFrame(),
        sources=run_sources(published),
        lang="sv",
    )
    relocated = press[press["english"].str.contains("Helped to move")].iloc[0]
    assert (
        relocated["swedish"]
        == "Custom notifications maj 2020: Fick hjälp att flytta till annan ort: färre än 3 personer."
    )
    assert relocated["english"] == "Custom notifications May 2020: Helped to move to another town: fewer than 3 people."


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

KEYS = {"columns", "within", "total", "totals", "parts", "shares", "rows"}
# Counts about people are about people in the programme (privacy.py): the contact extract and the
# published outreach figures. The dead and injured of incidents are not: victims are counted in
# the published yearly figures and the police's public reports, so incident views need no [suppress].
# The tables that describe people, and the models built from them.
PEOPLE_TABLES = {"interventions", "outreach_figures"}
PEOPLE_TABLES |= {name for name, model in models().items() if set(model.description["tables"]) & PEOPLE_TABLES}


def example_params(name: str) -> dict:
    return {key: p["example"] for key, p in queries()[name].description.get("params", {}).items()}


def test_every_suppress_section_names_the_querys_columns():
    for name, query in queries().items():
        spec = query.description.get("suppress")
        if set(query.description["tables"]) & PEOPLE_TABLES:
            assert spec is not None, f"{name} counts people and declares no [suppress]"
        if spec is None:
            continue
        assert set(spec) <= KEYS, f"{name}: unknown keys {set(spec) - KEYS}"
        declared = set(spec["columns"]) | set(spec.get("shares", [])) | set(spec.get("within") or [])
        declared |= set(spec.get("totals", {})) | {c for part in spec.get("parts", []) for c in part}
        declared |= set(spec.get("rows", {})) | ({spec["total"]} if "total" in spec else set())
        assert declared <= set(query.columns), f"{name}: [suppress] names {declared - set(query.columns)}"


@pytest.fixture(scope="module")
def more_people(tmp_path_factory):
    """The contacts fixture with a twin of every person contacted and one more person in every
    published figure of people: every figure about people changes, and nothing else."""
    contacts = pd.DataFrame(spring_round() + other_rounds())
    twins = contacts.assign(contact_id="twin-" + contacts["contact_id"], person_key="twin-" + contacts["person_key"])
    path = tmp_path_factory.mktemp("more_people") / "more_people.duckdb"
    extract_database(path, interventions=pd.concat([contacts, twins]))  # the models count the twins too
    with duckdb.connect(str(path)) as con:
        con.execute("update outreach_figures set count = count + 1 where unit = 'people'")
    return path


def test_every_query_that_counts_people_declares_suppression(contacts_db, more_people):
    # What a query returns about people: the figures that change when more people are counted.
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
    assert about_people["outreach_by_round_and_stage"] == {"count", "share_of_first_step_pct"}
    assert about_people["extract_status"] == {"row_count"}
    for name, columns in about_people.items():
        query = queries()[name]
        if not columns:
            continue
        assert set(query.description["tables"]) & PEOPLE_TABLES, f"{name} counts people from {columns}: which table?"
        spec = query.description.get("suppress")
        assert spec is not None, f"{name} returns {sorted(columns)} about people and declares no [suppress]"
        undeclared = columns - set(spec["columns"]) - set(spec.get("shares", []))
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
    """The cells of a shown or downloaded table that count people."""
    headers = {t(f"col.{c}", lang) for c in PEOPLE_COLUMNS} - {t("col.contacts", lang)}
    cells = [v for c in frame.columns if c in headers for v in frame[c]]
    unit, count = t("col.unit", lang), t("col.count", lang)
    if unit in frame.columns and count in frame.columns:
        cells += [v for u, v in zip(frame[unit], frame[count], strict=True) if u == t("unit.people", lang)]
    contacts = t("col.contacts", lang)
    return cells + (list(frame[contacts]) if contacts in frame.columns else [])


def chart_traces(app) -> list[dict]:
    return [trace for chart in app.get("plotly_chart") for trace in json.loads(chart.proto.spec)["data"]]


def assert_nothing_small(app, frames: list[pd.DataFrame], lang: str, threshold: int) -> None:
    kinds = ("title", "header", "subheader", "markdown", "caption", "info", "warning")
    # every text but the sources' citations in the footer ("Journal 17(1)")
    text = "\n".join(str(e.value) for kind in kinds for e in getattr(app, kind) if not str(e.value).startswith("- **"))
    text += "\n".join(f"{m.label} {m.value} {m.delta}" for m in app.metric)
    assert not small_numbers(text, threshold), small_numbers(text, threshold)
    traces = chart_traces(app)
    assert not small_numbers(" ".join(str(text) for trace in traces for text in trace.get("text", [])), threshold)
    bars = [float(x) for trace in traces for x in trace["x"] if x is not None]
    assert not [x for x in bars if 0 < x < threshold], "a bar's length is a count"
    tables_seen = [frame.value for frame in app.dataframe] + frames
    for frame in tables_seen:
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
    assert_nothing_small(app, downloads, lang, 3)


def test_the_threshold_is_configurable_on_the_page(contacts_page, downloads, monkeypatch):
    monkeypatch.setenv("SLUTASKJUT_MIN_COUNT", "5")
    app = run_page("pages/outreach.py", lang="en", **{"from": "2018", "to": "2020"})
    assert not app.exception
    text = texts_of(app)
    assert "fewer than 5" in text and "fewer than 3" not in text
    assert_nothing_small(app, downloads, "en", 5)
    assert "4" not in [str(cell) for frame in downloads for cell in people_cells(frame, "en")]


def test_outreach_page_without_contacts_has_no_extract_section(tmp_path, monkeypatch):
    monkeypatch.setenv("SLUTASKJUT_DB", str(extract_database(tmp_path / "empty.duckdb")))
    app = run_page("pages/outreach.py", lang="sv", **{"from": "2016", "to": "2022"})
    assert not app.exception
    assert t("outreach_extract.title", "sv") not in [h.value for h in app.header]
    assert t("extract.synthetic", "sv") not in [w.value for w in app.warning]
    assert "Fick hjälp att flytta till annan ort färre än 3" in texts_of(app), "the published 2 is hidden too"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_outreach_and_press_pages_on_the_session_database_show_no_small_counts(downloads, lang):
    for script in ("pages/outreach.py", "pages/press.py"):
        downloads.clear()
        app = run_page(script, lang=lang, **{"from": "2016", "to": "2022"})
        assert not app.exception, app.exception[0].value if app.exception else ""
        assert privacy.marker(BELOW, lang) in texts_of(app)
        assert_nothing_small(app, downloads, lang, 3)
        csvs = "\n".join(frame.to_csv() for frame in downloads)
        assert privacy.marker(BELOW, lang) in csvs


def test_press_sentences_say_fewer_than_3(downloads):
    app = run_page("pages/press.py", lang="en", **{"from": "2016", "to": "2022"})
    sentences_table = app.dataframe[0].value
    assert "Custom notifications May 2020: Helped to move to another town: fewer than 3 people." in set(
        sentences_table["English"]
    )
    assert not sentences_table["English"].str.contains(r"\b2 of 23\b").any()


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
    assert "round_a" in text and "round_b" in text and privacy.marker(BELOW, lang) in text
    numbers = numbers_on_the_page(app, downloads)
    assert 10 in numbers, "round A is shown"
    assert not numbers & {2, 12}, f"round B's 2 can be derived from {sorted(numbers)}"
    (line,) = [m.value for m in app.markdown if m.value.startswith(f"- **{t('extract.interventions', lang)}**")]
    assert "Malmö stad, test" in line and "2017" in line
    assert not DATES.search(line) and not re.search(r"\b(?!2017\b)\d+\b", line), "no count and no day of a contact"

"""`python -m slutaskjut import`: every accepted format loads, every bad file is refused with
its reason, and a refused or repeated import leaves the database exactly as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from extract_files import (
    incident_row,
    intervention_row,
    police_event,
    write_csv,
    write_parquet,
    write_police_events,
    write_xlsx,
)

from slutaskjut import store
from slutaskjut.__main__ import main
from slutaskjut.imports import DEMO_KEY, KEY_VARIABLE, pseudonym
from slutaskjut.load import build_database, ensure_database
from slutaskjut.paths import data_dir
from slutaskjut.problems import DataError

KEY = "a-test-key-that-is-long-enough"


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    """A database of its own, built from the shipped data in demo mode (the session's), that the CLI imports into.

    Imports beside the police events a public deployment ships are tested in tests/test_default_data.py.
    """
    path = tmp_path / "import.duckdb"
    monkeypatch.setenv("SLUTASKJUT_DB", str(path))
    monkeypatch.setenv(KEY_VARIABLE, KEY)
    ensure_database(data_dir(), path)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(db: Path, table: str, where_real: bool = True):
    with duckdb.connect(str(db), read_only=True) as con:
        frame = con.table(table).df()
    return frame[~frame["is_synthetic"]] if where_real and "is_synthetic" in frame else frame


def run(capsys, *args: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return code, out, err


def three_incidents() -> list[dict]:
    return [
        incident_row(incident_id="i1", date="2020-03-01", kind="shooting", dead="1", injured="0"),
        incident_row(incident_id="i2", date="2020-03-02", kind="explosion", dead="0", injured="0"),
        incident_row(incident_id="i3", date="2020-04-11", kind="suspected_shooting", dead="", injured=""),
    ]


def test_import_adds_rows_and_prints_one_line(db, tmp_path, capsys):
    code, out, err = run(capsys, "import", "incidents", write_csv(tmp_path / "inc.csv", three_incidents()))
    assert code == 0, err
    assert len(out.splitlines()) == 1
    assert out.startswith("incidents: 3 rows read from 1 file: 3 added, 0 replaced, 0 unchanged, 0 skipped")
    incidents = rows(db, "incidents").set_index("incident_id")
    assert sorted(incidents.index) == ["i1", "i2", "i3"]
    assert incidents.loc["i1", "dead"] == 1 and incidents.loc["i1", "kind"] == "shooting"
    assert pd.isna(incidents.loc["i3", "dead"]) and incidents.loc["i3", "kind"] == "suspected_shooting"
    history = rows(db, "imports")
    assert history[["dataset", "file_names", "rows_added"]].values.tolist() == [["incidents", "inc.csv", 3]]


def test_real_rows_replace_the_synthetic_demonstration_rows(db, tmp_path, capsys):
    synthetic_before = int(rows(db, "incidents", where_real=False)["is_synthetic"].sum())
    assert synthetic_before > 0, "the shipped database holds the synthetic demonstration incidents"
    code, out, _ = run(capsys, "import", "incidents", write_csv(tmp_path / "inc.csv", three_incidents()))
    assert code == 0
    assert f"{synthetic_before} synthetic demonstration rows removed" in out
    assert not rows(db, "incidents", where_real=False)["is_synthetic"].any()


def test_importing_the_same_file_twice_changes_nothing(db, tmp_path, capsys):
    extract = write_csv(tmp_path / "inc.csv", three_incidents())
    assert run(capsys, "import", "incidents", extract)[0] == 0
    before = digest(db)
    code, out, _ = run(capsys, "import", "incidents", extract)
    assert code == 0
    assert "0 added, 0 replaced, 3 unchanged" in out and "the database is unchanged" in out
    assert digest(db) == before


def test_a_corrected_row_replaces_the_old_one(db, tmp_path, capsys):
    run(capsys, "import", "incidents", write_csv(tmp_path / "a.csv", three_incidents()))
    corrected = three_incidents()
    corrected[0]["injured"] = "2"
    code, out, _ = run(capsys, "import", "incidents", write_csv(tmp_path / "b.csv", corrected))
    assert code == 0 and "0 added, 1 replaced, 2 unchanged" in out
    assert rows(db, "incidents").set_index("incident_id").loc["i1", "injured"] == 2
    assert len(rows(db, "imports")) == 2


def decimal_comma(extract: list[dict]) -> list[dict]:
    """The rows as a Swedish spreadsheet writes them: 55,59012."""
    return [
        {k: v.replace(".", ",") if k in ("latitude", "longitude") and v else v for k, v in r.items()} for r in extract
    ]


@pytest.mark.parametrize(
    "writer",
    [
        lambda path, r: write_csv(path.with_suffix(".csv"), r),
        lambda path, r: write_csv(path.with_suffix(".csv"), decimal_comma(r), delimiter=";", encoding="cp1252"),
        lambda path, r: write_xlsx(path.with_suffix(".xlsx"), r),
        lambda path, r: write_parquet(path.with_suffix(".parquet"), r),
    ],
    ids=["csv", "csv-semicolon-cp1252", "xlsx", "parquet"],
)
def test_every_format_gives_the_same_rows(db, tmp_path, capsys, writer):
    extract = [*three_incidents(), incident_row(incident_id="i4", district="Södra innerstaden", latitude="55.59012")]
    code, _, err = run(capsys, "import", "incidents", writer(tmp_path / "extract", extract))
    assert code == 0, err
    incidents = rows(db, "incidents").set_index("incident_id").sort_index()
    assert incidents.loc["i4", "district"] == "Södra innerstaden"
    assert incidents.loc["i4", "latitude"] == pytest.approx(55.59012)
    assert incidents["kind"].tolist() == ["shooting", "explosion", "suspected_shooting", "shooting"]
    assert incidents["date"].dt.strftime("%Y-%m-%d").tolist()[:3] == ["2020-03-01", "2020-03-02", "2020-04-11"]


def test_police_events_import_as_incidents(db, tmp_path, capsys):
    events = [
        police_event(1, name="07 juni 01:49, Skottlossning, Malmö"),
        police_event(2, name="08 juni 17.59, Detonation, Malmö", type="Detonation"),
        police_event(3, name="09 juni 02:10, Mord/dråp, Malmö", type="Mord/dråp"),
        police_event(4, name="10 juni 22:00, Skottlossning, Lund"),
    ]
    code, out, err = run(capsys, "import", "incidents", write_police_events(tmp_path / "events.jsonl", events))
    assert code == 0, err
    assert "4 rows read from 1 file: 2 added" in out
    assert "2 skipped (type '…' is not a shooting or an explosion: 1; town '…' is not Malmö: 1)" in out
    incidents = rows(db, "incidents").set_index("incident_id")
    assert incidents.loc["polisen-1", "time"] == "01:49" and incidents.loc["polisen-2", "kind"] == "explosion"
    assert incidents["dead"].isna().all(), "the events do not say how many died: unknown, not 0"


def test_interventions_are_pseudonymised(db, tmp_path, capsys):
    contacts = [
        intervention_row(contact_id="c1", person_ref="P-0001", group_ref="G-01"),
        intervention_row(contact_id="c2", person_ref="P-0002", group_ref="G-01", asked_exit_support="ja"),
    ]
    code, _, err = run(capsys, "import", "interventions", write_csv(tmp_path / "contacts.csv", contacts))
    assert code == 0, err
    stored = rows(db, "interventions").set_index("contact_id")
    assert stored.loc["c1", "person_key"] == pseudonym("P-0001", KEY) != pseudonym("P-0001", DEMO_KEY)
    assert bool(stored.loc["c2", "asked_exit_support"]) is True
    with duckdb.connect(str(db), read_only=True) as con:
        every_cell = "\n".join(con.table(t).df().to_csv() for t in ("interventions", "imports"))
    assert "P-0001" not in every_cell and "G-01" not in every_cell, "the raw reference is never stored"


def test_interventions_need_a_key(db, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(KEY_VARIABLE)
    before = digest(db)
    code, _, err = run(capsys, "import", "interventions", write_csv(tmp_path / "c.csv", [intervention_row()]))
    assert code == 2
    assert f"c.csv, row 0, column person_ref: no pseudonymisation key: set {KEY_VARIABLE}" in err
    assert digest(db) == before


def test_a_mapping_file_imports_a_citys_own_export(db, tmp_path, capsys):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        '[columns]\nincident_id = "Ärende"\ndate = "Datum"\nkind = "Typ"\n\n[values.kind]\nSkjutning = "shooting"\n',
        encoding="utf-8",
    )
    export = tmp_path / "export.csv"
    export.write_text("Ärende;Datum;Typ;Övrigt\nA-1;2021-05-01;Skjutning;x\n", encoding="cp1252")
    code, out, err = run(capsys, "import", "incidents", export, "--mapping", mapping)
    assert code == 0, err
    stored = rows(db, "incidents").set_index("incident_id").loc["A-1"]
    assert stored["kind"] == "shooting"
    assert stored["source"] == "not stated", "no source given: never the file's name, which may name someone"


def _broken(tmp_path: Path, name: str) -> Path:
    """A file with one thing wrong, named for what is wrong."""
    good = three_incidents()
    if name == "missing_column":
        return write_csv(tmp_path / "x.csv", good, columns=["incident_id", "date", "dead", "injured"])
    if name in ("bad_date", "future_date", "negative_count", "fractional_count", "unknown_kind", "outside_malmo"):
        cell = {
            "bad_date": ("date", "2020-02-30"),
            "future_date": ("date", "2099-01-01"),
            "negative_count": ("injured", "-1"),
            "fractional_count": ("dead", "1.5"),
            "unknown_kind": ("kind", "stabbing"),
            "outside_malmo": ("latitude", "59.3293"),
        }[name]
        good[1][cell[0]] = cell[1]
        return write_csv(tmp_path / "x.csv", good)
    if name == "conflicting_duplicate":
        return write_csv(tmp_path / "x.csv", [*good, {**good[0], "injured": "4"}])
    if name == "empty":
        (tmp_path / "x.csv").write_bytes(b"")
        return tmp_path / "x.csv"
    if name == "wrong_encoding":
        (tmp_path / "x.csv").write_bytes("incident_id,date,kind\ni1,2020-01-01,shooting\n".encode("utf-16"))
        return tmp_path / "x.csv"
    if name == "not_what_its_name_says":
        return write_csv(tmp_path / "x.csv", good).rename(tmp_path / "x.xlsx")
    raise ValueError(name)


REFUSALS = {
    "missing_column": "x.csv, row 1, column kind: required column is missing",
    "bad_date": "x.csv, row 3, column date: '2020-02-30' is not a date written YYYY-MM-DD",
    "future_date": "x.csv, row 3, column date: '2099-01-01' is in the future",
    "negative_count": "x.csv, row 3, column injured: '-1' is negative",
    "fractional_count": "x.csv, row 3, column dead: '1.5' is not a whole number",
    "unknown_kind": "x.csv, row 3, column kind: unknown kind 'stabbing'",
    "outside_malmo": "x.csv, row 3, column latitude, longitude: 59.3293, 13.045 is outside Malmö",
    "conflicting_duplicate": "x.csv, row 5, column incident_id: duplicate incident_id 'i1' with different content "
    "from x.csv, row 2",
    "empty": "x.csv, row 0, column -: file is empty",
    "wrong_encoding": "x.csv, row 0, column -: not UTF-8 or Windows-1252 text",
    "not_what_its_name_says": "x.xlsx, row 0, column -: named .xlsx but",
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_a_bad_file_is_refused_with_its_reason_and_nothing_changes(db, tmp_path, capsys, name):
    run(capsys, "import", "incidents", write_csv(tmp_path / "first.csv", three_incidents()[:1]))
    before, stamp = digest(db), store.stamp(db)
    code, out, err = run(capsys, "import", "incidents", _broken(tmp_path, name))
    assert code == 2 and out == ""
    assert REFUSALS[name] in err, err
    assert err.strip().endswith("nothing was imported; the database is unchanged.")
    assert digest(db) == before and store.stamp(db) == stamp


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        ("19850101-1234", "looks like a personal identity number"),
        ("P8501011234", "looks like a personal identity number"),
        ("Anna Svensson", "looks like a name"),
        ("Mohammed", "looks like a name"),
    ],
)
def test_a_reference_that_identifies_someone_is_refused(db, tmp_path, capsys, reference, reason):
    before = digest(db)
    extract = write_csv(tmp_path / "c.csv", [intervention_row(person_ref=reference)])
    code, _, err = run(capsys, "import", "interventions", extract)
    assert code == 2
    assert f"c.csv, row 2, column person_ref: {reason}" in err
    assert reference not in err, "the message does not repeat the identifying value"
    assert digest(db) == before


def test_every_problem_of_every_file_is_listed(db, tmp_path, capsys):
    first = three_incidents()
    first[0]["date"], first[2]["kind"] = "yesterday", "knife"
    second = [incident_row(incident_id="j1", dead="-2")]
    code, _, err = run(
        capsys, "import", "incidents", write_csv(tmp_path / "a.csv", first), write_csv(tmp_path / "b.csv", second)
    )
    assert code == 2
    assert (
        "a.csv, row 2, column date" in err and "a.csv, row 4, column kind" in err and "b.csv, row 2, column dead" in err
    )
    assert "3 problem(s)" in err


def test_a_missing_file_is_named(db, tmp_path, capsys):
    code, _, err = run(capsys, "import", "incidents", tmp_path / "nowhere.csv")
    assert code == 2 and f"{tmp_path / 'nowhere.csv'}, row 0, column -: file not found" in err


def test_a_crash_while_writing_leaves_the_database_as_it_was(db, tmp_path, capsys, monkeypatch):
    before = digest(db)

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(store.duckdb.DuckDBPyConnection, "from_arrow", crash)
    with pytest.raises(OSError):
        main(["import", "incidents", str(write_csv(tmp_path / "inc.csv", three_incidents()))])
    assert digest(db) == before
    assert not list(db.parent.glob("*.tmp*")), "no half-written file left behind"


def test_a_rebuild_from_changed_data_keeps_imported_rows(db, tmp_path, capsys, data_copy):
    run(capsys, "import", "incidents", write_csv(tmp_path / "inc.csv", three_incidents()))
    build_database(data_copy, db)
    assert sorted(rows(db, "incidents")["incident_id"]) == ["i1", "i2", "i3"]
    assert len(rows(db, "imports")) == 1


def test_a_file_with_every_row_skipped_changes_nothing(db, tmp_path, capsys):
    run(capsys, "import", "incidents", write_csv(tmp_path / "inc.csv", three_incidents()))
    before = digest(db)
    events = write_police_events(tmp_path / "lund.jsonl", [police_event(9, name="10 juni 22:00, Skottlossning, Lund")])
    code, out, err = run(capsys, "import", "incidents", events)
    assert code == 0, err
    assert "1 rows read from 1 file: 0 added, 0 replaced, 0 unchanged, 1 skipped" in out
    assert digest(db) == before


def test_synthetic_and_real_rows_are_not_mixed_in_one_file(db, tmp_path, capsys):
    before = digest(db)
    mixed = [incident_row(incident_id="i1"), incident_row(incident_id="i2", source="synthetic")]
    code, _, err = run(capsys, "import", "incidents", write_csv(tmp_path / "mixed.csv", mixed))
    assert code == 2
    assert "mixed.csv, row 3, column source: 'synthetic' marks demonstration rows" in err
    assert digest(db) == before


def test_the_built_in_extracts_folder_takes_synthetic_rows_only(data_copy, tmp_path):
    write_csv(data_copy / "extracts" / "incidents_real.csv", [incident_row(source="Polisen")])
    with pytest.raises(DataError, match="demonstration rows"):
        build_database(data_copy, tmp_path / "refused.duckdb")
    assert not (tmp_path / "refused.duckdb").exists()

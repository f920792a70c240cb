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


# --- issue 12: counts, dates, personal numbers in any column, keys, capped problems, a full disk, a killed import


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("٣", "'٣' is not a whole number written with the digits 0-9"),  # Arabic-Indic three
        ("৩", "'৩' is not a whole number written with the digits 0-9"),  # Bengali three
        ("３", "'３' is not a whole number written with the digits 0-9"),  # full-width three
        ("99999999999999999999", "'99999999999999999999' is out of range: a count of people is at most 1000"),
        ("1001", "'1001' is out of range"),
    ],
)
def test_a_count_is_ascii_digits_within_range(db, tmp_path, capsys, cell, reason):
    before = digest(db)
    code, _, err = run(capsys, "import", "incidents", write_csv(tmp_path / "x.csv", [incident_row(dead=cell)]))
    assert code == 2
    assert f"x.csv, row 2, column dead: {reason}" in err
    assert digest(db) == before


def test_parquets_largest_whole_number_is_refused_not_stored_as_minus_one(db, tmp_path, capsys):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows_ = [incident_row(incident_id=f"u{n}") for n in range(2)]
    table = pa.table({column: [row[column] for row in rows_] for column in rows_[0] if column != "dead"})
    table = table.append_column("dead", pa.array([2**64 - 1, 1], pa.uint64()))
    pq.write_table(table, tmp_path / "big.parquet")
    code, _, err = run(capsys, "import", "incidents", tmp_path / "big.parquet")
    assert code == 2
    assert "big.parquet, row 2, column dead: '18446744073709551615' is out of range" in err


@pytest.mark.parametrize(
    ("date", "reason"),
    [
        ("1000-01-01", "'1000-01-01' is before 2000-01-01: extracts hold incidents from 2000 on"),
        ("1999-12-31", "'1999-12-31' is before 2000-01-01"),
        ("3000-01-01", "'3000-01-01' is in the future"),
    ],
)
def test_dates_have_a_documented_lower_bound(db, tmp_path, capsys, date, reason):
    code, _, err = run(capsys, "import", "incidents", write_csv(tmp_path / "x.csv", [incident_row(date=date)]))
    assert code == 2 and f"x.csv, row 2, column date: {reason}" in err


@pytest.mark.parametrize(
    ("dataset", "column", "row"),
    [
        ("interventions", "contact_id", intervention_row(contact_id="19850101-1234")),
        ("interventions", "round_id", intervention_row(round_id="Anna Svensson 850101-1234")),
        ("interventions", "source", intervention_row(source="handläggare 198501011234")),
        ("incidents", "incident_id", incident_row(incident_id="x-8501011234")),
        ("incidents", "district", incident_row(district="Rosengård 19850101+1234")),
    ],
    ids=["contact_id", "round_id", "source", "incident_id", "district"],
)
def test_a_personal_number_is_refused_in_every_text_column(db, tmp_path, capsys, dataset, column, row):
    before = digest(db)
    code, _, err = run(capsys, "import", dataset, write_csv(tmp_path / "x.csv", [row]))
    assert code == 2
    assert f"x.csv, row 2, column {column}: looks like a personal identity number" in err
    assert "1234" not in err, "the message never repeats the number"
    assert digest(db) == before


def test_ids_of_digits_that_are_no_personal_number_are_accepted(db, tmp_path, capsys):
    ids = ["2020010112345", "5000-K123456-20", "polisen-612345"]
    code, _, err = run(
        capsys, "import", "incidents", write_csv(tmp_path / "x.csv", [incident_row(incident_id=i) for i in ids])
    )
    assert code == 0, err


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (" " * 16, "is too easy to guess"),
        ("aaaaaaaaaaaaaaaaaaaaaaaa", "is too easy to guess"),
        ("abababababababab", "is too easy to guess"),
        (DEMO_KEY, "is the public demonstration key in the repository"),
        ("short-key", "is shorter than 16 characters"),
    ],
    ids=["spaces", "one-letter", "two-letters", "demo-key", "short"],
)
def test_a_weak_pseudonymisation_key_is_refused(db, tmp_path, capsys, monkeypatch, key, reason):
    monkeypatch.setenv(KEY_VARIABLE, key)
    before = digest(db)
    code, _, err = run(capsys, "import", "interventions", write_csv(tmp_path / "c.csv", [intervention_row()]))
    assert code == 2
    assert f"c.csv, row 0, column person_ref: the pseudonymisation key {reason}" in err
    assert key.strip() not in err or not key.strip(), "the message never repeats the key"
    assert digest(db) == before


def test_stored_pseudonyms_are_the_keyed_hashes_of_before(db, tmp_path, capsys):
    """Hashed once per distinct reference in a batch, the stored values equal imports.pseudonym's, so a
    database written before keeps matching the same people."""
    contacts = [
        intervention_row(contact_id=f"c{n}", person_ref=f"P-{n % 7:04d}", group_ref=None if n % 3 else f"G-{n % 2}")
        for n in range(40)
    ]
    code, _, err = run(capsys, "import", "interventions", write_csv(tmp_path / "c.csv", contacts))
    assert code == 0, err
    stored = rows(db, "interventions").set_index("contact_id")
    for contact in contacts:
        assert stored.loc[contact["contact_id"], "person_key"] == pseudonym(contact["person_ref"], KEY)
        group_key = stored.loc[contact["contact_id"], "group_key"]
        if contact["group_ref"]:
            assert group_key == pseudonym(contact["group_ref"], KEY)
        else:
            assert pd.isna(group_key)


def test_a_file_with_many_bad_rows_lists_the_first_thousand_and_counts_them_all(db, tmp_path, capsys):
    bad = [incident_row(incident_id=f"b{n}", date="yesterday") for n in range(1500)]
    code, _, err = run(capsys, "import", "incidents", write_csv(tmp_path / "x.csv", bad))
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1001
    assert lines[0].startswith("x.csv, row 2, column date: 'yesterday' is not a date")
    assert lines[-1].startswith("1,500 problem(s) (the first 1,000 are listed): nothing was imported")


def _many_incidents(path: Path, count: int, prefix: str) -> Path:
    """A valid incidents CSV of `count` rows, written by DuckDB (a Python loop would take longer than the test)."""
    with duckdb.connect() as con:
        con.execute((Path(__file__).parent / "many_incidents.sql").read_text(), {"count": count, "prefix": prefix})
        con.table("many_incidents").to_csv(str(path))
    return path


def _import_in_a_child(db: Path, extract: Path, file_size_limit: int | None = None):
    """`python -m slutaskjut import incidents` in a process of its own, its files capped at file_size_limit bytes."""
    import resource
    import subprocess
    import sys

    def cap():
        if file_size_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    return subprocess.Popen(
        [sys.executable, "-m", "slutaskjut", "import", "incidents", str(extract)],
        env={**__import__("os").environ, "SLUTASKJUT_DB": str(db)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=cap,
    )


def test_a_full_disk_refuses_the_import_and_keeps_every_row(db, tmp_path, capsys):
    """The reviewer's repro: a database of 200k imported rows, then 200k more on a disk with too little room."""
    assert run(capsys, "import", "incidents", _many_incidents(tmp_path / "a.csv", 200_000, "a"))[0] == 0
    before, held = digest(db), len(rows(db, "incidents"))
    child = _import_in_a_child(db, _many_incidents(tmp_path / "b.csv", 200_000, "b"), db.stat().st_size + 2_000_000)
    out, err = child.communicate(timeout=300)
    assert child.returncode == 2, (out, err)
    assert "Nothing was imported: could not write the database" in err and "the database is unchanged" in err
    assert "Traceback" not in err
    assert digest(db) == before and len(rows(db, "incidents")) == held == 200_000
    assert not [p.name for p in db.parent.iterdir() if p.name.startswith(".")], "no temporary file left behind"


def test_a_killed_import_leaves_nothing_the_next_one_does_not_clean(db, tmp_path, capsys):
    import signal
    import time

    before = digest(db)
    child = _import_in_a_child(db, _many_incidents(tmp_path / "big.csv", 400_000, "k"))
    deadline = time.monotonic() + 120
    while not [p for p in db.parent.iterdir() if p.name.startswith(f".{db.name}")] and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # mid-write
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert digest(db) == before, "a killed import changes nothing"
    assert [p for p in db.parent.iterdir() if p.name.startswith(f".{db.name}")], "the kill left temporaries"
    code, _, err = run(capsys, "import", "incidents", write_csv(tmp_path / "inc.csv", three_incidents()))
    assert code == 0, err
    assert not [p.name for p in db.parent.iterdir() if p.name.startswith(f".{db.name}")]


def test_a_database_written_before_schema_versions_is_rebuilt_and_imported_into_without_losing_a_row(
    tmp_path, capsys, monkeypatch, database_path
):
    from test_store import PUBLISHED, incidents, written_by_version_1

    with duckdb.connect(str(database_path), read_only=True) as con:
        published = {name: con.table(name).arrow().read_all() for name in PUBLISHED}
    old = written_by_version_1(tmp_path / "old.duckdb", published, incidents=incidents(3, first=100))
    monkeypatch.setenv("SLUTASKJUT_DB", str(old))
    monkeypatch.setenv(KEY_VARIABLE, KEY)
    code, out, err = run(capsys, "import", "incidents", write_csv(tmp_path / "inc.csv", three_incidents()))
    assert code == 0, err
    assert "3 rows read from 1 file: 3 added" in out
    imported = rows(old, "incidents").query("import_id.notna()")
    assert sorted(imported["incident_id"]) == ["i1", "i100", "i101", "i102", "i2", "i3"]
    assert rows(old, "schema_version")["version"].tolist() == [store.SCHEMA_VERSION]


def test_a_running_dashboard_reads_the_file_an_import_put_in_place(db, tmp_path):
    """A page's connection (database.py) is opened by the file's stamp. A connection to the old file stays open
    (other sessions' runs hold theirs): DuckDB must not hand the new stamp's connection that old file."""
    from slutaskjut.database import connection

    count = "select count(*) from incidents where incident_id = 'new'"
    old = connection(str(db), store.stamp(db)).cursor()
    assert old.execute(count).fetchone()[0] == 0
    assert main(["import", "incidents", str(write_csv(tmp_path / "new.csv", [incident_row(incident_id="new")]))]) == 0
    new = connection(str(db), store.stamp(db)).cursor()
    assert new.execute(count).fetchone()[0] == 1
    assert old.execute(count).fetchone()[0] == 0, "a run under way finishes on the file it opened"

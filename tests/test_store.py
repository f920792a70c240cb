"""Writing the database: a rewrite that fails, is refused, discarded or killed leaves the old file as it was;
databases written by an older version (or with columns added since) are read without losing a row."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from slutaskjut import store
from slutaskjut.extract_schema import STORED_COLUMNS
from slutaskjut.paths import ROOT
from slutaskjut.problems import DataError
from slutaskjut.queries import models
from slutaskjut.schema import TABLES

PUBLISHED = [table.name for table in TABLES]
# What an import keeps: every table but the one it rewrites, which these tests extend instead.
KEEP = [*STORED_COLUMNS, *PUBLISHED, "build_info"]

# A writer in a process of its own: keeps every table and adds the rows of a Parquet file to incidents.
# With "wait" it stops inside the body, after a line on stdout, until a line on stdin.
WRITER = """
import sys
from pathlib import Path

from slutaskjut import store
from slutaskjut.extract_schema import STORED_COLUMNS
from slutaskjut.schema import TABLES

db, rows, wait = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "wait"
with store.rewriting(db, keep=[*STORED_COLUMNS, *(t.name for t in TABLES), "build_info"], fingerprint=None) as new:
    new.con.read_parquet(rows).insert_into("incidents")
    print("writing", flush=True)
    if wait:
        sys.stdin.readline()
"""


def incidents(count: int, first: int = 0) -> pa.Table:
    """`count` imported incidents with ids i<first>, i<first + 1>, ..., typed as stored."""
    numbers = np.arange(first, first + count)
    day = np.datetime64("2020-01-01") + (numbers % 1500).astype("timedelta64[D]")
    columns = {
        "incident_id": pc.binary_join_element_wise("i", pa.array(numbers).cast(pa.string()), ""),
        "date": pa.array(day).cast(pa.timestamp("us")),
        "time": pa.array(["21:30"] * count),
        "kind": pa.array(["shooting", "explosion"] * (count // 2) + ["shooting"] * (count % 2)),
        "dead": pa.array(numbers % 3),
        "injured": pa.array(numbers % 2),
        "district": pa.array(["Rosengård"] * count),
        "latitude": pa.array(55.55 + (numbers % 100) / 1000),
        "longitude": pa.array(13.0 + (numbers % 77) / 1000),
        "source": pa.array(["polisen"] * count),
        "is_synthetic": pa.array([False] * count),
        "import_id": pa.array(["incidents-20250101T000000-abcdef12"] * count),
    }
    assert list(columns) == list(STORED_COLUMNS["incidents"])
    return pa.table(columns)


@pytest.fixture(scope="module")
def published(database_path) -> dict[str, pa.Table]:
    """The published tables, as the session database holds them: the models need them."""
    with duckdb.connect(str(database_path), read_only=True) as con:
        return {name: con.table(name).arrow().read_all() for name in PUBLISHED}


def write(path: Path, published: dict[str, pa.Table], **extracts: pa.Table) -> Path:
    """A database at `path` with the published tables and the given extract rows (other extracts empty)."""
    tables = {name: store.empty_table(name) for name in STORED_COLUMNS} | extracts
    store.write_database(path, published | tables, "fingerprint")
    return path


def written_by_version_1(path: Path, published: dict[str, pa.Table], **extracts: pa.Table) -> Path:
    """A database as the version before schema versions wrote it: tables, models and build_info; no schema_version."""
    tables = {name: store.empty_table(name) for name in STORED_COLUMNS} | extracts
    with duckdb.connect(str(path)) as con:
        for name, table in (published | tables).items():
            (con.from_arrow(table) if isinstance(table, pa.Table) else con.from_df(table)).create(name)
        for model in models().values():
            con.sql(model.sql).create(model.name)
        build_info = pd.DataFrame({"fingerprint": ["fingerprint"], "built_at": [dt.datetime.now(dt.UTC)]})
        con.from_df(build_info).create("build_info")
    return path


def table(db: Path, name: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.table(name).df()


def tables(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return set(con.table("information_schema.tables").df()["table_name"])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def temporaries(db: Path) -> list[Path]:
    return [path for path in db.parent.iterdir() if path.name.startswith(f".{db.name}.")]


def unchanged(db: Path):
    """Compare with what the database is now: same bytes, same file, same time."""
    before = (digest(db), store.stamp(db))
    return lambda: (digest(db), store.stamp(db)) == before


def run_writer(db: Path, rows: Path, wait: bool = False, **popen) -> subprocess.Popen:
    arguments = [sys.executable, "-c", WRITER, str(db), str(rows), "wait" if wait else "go"]
    environment = os.environ | {"PYTHONPATH": str(ROOT)}
    return subprocess.Popen(arguments, cwd=ROOT, env=environment, text=True, **popen)


def test_a_rewrite_keeps_the_tables_and_writes_models_build_info_and_schema_version(tmp_path, published):
    db = write(tmp_path / "x.duckdb", published, incidents=incidents(5))
    with store.rewriting(db, keep=KEEP, fingerprint="ignored: build_info is kept") as new:
        new.con.from_arrow(incidents(2, first=5)).insert_into("incidents")
    assert sorted(table(db, "incidents")["incident_id"]) == [f"i{n}" for n in range(7)]
    assert tables(db) >= {*KEEP, *models(), "schema_version"}
    assert table(db, "schema_version")["version"].tolist() == [store.SCHEMA_VERSION]
    assert store.built_fingerprint(db) == "fingerprint"
    assert not temporaries(db)


def test_build_info_is_written_afresh_when_not_kept(tmp_path, published):
    db = write(tmp_path / "x.duckdb", published)
    with store.rewriting(db, keep=[name for name in KEEP if name != "build_info"], fingerprint="new") as new:
        assert new.con  # nothing else to write
    assert store.built_fingerprint(db) == "new"


def test_a_discarded_rewrite_leaves_the_database_byte_identical(tmp_path, published):
    db = write(tmp_path / "x.duckdb", published, incidents=incidents(5))
    same = unchanged(db)
    with store.rewriting(db, keep=KEEP, fingerprint=None) as new:
        new.con.from_arrow(incidents(2, first=5)).insert_into("incidents")
        new.discard()
    assert same()
    assert not temporaries(db)


def test_an_exception_in_the_body_propagates_and_leaves_the_database_as_it_was(tmp_path, published):
    db = write(tmp_path / "x.duckdb", published, incidents=incidents(5))
    same = unchanged(db)
    with pytest.raises(ValueError, match="a bad row"):
        with store.rewriting(db, keep=KEEP, fingerprint=None) as new:
            new.con.from_arrow(incidents(2, first=5)).insert_into("incidents")
            raise ValueError("a bad row")
    assert same()
    assert not temporaries(db)


def test_a_full_disk_fails_the_write_and_leaves_the_database_as_it_was(tmp_path, published):
    db = write(tmp_path / "x.duckdb", published, incidents=incidents(200_000))
    pq.write_table(incidents(200_000, first=200_000), rows := tmp_path / "more.parquet")
    same = unchanged(db)
    size = db.stat().st_size  # the new file, holding twice the rows, cannot stay under the old one's size

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))  # writes beyond it fail: Python ignores SIGXFSZ

    writer = run_writer(db, rows, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=small_files)
    _, err = writer.communicate()
    assert writer.returncode != 0
    assert "WriteError" in err and "File too large" in err and "the database is unchanged" in err, err
    assert same()
    assert len(table(db, "incidents")) == 200_000
    assert not temporaries(db)


def test_a_writer_killed_mid_write_leaves_the_database_and_the_next_one_removes_its_files(tmp_path, published):
    db = write(tmp_path / "x.duckdb", published, incidents=incidents(1000))
    pq.write_table(incidents(100_000, first=1000), rows := tmp_path / "more.parquet")
    same = unchanged(db)
    writer = run_writer(db, rows, wait=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert writer.stdout.readline() == "writing\n"
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    writer.stdin.close()
    writer.stdout.close()
    (tmp_path / ".x.duckdb.abc123.tmp").write_bytes(b"a temporary an older version left")
    (tmp_path / ".x.duckdb.abc123.tmp.wal").write_bytes(b"and its log")
    killed = set(temporaries(db))
    assert len(killed) == 3, "the dead writer's folder besides the older version's leftovers"
    assert any(path.is_dir() and any(path.iterdir()) for path in killed), "the new file the writer was writing"
    assert same()

    with store.rewriting(db, keep=KEEP, fingerprint=None) as new:
        assert not killed & set(temporaries(db)), "removed under the lock"
        new.discard()
    assert same()
    assert not temporaries(db)
    assert len(table(db, "incidents")) == 1000


def test_a_failed_check_of_what_reached_the_disk_fails_the_write(tmp_path, published, monkeypatch):
    db = write(tmp_path / "x.duckdb", published, incidents=incidents(5))
    same = unchanged(db)
    counts = store._row_counts
    calls = []

    def read_back_one_row_less(con):  # the first call counts what was written, the second what the disk holds
        calls.append(counts(con))
        if len(calls) == 2:
            calls[-1]["incidents"] -= 1
        return calls[-1]

    monkeypatch.setattr(store, "_row_counts", read_back_one_row_less)
    with pytest.raises(store.WriteError, match="incidents: 7 rows written, 6 read back; the database is unchanged"):
        with store.rewriting(db, keep=KEEP, fingerprint=None) as new:
            new.con.from_arrow(incidents(2, first=5)).insert_into("incidents")
    assert same()
    assert not temporaries(db)


def test_a_database_written_before_schema_versions_is_read_and_gets_one(tmp_path, published):
    db = written_by_version_1(tmp_path / "x.duckdb", published, incidents=incidents(3))
    assert "schema_version" not in tables(db)
    with store.rewriting(db, keep=KEEP, fingerprint=None) as new:
        new.con.from_arrow(incidents(1, first=3)).insert_into("incidents")
    assert sorted(table(db, "incidents")["incident_id"]) == ["i0", "i1", "i2", "i3"]
    assert table(db, "schema_version")["version"].tolist() == [2]
    assert store.built_fingerprint(db) == "fingerprint"


def test_a_database_from_before_extracts_existed_gets_them_empty(tmp_path, published):
    db = tmp_path / "x.duckdb"
    with duckdb.connect(str(db)) as con:
        for name, rows in published.items():
            con.from_arrow(rows).create(name)
    with store.rewriting(db, keep=KEEP, fingerprint=None):
        pass
    for name, columns in STORED_COLUMNS.items():
        rows = table(db, name)
        assert rows.empty and list(rows.columns) == list(columns)


def test_no_database_yet(tmp_path, published):
    db = tmp_path / "new" / "x.duckdb"
    with store.rewriting(db, keep=KEEP, fingerprint="first") as new:
        for name, rows in published.items():
            new.con.from_arrow(rows).create(name)
    assert store.built_fingerprint(db) == "first"
    assert table(db, "incidents").empty


def test_a_column_added_to_the_schema_comes_as_null_for_the_rows_already_imported(tmp_path, published, monkeypatch):
    db = write(tmp_path / "x.duckdb", published, incidents=incidents(3))
    columns = list(STORED_COLUMNS["incidents"].items())
    after_source = [name for name, _ in columns].index("source") + 1
    added = dict([*columns[:after_source], ("weapon", "string"), *columns[after_source:]])
    monkeypatch.setitem(store.STORED_COLUMNS, "incidents", added)
    with store.rewriting(db, keep=KEEP, fingerprint=None):
        pass
    rows = table(db, "incidents")
    assert list(rows.columns) == list(store.STORED_COLUMNS["incidents"])
    assert sorted(rows["incident_id"]) == ["i0", "i1", "i2"]
    assert rows["weapon"].isna().all()
    assert rows["district"].eq("Rosengård").all()


def test_a_renamed_table_is_filled_from_the_old_one(tmp_path, published, monkeypatch):
    log = pd.DataFrame({"import_id": ["incidents-1"], "dataset": ["incidents"], "rows_read": [3]})
    imports = store.typed(log.reindex(columns=list(STORED_COLUMNS["imports"])), "imports")
    db = write(tmp_path / "x.duckdb", published, imports=pa.Table.from_pandas(imports, preserve_index=False))
    renamed = {("import_log" if name == "imports" else name): columns for name, columns in STORED_COLUMNS.items()}
    monkeypatch.setattr(store, "STORED_COLUMNS", renamed)
    monkeypatch.setattr(store, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(store, "RENAMED_TABLES", {3: {"imports": "import_log"}})
    with store.rewriting(db, keep=[*renamed, *PUBLISHED, "build_info"], fingerprint=None):
        pass
    assert table(db, "import_log")["import_id"].tolist() == ["incidents-1"]
    assert "imports" not in tables(db)
    assert table(db, "schema_version")["version"].tolist() == [3]


def test_a_table_this_version_does_not_know_is_refused_when_it_holds_rows(tmp_path, published):
    db = write(tmp_path / "x.duckdb", published, contacts=incidents(2), empty_leftover=incidents(0))
    same = unchanged(db)
    with pytest.raises(DataError) as refused:
        with store.rewriting(db, keep=KEEP, fingerprint=None):
            pytest.fail("the body never runs")
    assert [(p.file, p.row, p.column) for p in refused.value.problems] == [("x.duckdb", 0, "contacts")]
    assert "table contacts holds rows this version of slutaskjut does not know" in str(refused.value)
    assert same()
    assert not temporaries(db)


def test_a_table_this_version_does_not_know_is_dropped_when_empty(tmp_path, published):
    db = write(tmp_path / "x.duckdb", published, empty_leftover=incidents(0))
    with store.rewriting(db, keep=KEEP, fingerprint=None):
        pass
    assert "empty_leftover" not in tables(db)


def test_a_database_of_a_newer_schema_version_is_refused(tmp_path, published, monkeypatch):
    monkeypatch.setattr(store, "SCHEMA_VERSION", 3)
    db = write(tmp_path / "x.duckdb", published)
    monkeypatch.undo()
    same = unchanged(db)
    with pytest.raises(DataError, match="x.duckdb, row 0, column schema_version: written by a newer version"):
        with store.rewriting(db, keep=KEEP, fingerprint=None):
            pytest.fail("the body never runs")
    assert same()
    assert not temporaries(db)

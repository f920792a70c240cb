"""Importing partners' extracts: validate, pseudonymise, merge into the database atomically.

`import_files` stages every file as text in DuckDB (slutaskjut.readers), checks every cell and
row with the SQL of queries/imports/, and either refuses the whole import, listing the problems
as file, row, column and reason (the first MAX_LISTED_PROBLEMS of them, with the number found),
or merges the rows into a new database file that replaces the old one only once it is written
and verified (slutaskjut.store). The rows never pass through Python one by one: a million rows
import in seconds, in bounded memory.

Person and group references are replaced by a keyed hash (HMAC-SHA256), computed once per
distinct reference, before anything is stored; the raw value never reaches the database.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import hmac
import os
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from slutaskjut import readers, store
from slutaskjut.extract_schema import (
    DATASETS,
    EARLIEST_DATE,
    EXTRACTS_FOLDER,
    MALMO_BOUNDS,
    MAX_COUNT,
    STORED_COLUMNS,
    SYNTHETIC_SOURCE,
    Dataset,
)
from slutaskjut.problems import MAX_LISTED_PROBLEMS, DataError, Problem
from slutaskjut.queries import import_steps
from slutaskjut.schema import TABLES

KEY_VARIABLE = "SLUTASKJUT_PSEUDONYM_KEY"
# The built-in demonstration extracts' references describe nobody, so their hash needs no
# secret; a fixed key keeps them the same on every machine. Used for data/extracts/ only.
DEMO_KEY = "synthetic-demonstration-data-only"
# A key guessed in a few tries protects nobody: at least this long, with this many different characters.
_MIN_KEY_LENGTH = 16
_MIN_KEY_CHARACTERS = 8
# The source of a row that names none (not the file name: it could name a person or a unit).
NOT_STATED = "not stated"

# The steps of queries/imports/ that differ by extract.
_STEPS = {
    "incidents": {
        "problems": "incident_problems",
        "typed": "typed_incidents",
        "merge": "merge_incidents",
        "remove_built_in": "remove_built_in_incidents",
    },
    "interventions": {
        "problems": "intervention_problems",
        "typed": "typed_interventions",
        "merge": "merge_interventions",
        "remove_built_in": "remove_built_in_interventions",
    },
}
# An import rewrites the database with every table it holds; a rebuild from data/ brings the published ones.
_IMPORT_KEEPS = [*(table.name for table in TABLES), *STORED_COLUMNS, "build_info"]


@dataclass(frozen=True)
class Summary:
    dataset: str
    files: int
    rows_read: int
    added: int
    replaced: int
    unchanged: int
    skipped: Counter
    synthetic_removed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.synthetic_removed)

    def __str__(self) -> str:
        skipped = sum(self.skipped.values())
        # one line: reasons told apart by kind, not by value ("type '…' is not ...")
        kinds = Counter()
        for reason, count in self.skipped.items():
            kinds[re.sub(r"'[^']*'", "'…'", reason)] += count
        reasons = "; ".join(f"{reason}: {count}" for reason, count in kinds.most_common())
        line = (
            f"{self.dataset}: {self.rows_read} rows read from {self.files} file{'s' * (self.files != 1)}: "
            f"{self.added} added, {self.replaced} replaced, {self.unchanged} unchanged, {skipped} skipped"
        )
        if reasons:
            line += f" ({reasons})"
        if self.synthetic_removed:
            line += f"; {self.synthetic_removed} synthetic demonstration rows removed"
        return line + ("." if self.changed else "; the database is unchanged.")


def pseudonym(value: str, key: str) -> str:
    """The keyed hash stored in place of a person or group reference."""
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()[:20]


def configured_key(secrets_file: Path | None = None) -> str | None:
    """The pseudonymisation key: SLUTASKJUT_PSEUDONYM_KEY, else `pseudonym_key` in the secrets file."""
    if os.environ.get(KEY_VARIABLE):
        return os.environ[KEY_VARIABLE]
    if secrets_file and secrets_file.exists():
        return tomllib.loads(secrets_file.read_text()).get("pseudonym_key")
    return None


def _key_problems(key: str | None, file: str, demonstration: bool) -> list[Problem]:
    """Why the pseudonymisation key cannot protect the references, if it cannot."""
    if key is None:
        message = (
            f"no pseudonymisation key: set {KEY_VARIABLE} or pseudonym_key in .streamlit/secrets.toml "
            f"(at least {_MIN_KEY_LENGTH} characters, kept out of the repository)"
        )
    elif key == DEMO_KEY and not demonstration:
        message = (
            "the pseudonymisation key is the public demonstration key in the repository: "
            f"set {KEY_VARIABLE} to a secret of your own"
        )
    elif len(key) < _MIN_KEY_LENGTH:
        message = f"the pseudonymisation key is shorter than {_MIN_KEY_LENGTH} characters"
    elif len(set(key.strip())) < _MIN_KEY_CHARACTERS:
        message = (
            f"the pseudonymisation key is too easy to guess: use at least {_MIN_KEY_CHARACTERS} different "
            "characters, for example from python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    else:
        return []
    return [Problem(file, 0, "person_ref", message)]


def _run(con: duckdb.DuckDBPyConnection, step: str, **params) -> list[tuple]:
    """Run one step of queries/imports/ with bound parameters; its rows, if it returns any."""
    result = con.execute(import_steps()[step].sql, params or None)
    return result.fetchall() if result.description else []


def _create(con: duckdb.DuckDBPyConnection, into: str, step: str, **params) -> None:
    """Store what one step of queries/imports/ returns as the staging table `into`."""
    con.sql(import_steps()[step].sql, params=params or None).create(into)


def _view(con: duckdb.DuckDBPyConnection, name: str, step: str, **params) -> None:
    """Name what one step of queries/imports/ returns as the view `name` of this connection: computed
    where it is read, never stored (typing a million rows costs less than storing them twice)."""
    con.sql(import_steps()[step].sql, params=params or None).create_view(name)


def _check_params(dataset: Dataset, today: dt.date) -> dict:
    params = {"today": today, "earliest": EARLIEST_DATE, "kinds": list(dataset.kinds)}
    if dataset.name == "incidents":
        bounds = MALMO_BOUNDS
        area = f"{bounds['lat_min']}–{bounds['lat_max']} N, {bounds['lon_min']}–{bounds['lon_max']} E"
        params |= {"max_count": MAX_COUNT, "area": area, **bounds}
    return params


def _stage_incoming(
    con: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    paths: list[Path],
    mapping: readers.Mapping | None,
    key: str | None,
    today: dt.date,
    import_id: str | None,
    demonstration: bool = False,
) -> Counter:
    """Stage, check and type the files into the view `incoming` (each distinct row once); the rows skipped
    by reason. Raises DataError with the problems, the first MAX_LISTED_PROBLEMS of each kind."""
    _run(con, "drop_staging")
    _run(con, "cell_rules")
    skipped = _stage_files(con, dataset, paths, mapping)
    _check_cells(con, dataset, today, key, paths[0].name, demonstration)
    if "person_ref" in dataset.columns:
        references = [reference for (reference,) in _run(con, "references")]
        hashed = pa.table({"reference": references, "pseudonym": [pseudonym(value, key) for value in references]})
        con.from_arrow(hashed).create("staging.pseudonyms")
    typed = {"not_stated": NOT_STATED, "synthetic": SYNTHETIC_SOURCE, "import_id": import_id}
    if dataset.name == "incidents":
        typed["max_count"] = MAX_COUNT
    _view(con, "typed", _STEPS[dataset.name]["typed"], **typed)
    _view(con, "keyed", "keyed", key=dataset.key)
    skipped["repeated row"] += _without_repeats(con, dataset)
    return +skipped


def _stage_files(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, paths: list[Path], mapping: readers.Mapping | None
) -> Counter:
    """Read every file into staging.staged, as text; the rows skipped by reason."""
    con.from_arrow(readers.staged_schema(dataset).empty_table()).create("staging.staged")
    skipped, problems, found = Counter(), [], 0
    for path in paths:
        staged = readers.stage(con, "staging.staged", path, dataset, mapping)
        skipped.update(staged.skipped)
        problems += staged.problems
        found += staged.problems_found
    if found:
        raise DataError(problems[:MAX_LISTED_PROBLEMS], found)
    _view(con, "cells", "cells")
    return skipped


def _check_cells(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, today: dt.date, key: str | None, file: str, demonstration: bool
) -> None:
    """Raise DataError with the problems of the staged cells and of the key, if there are any."""
    _view(con, "row_problems", _STEPS[dataset.name]["problems"], **_check_params(dataset, today))
    rows = _run(con, "problems", synthetic=SYNTHETIC_SOURCE, limit=MAX_LISTED_PROBLEMS)
    problems = [Problem(*row[:4]) for row in rows]
    found = rows[0][4] if rows else 0
    if "person_ref" in dataset.columns:
        key_problems = _key_problems(key, file, demonstration)
        problems, found = key_problems + problems, found + len(key_problems)
    if found:
        raise DataError(problems[:MAX_LISTED_PROBLEMS], found)


def _without_repeats(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> int:
    """Make the view `incoming` of the keyed rows, each distinct row once; the number of repeats left out.
    Raises DataError when rows share an id with other content: which one is right cannot be known."""
    ((row_count, id_count),) = _run(con, "id_counts")
    if row_count == id_count:  # every id once, as in most files: nothing repeated, nothing in conflict
        con.table("keyed").create_view("incoming")
        return 0
    findings = _run(con, "repeats_and_conflicts", key=dataset.key, limit=MAX_LISTED_PROBLEMS)
    found = {finding: count for finding, *_, count in findings}
    conflicts = [Problem(file, row, dataset.key, message) for finding, file, row, message, _ in findings if message]
    if conflicts:
        raise DataError(conflicts, found["conflict"])
    _create(con, "staging.incoming_rows", "incoming")
    con.table("staging.incoming_rows").create_view("incoming")
    return found.get("repeat", 0)


def _synthetic_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.table(table).filter("is_synthetic").count("*").fetchall()[0][0]  # the relation API: no SQL string


def _file_digest(paths: list[Path]) -> str:
    """SHA-256 of the files' bytes in the order given, read in blocks: a file never sits in memory whole."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()


def import_files(
    dataset_name: str,
    paths: list[Path],
    db_path: Path,
    *,
    mapping_path: Path | None = None,
    key: str | None = None,
    imported_by: str | None = None,
    today: dt.date | None = None,
) -> Summary:
    """Validate the files and merge them into the database at db_path in one atomic write.

    Raises DataError listing the problems; the database is then exactly as it was.
    Importing the same files again changes nothing and writes nothing.
    """
    dataset = DATASETS[dataset_name]
    mapping, problems = readers.load_mapping(mapping_path) if mapping_path else (None, [])
    if problems:
        raise DataError(problems)
    today = today or dt.date.today()
    digest = _file_digest(paths)
    import_id = f"{dataset.name}-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{digest[:8]}"
    with store.rewriting(db_path, keep=_IMPORT_KEEPS, fingerprint=None) as new:
        con = new.con
        skipped = _stage_incoming(con, dataset, paths, mapping, key, today, import_id)
        incoming = con.table("incoming").count("*").fetchall()[0][0]
        rows_read = incoming + sum(skipped.values())
        if not incoming:  # every row skipped: nothing to merge, nothing to write
            new.discard()
            return Summary(dataset.name, len(paths), rows_read, 0, 0, 0, skipped)
        if _synthetic_rows(con, "incoming"):
            # imported rows outlive every rebuild, so synthetic ones would reach the public dashboard
            message = (
                f"'{SYNTHETIC_SOURCE}' marks demonstration rows, which are never imported: demo mode "
                f"(SLUTASKJUT_DEMO=1) loads them from data/{EXTRACTS_FOLDER}/"
            )
            raise DataError([Problem(paths[0].name, 0, "source", message)])
        # real rows replace the built-in demonstration rows, never mix with them
        synthetic_removed = _synthetic_rows(con, dataset.name)
        _create(con, "staging.changes", "changes", table=dataset.name, key=dataset.key)
        ((replaced, unchanged),) = _run(con, "change_counts")
        added = incoming - replaced - unchanged
        summary = Summary(dataset.name, len(paths), rows_read, added, replaced, unchanged, skipped, synthetic_removed)
        if not summary.changed:
            new.discard()
            return summary
        _run(con, _STEPS[dataset.name]["merge"])
        _run(
            con,
            "log_import",
            import_id=import_id,
            dataset=dataset.name,
            file_names=", ".join(path.name for path in paths),
            file_sha256=digest,
            rows_read=rows_read,
            rows_added=added,
            rows_replaced=replaced,
            rows_unchanged=unchanged,
            rows_skipped=sum(skipped.values()),
            imported_by=imported_by or getpass.getuser(),
        )
    return summary


def refresh_built_in_rows(con: duckdb.DuckDBPyConnection, folder: Path, demo: bool) -> None:
    """Take the built-in rows of each extract afresh from data/extracts/ (`built_in_files`), in the
    database being rebuilt (`con`, a store.rewriting connection holding the stored extract tables).

    Rows partners imported (those with an import_id) are kept as they are. Outside demo mode the
    built-in rows are the events the police published, real rows beside the imported ones; an
    imported row with the same id (an event the police corrected, fetched by a refresh) wins. In
    demo mode they are the synthetic demonstration rows, and only for an extract with no imported
    rows: real rows replace them. The files are read and validated like any import. Demonstration
    files with a real row are refused: real rows belong in an import, with its secret key and its
    history.
    """
    for name, dataset in DATASETS.items():
        _run(con, _STEPS[name]["remove_built_in"])
        files = built_in_files(folder, name, demo)
        if not files or (demo and con.table(name).count("*").fetchall()[0][0]):
            continue
        # the demonstration references describe nobody; real ones are never hashed with a public key
        _stage_incoming(con, dataset, files, None, DEMO_KEY if demo else None, dt.date.today(), None, demo)
        incoming = con.table("incoming").count("*").fetchall()[0][0]
        if demo and _synthetic_rows(con, "incoming") != incoming:
            message = (
                f"data/{EXTRACTS_FOLDER}/{name}_*.csv holds synthetic demonstration rows "
                f"only (source '{SYNTHETIC_SOURCE}'): import real extracts with python -m slutaskjut import"
            )
            raise DataError([Problem(files[0].name, 0, "source", message)])
        _create(con, "staging.changes", "changes", table=name, key=dataset.key)
        _run(con, "imported_rows_win")
        _run(con, _STEPS[name]["merge"])


def built_in_files(folder: Path, dataset_name: str, demo: bool) -> list[Path]:
    """The built-in files of one extract in data/extracts/: in demo mode the synthetic demonstration
    files `<dataset>_*.csv`, otherwise the events the police published, `<dataset>_*.jsonl`."""
    return sorted(folder.glob(f"{dataset_name}_*.{'csv' if demo else 'jsonl'}"))

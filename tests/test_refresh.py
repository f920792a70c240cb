"""`python -m slutaskjut refresh`: the police's latest events, fetched from their API and imported.

These machines reach no internet, so the API is a local HTTP server (http.server in a thread) that
answers with a fixture the test writes, and SLUTASKJUT_POLICE_EVENTS_URL points the command at it.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from extract_files import police_event

from slutaskjut import readers, refresh
from slutaskjut.__main__ import main
from slutaskjut.extract_schema import INCIDENTS
from slutaskjut.load import build_database
from slutaskjut.paths import data_dir

POLICE_EVENTS = data_dir() / "extracts" / "incidents_polisen_events.jsonl"


@dataclass
class Answer:
    """What the fixture API answers, and the requests it was sent."""

    status: int = 200
    body: bytes = b"[]"
    content_type: str = "application/json; charset=utf-8"
    requests: list[dict] = field(default_factory=list)


@pytest.fixture
def api() -> Iterator[tuple[str, Answer]]:
    """A local stand-in for polisen.se/api/events: its URL, and the answer it gives (set by the test)."""
    answer = Answer()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            answer.requests.append({"path": self.path, "user_agent": self.headers.get("User-Agent")})
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, *args):  # quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api/events", answer
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def db(real_database, tmp_path, monkeypatch, api) -> Path:
    """A copy of the database built without demo mode (conftest), with the command pointed at the fixture API."""
    path = Path(shutil.copy(real_database, tmp_path / "refreshed.duckdb"))
    monkeypatch.delenv("SLUTASKJUT_DEMO")
    monkeypatch.setenv("SLUTASKJUT_DB", str(path))
    monkeypatch.setenv("SLUTASKJUT_POLICE_EVENTS_URL", api[0])
    return path


def shipped_event(kind: str = "Skottlossning") -> dict:
    """An event of the shipped file that the build kept, as the API gave it."""
    events = [json.loads(line) for line in POLICE_EVENTS.read_text(encoding="utf-8").splitlines()]
    return next(event for event in events if event["type"] == kind and event["name"].endswith(", Malmö"))


def latest_events() -> list[dict]:
    """The API's answer: one event already shipped, two new in Malmö, one in Lund and a murder."""
    return [
        shipped_event(),
        police_event(900001, "2026-09-14 22:40:12 +02:00", "14 september 21:55, Skottlossning, Malmö"),
        police_event(900002, "2026-09-20 3:05:40 +02:00", "20 september 02.41, Explosion, Malmö", type="Explosion"),
        police_event(900003, "2026-09-21 1:00:00 +02:00", "21 september 00:30, Skottlossning, Lund"),
        police_event(900004, "2026-09-22 8:00:00 +02:00", "22 september 07:10, Mord/dråp, Malmö", type="Mord/dråp"),
    ]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(db: Path, table: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.table(table).df()


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_refresh_imports_the_new_events_and_a_second_run_changes_nothing(db, api, capsys):
    _, answer = api
    answer.body = json.dumps(latest_events(), ensure_ascii=False).encode()
    shipped = len(readers.read_rows(POLICE_EVENTS, INCIDENTS).frame)

    code, out, err = run(capsys, "refresh", "--by", "test")
    assert code == 0, err
    assert out.startswith("incidents: 5 rows read from 1 file: 2 added, 0 replaced, 1 unchanged, 2 skipped")
    incidents = rows(db, "incidents").set_index("incident_id")
    assert len(incidents) == shipped + 2
    new = incidents.loc[["polisen-900001", "polisen-900002"]]
    assert new["kind"].tolist() == ["shooting", "explosion"]
    assert new["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-09-14", "2026-09-20"]
    assert new["time"].tolist() == ["21:55", "02:41"]
    assert (new["source"] == readers.POLICE_SOURCE).all() and not new["is_synthetic"].any()
    assert new["import_id"].notna().all() and new[["latitude", "longitude"]].isna().all().all()
    history = rows(db, "imports")
    assert history[["file_names", "rows_added", "imported_by"]].values.tolist() == [[refresh.FILE_NAME, 2, "test"]]
    assert answer.requests[0]["path"] == "/api/events"
    assert "slutaskjut" in answer.requests[0]["user_agent"], "the police ask API users to name themselves"

    before = digest(db)
    code, out, _ = run(capsys, "refresh")
    assert code == 0
    assert "0 added, 0 replaced, 3 unchanged, 2 skipped" in out and "the database is unchanged" in out
    assert digest(db) == before

    build_database(data_dir(), db)  # a rebuild keeps what a refresh brought
    assert {"polisen-900001", "polisen-900002"} <= set(rows(db, "incidents")["incident_id"])
    assert len(rows(db, "incidents")) == shipped + 2


def test_an_event_the_police_corrected_replaces_the_shipped_one(db, api, capsys):
    _, answer = api
    corrected = shipped_event() | {"name": shipped_event()["name"].replace("Skottlossning", "Skottlossning, misstänkt")}
    corrected["type"] = "Skottlossning, misstänkt"
    answer.body = json.dumps([corrected], ensure_ascii=False).encode()
    code, out, err = run(capsys, "refresh")
    assert code == 0, err
    assert "0 added, 1 replaced, 0 unchanged" in out
    build_database(data_dir(), db)
    event = rows(db, "incidents").set_index("incident_id").loc[f"polisen-{corrected['id']}"]
    assert event["kind"] == "suspected_shooting" and pd.notna(event["import_id"])


def test_refresh_fails_cleanly_when_the_server_is_down(tmp_path, monkeypatch, capsys):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = tmp_path / "never.duckdb"
    monkeypatch.delenv("SLUTASKJUT_DEMO")
    monkeypatch.setenv("SLUTASKJUT_DB", str(db))
    monkeypatch.setenv("SLUTASKJUT_POLICE_EVENTS_URL", f"http://127.0.0.1:{port}/api/events")
    code, out, err = run(capsys, "refresh")
    assert code == 2 and not out
    assert f"http://127.0.0.1:{port}/api/events could not be reached" in err
    assert "Nothing was imported; the database is unchanged." in err
    assert not db.exists(), "a failed fetch does not even build the database"


def test_refresh_fails_cleanly_on_an_error_answer(db, api, capsys):
    _, answer = api
    answer.status, answer.body = 503, b"Service Unavailable"
    before = digest(db)
    code, _, err = run(capsys, "refresh")
    assert code == 2
    assert "answered HTTP 503" in err and "the database is unchanged" in err
    assert digest(db) == before


def test_refresh_refuses_an_answer_that_is_not_police_events(db, api, capsys):
    _, answer = api
    answer.body, answer.content_type = b"<html><body>Underhall</body></html>", "text/html"
    before = digest(db)
    code, _, err = run(capsys, "refresh")
    assert code == 2
    assert f"{refresh.FILE_NAME}, row 0, column -: named .json but it is text (perhaps CSV), not JSON" in err
    assert "nothing was imported; the database is unchanged" in err
    assert digest(db) == before


def test_refresh_refuses_a_url_it_cannot_open(monkeypatch, capsys):
    monkeypatch.setenv("SLUTASKJUT_POLICE_EVENTS_URL", "polisen.se/api/events")
    code, _, err = run(capsys, "refresh")
    assert code == 2 and "'polisen.se/api/events' is not a web address" in err

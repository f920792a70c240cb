"""Real data by default, demonstration data on request (SLUTASKJUT_DEMO=1, `make demo`).

Without demo mode the database holds the published figures and the events the police published
(data/extracts/incidents_polisen_events.jsonl), and not one synthetic row; pages label the events
and say that they count fewer shootings than the police's statistics. In demo mode the synthetic
extracts take their place, under their banner. A database built in one mode is rebuilt when it is
opened in the other, and a demonstration database is never shown to the public, not even when the
data files have problems.

The session database (conftest) is built in demo mode; the tests here switch it off themselves.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import PARTNER, SIGN_IN, extract_database, footer_lines, run_page
from extract_files import incident_row, write_csv
from test_images import record_downloads
from test_load import rewrite
from test_pages import texts_of

from slutaskjut import fmt, markdown, paths, readers, store
from slutaskjut.__main__ import main
from slutaskjut.extract_schema import INCIDENTS
from slutaskjut.i18n import t, texts
from slutaskjut.imports import KEY_VARIABLE
from slutaskjut.load import build_database, built_fingerprint, ensure_database, fingerprint, stale_database_usable
from slutaskjut.paths import ROOT, data_dir
from slutaskjut.problems import DataError
from slutaskjut.queries import run_query

POLICE_EVENTS = data_dir() / "extracts" / "incidents_polisen_events.jsonl"
ALL_YEARS = {"from": "2016", "to": "2026"}


def follows(text: str, key: str, lang: str) -> bool:
    """Whether `text` holds the catalogue's text `key`, whatever the values in its placeholders."""
    parts = re.split(r"\{\w+\}", texts()[key][lang])
    return re.search(".+?".join(re.escape(part) for part in parts), text) is not None


def table(db: Path, name: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.table(name).df()


@pytest.fixture
def real_data(tmp_path, monkeypatch) -> Path:
    """Demo mode off, as on a public deployment, and a database of its own (built when first used)."""
    monkeypatch.delenv("SLUTASKJUT_DEMO")
    path = tmp_path / "real.duckdb"
    monkeypatch.setenv("SLUTASKJUT_DB", str(path))
    return path


# What the database holds ---------------------------------------------------------------------------


def test_demo_mode_is_on_only_when_asked_for(monkeypatch):
    for value in ("1", "true", "YES", " 1 "):
        monkeypatch.setenv("SLUTASKJUT_DEMO", value)
        assert paths.demo_mode(), value
    for value in ("", "0", "false", "no", "demo please"):
        monkeypatch.setenv("SLUTASKJUT_DEMO", value)
        assert not paths.demo_mode(), value
    monkeypatch.delenv("SLUTASKJUT_DEMO")
    assert not paths.demo_mode()


def test_demo_mode_has_a_database_of_its_own(monkeypatch):
    monkeypatch.delenv("SLUTASKJUT_DB")
    monkeypatch.delenv("SLUTASKJUT_DEMO")
    public = paths.database_path()
    monkeypatch.setenv("SLUTASKJUT_DEMO", "1")
    assert paths.database_path() != public and paths.database_path().parent == public.parent


def test_a_default_build_holds_the_police_events_and_nothing_synthetic(real_database):
    incidents = table(real_database, "incidents")
    expected = readers.read_rows(POLICE_EVENTS, INCIDENTS)
    assert not expected.problems
    assert sorted(incidents["incident_id"]) == sorted(expected.frame["incident_id"])
    # as the README's import table says of this file
    assert incidents["kind"].value_counts().to_dict() == {"explosion": 54, "shooting": 34, "suspected_shooting": 4}
    assert len(expected.skipped) == 86
    assert not incidents["is_synthetic"].any()
    assert (incidents["source"] == readers.POLICE_SOURCE).all()
    assert incidents["import_id"].isna().all(), "built in, not imported"
    # the events' gps point is the municipality's centre, never an incident's place
    assert incidents[["latitude", "longitude", "district", "dead", "injured"]].isna().all().all()
    assert table(real_database, "interventions").empty, "no real contact extract ships"
    assert table(real_database, "imports").empty


def test_a_demo_build_holds_the_synthetic_extracts_only(database_path):
    for name in ("incidents", "interventions"):
        rows = table(database_path, name)
        assert len(rows) and rows["is_synthetic"].all(), name
    assert not table(database_path, "incidents")["incident_id"].str.startswith("polisen-").any()


def test_the_fingerprint_follows_the_mode(monkeypatch):
    demo = fingerprint(data_dir())
    monkeypatch.delenv("SLUTASKJUT_DEMO")
    real = fingerprint(data_dir())
    assert real != demo


def test_the_fingerprint_follows_the_police_events_file_without_demo_mode(data_copy, monkeypatch):
    monkeypatch.delenv("SLUTASKJUT_DEMO")
    first = fingerprint(data_copy)
    rewrite(data_copy / "extracts" / "incidents_synthetic.csv", lambda rows: rows.pop())
    assert fingerprint(data_copy) == first, "the synthetic files are not read without demo mode"
    events = data_copy / "extracts" / "incidents_polisen_events.jsonl"
    events.write_bytes(b"".join(events.read_bytes().splitlines(keepends=True)[:-1]))
    assert fingerprint(data_copy) != first


# Imports beside the police events ---------------------------------------------------------------------


def test_a_partners_import_adds_to_the_police_events_and_a_rebuild_keeps_both(real_data, tmp_path, capsys):
    extract = write_csv(tmp_path / "partner.csv", [incident_row(incident_id="p1", date="2019-05-01")])
    assert main(["import", "incidents", str(extract)]) == 0
    out = capsys.readouterr().out
    assert "1 added" in out and "synthetic" not in out
    events = len(readers.read_rows(POLICE_EVENTS, INCIDENTS).frame)
    assert len(table(real_data, "incidents")) == events + 1
    build_database(data_dir(), real_data)
    incidents = table(real_data, "incidents").set_index("incident_id")
    assert len(incidents) == events + 1 and incidents.loc["p1", "source"] == "test"
    coverage = table(real_data, "incident_coverage")
    assert sorted(coverage["source"]) == sorted([readers.POLICE_SOURCE, "test"])


def test_an_imported_event_wins_over_the_built_in_one_with_its_id(real_data, tmp_path, capsys):
    """A refresh that brings an event the police corrected replaces the shipped row, and the rebuild keeps it."""
    first = readers.read_rows(POLICE_EVENTS, INCIDENTS).frame.iloc[0]
    corrected = write_csv(
        tmp_path / "corrected.csv",
        [incident_row(incident_id=first["incident_id"], date=first["date"], kind="explosion", dead=None)],
    )
    assert main(["import", "incidents", str(corrected)]) == 0
    assert "1 replaced" in capsys.readouterr().out
    build_database(data_dir(), real_data)
    incidents = table(real_data, "incidents").set_index("incident_id")
    assert incidents.loc[first["incident_id"], "kind"] == "explosion"
    assert pd.notna(incidents.loc[first["incident_id"], "import_id"])
    assert len(incidents) == len(readers.read_rows(POLICE_EVENTS, INCIDENTS).frame)


def test_synthetic_rows_are_never_imported(real_data, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, "a-test-key-that-is-long-enough")
    for dataset, file in (("incidents", "incidents_synthetic.csv"), ("interventions", "interventions_synthetic.csv")):
        code = main(["import", dataset, str(data_dir() / "extracts" / file)])
        assert code == 2
        assert f"{file}, row 0, column source: 'synthetic' marks demonstration rows" in capsys.readouterr().err
    assert not table(real_data, "incidents")["is_synthetic"].any()
    assert table(real_data, "interventions").empty


# The reconciliation ------------------------------------------------------------------------------------


def test_the_reconciliation_shows_by_how_much_the_police_events_fall_short(real_database):
    with duckdb.connect(str(real_database), read_only=True) as con:
        reconciliation = run_query(con, "reconciliation_by_year", from_year=2000, to_year=2100)
        ((first, last),) = con.execute("select min(first_date), max(last_date) from incident_coverage").fetchall()
    assert sorted(set(reconciliation["year"])) == list(range(first.year, last.year + 1)), "the years the events cover"
    compared = reconciliation.dropna(subset=["extract_count", "headline_count"])
    assert (compared["difference"] == compared["extract_count"] - compared["headline_count"]).all()
    partial = reconciliation[reconciliation["year"].isin([first.year, last.year])]
    assert first.strftime("%m-%d") != "01-01" and last.strftime("%m-%d") != "12-31"
    assert "matches" not in set(partial["status"]), "a part of a year is never a match"
    fewer = partial[partial["extract_count"] <= partial["headline_count"]]
    assert (fewer["status"] == "extract_incomplete").all()
    # the events give no dead or injured: their totals are unknown, never 0
    casualties = reconciliation[reconciliation["measure"].isin(["dead", "injured"])]
    assert casualties["extract_count"].isna().all()
    assert set(casualties["status"]) <= {"extract_incomplete", "not_published"}


def test_a_part_of_a_year_with_the_published_count_is_incomplete_not_a_match(tmp_path):
    with duckdb.connect(str(extract_database(tmp_path / "empty.duckdb")), read_only=True) as con:
        (published,) = con.execute(
            "select count from yearly_figures where year = 2019 and measure = 'shootings' and is_headline"
        ).fetchone()
    days = pd.date_range("2019-03-01", "2019-06-30", periods=published)
    rows = pd.DataFrame(
        {"incident_id": [f"p{n}" for n in range(published)], "date": days, "kind": "shooting", "source": "Polisen"}
    ).assign(is_synthetic=False, import_id="test-import")
    with duckdb.connect(str(extract_database(tmp_path / "part.duckdb", incidents=rows)), read_only=True) as con:
        reconciliation = run_query(con, "reconciliation_by_year", from_year=2019, to_year=2019)
    shootings = reconciliation.set_index("measure").loc["shootings"]
    assert (shootings["extract_count"], shootings["difference"]) == (published, 0)
    assert shootings["status"] == "extract_incomplete"


# Pages --------------------------------------------------------------------------------------------------


SYNTHETIC_TEXTS = ("footer.synthetic_extract", "footer.synthetic_contact_extract")


def shows_synthetic_data(app, lang: str) -> bool:
    """Whether a page run says anywhere that it shows synthetic data: the banner or a footer line."""
    banner = t("extract.synthetic", lang) in [warning.value for warning in app.warning]
    lines = [line for element in app.markdown for line in element.value.splitlines()]  # the footer's a line each
    return banner or any(follows(line, key, lang) for line in lines for key in SYNTHETIC_TEXTS)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_pages_on_the_default_build_label_the_events_and_show_nothing_synthetic(real_data, lang):
    trends = run_page("pages/trends.py", lang=lang, **ALL_YEARS)
    assert not trends.exception, trends.exception[0].value if trends.exception else ""
    assert not shows_synthetic_data(trends, lang)
    assert t("extract.police_events", lang) in [info.value for info in trends.info]
    assert any(follows(line, "footer.police_extract", lang) for line in footer_lines(trends))
    assert t("trends.reconciliation_title", lang) in [header.value for header in trends.header]
    for script in (None, "pages/outreach.py", "pages/press.py", "pages/about.py", "pages/benchmarks.py"):
        app = run_page(script, lang=lang)
        assert not app.exception, app.exception[0].value if app.exception else ""
        assert not shows_synthetic_data(app, lang), script


def test_a_chart_image_of_the_events_says_what_they_are(real_data, monkeypatch):
    offered = record_downloads(monkeypatch)
    run_page("pages/trends.py", lang="en", grain="quarter", **ALL_YEARS)
    source_line = offered["download_incidents_by_quarter_svg"][1].args[3]
    assert (
        source_line
        == "Source: "
        + t("image.police_extract", "en", dataset=t("extract.incidents", "en"), sources=readers.POLICE_SOURCE)
        + "."
    )


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_map_places_no_police_event_and_says_so(real_database, monkeypatch, lang):
    monkeypatch.delenv("SLUTASKJUT_DEMO")
    monkeypatch.setenv("SLUTASKJUT_DB", str(real_database))
    app = run_page("pages/map.py", lang=lang, **ALL_YEARS)
    assert not app.exception, app.exception[0].value if app.exception else ""
    assert not app.get("deck_gl_json_chart"), "no cells drawn"
    assert not app.dataframe, "no table of cells or districts"
    events = len(table(real_database, "incidents"))
    all_kinds = t("incident_kind_lower.all", lang)
    expected = t("map.no_places", lang, count=fmt.count(events, lang), kind=all_kinds, years=fmt.year_range(2016, 2026))
    assert expected in [info.value for info in app.info]
    assert t("extract.police_events", lang) in [info.value for info in app.info]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_demo_mode_shows_the_synthetic_data_under_its_banner(lang):
    for script in ("pages/trends.py", "pages/map.py", "pages/outreach.py"):
        app = run_page(script, lang=lang, **ALL_YEARS)
        assert not app.exception
        assert t("extract.synthetic", lang) in [warning.value for warning in app.warning], script
        assert shows_synthetic_data(app, lang)
        assert t("extract.police_events", lang) not in [info.value for info in app.info]


def test_the_partner_sections_on_the_default_build(real_database, monkeypatch):
    monkeypatch.delenv("SLUTASKJUT_DEMO")
    monkeypatch.setenv("SLUTASKJUT_DB", str(real_database))
    shown = {}
    for section in ("outreach", "reconciliation", "imports"):
        app = run_page("pages/partner.py", user=PARTNER, secrets=SIGN_IN, lang="en", section=section, **ALL_YEARS)
        assert not app.exception, app.exception[0].value if app.exception else ""
        assert t("extract.synthetic", "en") not in [warning.value for warning in app.warning], section
        shown[section] = texts_of(app)
    assert t("partner_outreach.no_extract", "en") in shown["outreach"]
    assert markdown.plain(t("partner_reconciliation.comparison_title", "en")) in shown["reconciliation"]
    assert markdown.plain(t("partner_imports.none", "en")) in shown["imports"]


# A demonstration database opened without demo mode --------------------------------------------------------


def test_a_demo_database_opened_without_demo_mode_is_rebuilt(database_path, tmp_path, monkeypatch):
    copy = Path(shutil.copy(database_path, tmp_path / "was-demo.duckdb"))
    monkeypatch.setenv("SLUTASKJUT_DB", str(copy))
    monkeypatch.delenv("SLUTASKJUT_DEMO")
    app = run_page("pages/trends.py", lang="en", **ALL_YEARS)
    assert not app.exception
    assert t("extract.synthetic", "en") not in [warning.value for warning in app.warning]
    assert t("extract.police_events", "en") in [info.value for info in app.info]
    assert built_fingerprint(copy) == fingerprint(data_dir())
    assert not table(copy, "incidents")["is_synthetic"].any() and table(copy, "interventions").empty


def test_a_demo_database_is_not_shown_when_the_data_files_have_problems(data_copy, tmp_path, monkeypatch):
    db = tmp_path / "demo.duckdb"
    ensure_database(data_copy, db)  # demo mode, from valid files
    rewrite(data_copy / "population.csv", lambda rows: rows[1].__setitem__(1, "many"))
    monkeypatch.setenv("SLUTASKJUT_DATA", str(data_copy))
    monkeypatch.setenv("SLUTASKJUT_DB", str(db))
    assert stale_database_usable(db), "in demo mode the last valid demonstration database is shown"
    stale = run_page("pages/trends.py", lang="en")
    assert stale.warning and stale.warning[0].value.startswith(t("notice.data_error_stale", "en"))

    monkeypatch.delenv("SLUTASKJUT_DEMO")
    assert not stale_database_usable(db)
    with pytest.raises(DataError):
        ensure_database(data_copy, db)
    app = run_page("pages/trends.py", lang="en")
    assert not app.exception
    assert app.error and app.error[0].value.startswith(t("notice.data_error", "en"))
    assert not app.title and not app.warning, "the page stops before showing anything"
    assert table(db, "incidents")["is_synthetic"].all(), "the database is left as it was, unseen"


def test_a_real_database_stays_in_view_when_the_data_files_have_problems(data_copy, tmp_path, monkeypatch):
    monkeypatch.delenv("SLUTASKJUT_DEMO")
    db = tmp_path / "real.duckdb"
    ensure_database(data_copy, db)
    rewrite(data_copy / "population.csv", lambda rows: rows[1].__setitem__(1, "many"))
    assert stale_database_usable(db)


# make run and make demo ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("target", "mode"), [("run", "SLUTASKJUT_DEMO=0"), ("demo", "SLUTASKJUT_DEMO=1")])
def test_make_run_is_real_data_and_make_demo_the_demonstration(target, mode):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    commands = subprocess.run(
        ["make", "-n", target], cwd=ROOT, capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"}
    ).stdout.splitlines()
    (start,) = [line for line in commands if "streamlit run serve.py" in line]
    assert start.startswith(f"{mode} ")


def test_a_rebuild_that_cannot_be_written_keeps_serving_the_database_in_place(data_copy, tmp_path, monkeypatch):
    """A full disk during a page's rebuild: the page says so above the figures of the database in place."""
    db = tmp_path / "in-place.duckdb"
    monkeypatch.setenv("SLUTASKJUT_DATA", str(data_copy))
    monkeypatch.setenv("SLUTASKJUT_DB", str(db))
    monkeypatch.delenv("SLUTASKJUT_DEMO")
    ensure_database(data_copy, db)
    before = db.read_bytes()
    rewrite(data_copy / "population.csv", lambda rows: rows[1].__setitem__(1, str(int(rows[1][1]) + 1)))  # a rebuild

    def full_disk(*args, **kwargs):
        raise store.WriteError("could not write the database in-place.duckdb: [Errno 28] No space left on device")

    monkeypatch.setattr(store, "_commit", full_disk)
    app = run_page("pages/trends.py", lang="en")
    assert not app.exception
    assert app.warning and app.warning[0].value.startswith(t("notice.data_error_stale", "en"))
    assert "No space left on device" in app.warning[0].value
    assert app.title, "the figures of the database in place are shown"
    assert db.read_bytes() == before

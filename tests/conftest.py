"""Shared fixtures: databases built from the shipped data, in demo mode (and one with an import) and without,
copies of data/ to break, pages, and visitors for the partner sign-in."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from browser import chromium
from extract_files import incident_row, write_csv
from streamlit import config as streamlit_config
from streamlit.runtime.secrets import secrets_singleton
from streamlit.testing.v1 import AppTest

from slutaskjut import store
from slutaskjut.extract_schema import STORED_COLUMNS
from slutaskjut.imports import import_files
from slutaskjut.load import ensure_database, fingerprint, read_all
from slutaskjut.paths import ROOT, data_dir

# Sign-in configured, and visitors as st.user sees them: run_page(script, user=PARTNER, secrets=SIGN_IN).
SIGN_IN = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "a-cookie-secret-for-tests-only",
        "client_id": "slutaskjut",
        "client_secret": "test",
        "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration",
    },
    "partners": {"emails": ["analys@example.org"], "domains": ["malmo.se", "polisen.se"]},
}
PARTNER = {"is_logged_in": True, "email": "Analys@Example.org", "email_verified": True, "name": "Analys"}
NOT_A_PARTNER = {"is_logged_in": True, "email": "someone@example.com", "email_verified": True}
SIGNED_OUT = {"is_logged_in": False}


@pytest.fixture(scope="session", autouse=True)
def no_secrets_files(tmp_path_factory):
    """Pages under test read no developer's .streamlit/secrets.toml: sign-in is off unless a test
    passes secrets to run_page."""
    streamlit_config.set_option("secrets.files", [str(tmp_path_factory.mktemp("secrets") / "none.toml")])
    secrets_singleton._reset()
    yield
    streamlit_config.set_option("secrets.files", streamlit_config.get_config_files("secrets.toml"))
    secrets_singleton._reset()


@pytest.fixture(scope="session", autouse=True)
def database_path(tmp_path_factory) -> Path:
    """Every test, and every page under test, uses a database built in a temporary folder.

    It is built in demo mode (SLUTASKJUT_DEMO=1, for the whole session), so the tests have the rich
    synthetic extracts: incidents with places and casualties, and contacts. Tests of the real data a
    public deployment shows switch demo mode off themselves (tests/test_default_data.py).

    The data is data/, or the folder SLUTASKJUT_DATA names: tests/test_new_data.py runs the suite on a copy
    of data/ with a year added.
    """
    path = tmp_path_factory.mktemp("db") / "slutaskjut.duckdb"
    patch = pytest.MonkeyPatch()
    patch.setenv("SLUTASKJUT_DB", str(path))
    patch.setenv("SLUTASKJUT_DEMO", "1")
    ensure_database(data_dir(), path)
    yield path
    patch.undo()


@pytest.fixture(scope="session")
def real_database(database_path, tmp_path_factory) -> Path:
    """A database built from the shipped data without demo mode, as a public deployment has it: the published
    figures and the events the police published. Read it, or copy it to change it."""
    path = tmp_path_factory.mktemp("real") / "real.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SLUTASKJUT_DEMO")
        ensure_database(data_dir(), path)
    return path


@pytest.fixture(scope="session")
def con(database_path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(database_path), read_only=True)
    yield connection
    connection.close()


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of data/ that a test may break."""
    return Path(shutil.copytree(data_dir(), tmp_path / "data"))


def run_page(
    script: str | None = None,
    *,
    user: dict | None = None,
    secrets: dict | None = None,
    open_tables: bool = True,
    **params: str,
) -> AppTest:
    """Run app.py, switch to `script` (pages/x.py) if given, with URL parameters set; with `open_tables`,
    as a reader who has opened every folded table (widgets.folded) sees it.

    `user` is st.user (AppTest's default, a bare e-mail, is no one signed in); `secrets` are the
    secrets (SIGN_IN configures sign-in; without, there are none).
    """

    def session(opened: list[str]) -> AppTest:
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        if user is not None:
            app.user = user
        if secrets is not None:
            app.secrets = secrets
        for name, value in params.items():
            app.query_params[name] = value
        for key in opened:
            app.session_state[key] = True
        if script:
            app.switch_page(script)
        return app.run()

    app = session([])
    folded = [expander.key for expander in app.expander if expander.key and expander.key.startswith("table_")]
    # a new session with them open from its first run: it shows what a first run shows (a notice, say) too
    return session(folded) if open_tables and folded else app


def footer_lines(app: AppTest) -> list[str]:
    """The lines of the footer's list of sources and extracts as written (Markdown), in order: one Markdown
    element holds them all, a "- **…" line each."""
    return [line for element in app.markdown for line in element.value.splitlines() if line.startswith("- **")]


def extract_database(path: Path, **extracts: pd.DataFrame) -> Path:
    """A database at `path` with the shipped published data and exactly the given extract rows.

    `extracts` maps a stored table (incidents, interventions, imports) to rows; columns left
    out are empty. Tables not given are empty. Point SLUTASKJUT_DB at it to run pages on it.
    """
    tables = read_all(data_dir()) | {name: store.empty_table(name) for name in STORED_COLUMNS}
    for name, frame in extracts.items():
        tables[name] = store.typed(frame.reindex(columns=list(STORED_COLUMNS[name])), name)
    store.write_database(path, tables, fingerprint(data_dir()))
    return path


@pytest.fixture(scope="session")
def imported_database(database_path, tmp_path_factory) -> Path:
    """The session database with one real import (the built-in demonstration extracts are not imports,
    so the import history is empty there): three incidents of 2020 from a police file, by "test".

    They replace the synthetic incidents, as real rows do; the contacts stay synthetic.
    """
    folder = tmp_path_factory.mktemp("imported")
    path = Path(shutil.copy(database_path, folder / "imported.duckdb"))
    rows = [
        incident_row(incident_id="p1", date="2020-03-01", kind="shooting", source="polisen"),
        incident_row(incident_id="p2", date="2020-06-10", kind="explosion", dead="0", injured="0", source="polisen"),
        incident_row(incident_id="p3", date="2020-09-20", kind="shooting", source="polisen"),
    ]
    import_files("incidents", [write_csv(folder / "incidents.csv", rows)], path, imported_by="test")
    return path


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, driven by Playwright: one for each browser test module (tests/browser.py)."""
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def provider():
    """A real OpenID provider on localhost for the sign-in tests: oidc-provider-mock's base URL.

    Its authorization form asks for a subject; a subject it does not know becomes a user whose e-mail claim
    is the subject, without email_verified (browser.register gives a subject other claims).
    """
    import authlib.deprecate  # noqa: F401  (before oidc-provider-mock, see below)

    # oidc-provider-mock 0.3 imports Authlib modules that Authlib 1.9 deprecates. Authlib's first import puts an
    # "always" filter for its warnings in front of all others: imported above, it stays behind this one.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"

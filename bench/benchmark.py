"""Benchmark: large synthetic extracts, their import, every page's run time and the memory used.

    uv run python bench/benchmark.py                                   # 1,000,000 incidents, 200,000 contacts
    uv run python bench/benchmark.py --incidents 100000 --contacts 20000 --runs 3
    uv run python bench/benchmark.py --server                          # also a real `streamlit run` in chromium
    uv run python bench/benchmark.py --imports                         # the import command instead of the pages
    uv run python bench/benchmark.py --imports --scale 0.01            # the same, a hundredth of the rows
    uv run python bench/benchmark.py --imports --code /tmp/old         # another copy of the code (a baseline)

A script, not a test: it prints plain tables and exits 0 whether the targets are met or not.

1. Writes deterministic extracts (numpy, fixed seed) as Parquet into a temporary folder: valid rows of
   2016-2025, inside Malmö, source "Benchmark" (never "synthetic"). Writing them is not timed as import.
2. Builds a fresh database at a temporary SLUTASKJUT_DB from data/ (load.ensure_database) and imports both
   files with slutaskjut.imports.import_files, under a pseudonymisation key set here.
3. For every public page (frame.PAGES) and, with a mocked partner, every section of the partner page
   (frame.PARTNER_SECTIONS):
   runs the page in AppTest (?lang=sv&from=2016&to=2025) once to warm up, recording every named query and
   its parameters (by wrapping chokepoint._query); then times
   - cold:     that first run (an empty query cache, chokepoint.py: every query runs);
   - warm:     the median of N runs with the same URL: every query is a cache hit, so this is the
               page's own work (Streamlit, pandas, plotly, privacy notes) without DuckDB;
   - uncached: the median of N runs, each after chokepoint.clear(): every query runs again on the open
               connection; this is the figure compared with the queries' time;
   - filter:   the median of N runs with a new year range (from=2017..): a filter change on a warm cache;
   - queries:  the median of N runs of the page's distinct queries alone, with queries.run_query on a fresh
               read-only DuckDB connection (no Streamlit, no suppression).
   The target: uncached page run <= 1.5 x queries + 50 ms. During the filter-change runs every open() of a
   file in data/ or of an extract file is counted, and so are the calls of load.fingerprint.
4. Memory: the RSS and peak RSS (VmHWM) of the import (a child process) and of this process after the page
   runs, as a proxy for the server; with --server also the RSS of `streamlit run app.py` on the same
   database after chromium (/usr/bin/chromium, through Playwright) has opened every public page.

With --imports it measures `python -m slutaskjut import DATASET FILE` instead, as a user runs it: a child
process with the code of --code (cwd and PYTHONPATH), a copy of a database built beforehand from data/ (so
no import pays the first build), SLUTASKJUT_DATA=data/ of this checkout, a random pseudonymisation key and
no demo mode. Its time is the command's wall-clock time, from start to exit (Python's start and imports
included); its peak memory is the child's peak RSS as GNU time (/usr/bin/time, %M) reports it. The files
(bench/import_files.py) are written first and not timed:
- 1,000,000 incidents and 200,000 contacts as CSV and Parquet, and 100,000 of each as Excel: rows/s and
  peak RSS of the import, beside DuckDB's own read of the same file in a process of its own (every cell
  counted; openpyxl's read-only iteration for Excel), and the ratio of the two times;
- incidents CSV of 10,000 to 2,000,000 rows: rows/s at each size, and between sizes (marginal rows/s);
- a refused file of 1,000,000 incidents, every date written DD/MM/YYYY: the time until the first line on
  stderr, peak RSS, the size of stderr, and whether the database file stayed byte-identical.
--scale multiplies every row count, for a quick run.
"""

from __future__ import annotations

import argparse
import builtins
import contextlib
import datetime as dt
import gc
import hashlib
import io
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import import_files  # bench/import_files.py, beside this script
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

URL = {"lang": "sv", "from": "2016", "to": "2025"}
FIRST_YEAR, LAST_YEAR = 2016, 2025
SEED = 20261121
KEY = "benchmark-pseudonymisation-key-not-a-secret"
SOURCE = "Benchmark"
TARGET_FACTOR, TARGET_OVERHEAD_MS, TARGET_MEMORY_MB = 1.5, 50.0, 500.0
DISTRICTS = (
    "Centrum",
    "Fosie",
    "Husie",
    "Hyllie",
    "Kirseberg",
    "Limhamn-Bunkeflo",
    "Oxie",
    "Rosengård",
    "Södra innerstaden",
    "Västra innerstaden",
)


# --- generating the extracts -------------------------------------------------------------------------------


def _days(rng: np.random.Generator, n: int) -> np.ndarray:
    last = min(dt.date(LAST_YEAR, 12, 31), dt.date.today())
    start = np.datetime64(dt.date(FIRST_YEAR, 1, 1), "D")
    span = (np.datetime64(last, "D") - start).astype(int) + 1
    return start + rng.integers(0, span, n).astype("timedelta64[D]")


def _count_text(rng: np.random.Generator, n: int, p_zero: float, p_missing: float) -> np.ndarray:
    values = np.where(rng.random(n) < p_zero, 0, rng.integers(1, 4, n)).astype(str).astype(object)
    values[rng.random(n) < p_missing] = None
    return values


def incident_frame(n: int, seed: int = SEED) -> pd.DataFrame:
    """n valid incidents in the canonical columns, as text (None for an empty cell)."""
    from slutaskjut.extract_schema import INCIDENT_KINDS, MALMO_BOUNDS

    rng = np.random.default_rng(seed)
    minutes = rng.integers(0, 24 * 60, n)
    times = np.char.add(
        np.char.add(np.char.zfill((minutes // 60).astype(str), 2), ":"), np.char.zfill((minutes % 60).astype(str), 2)
    )
    times = times.astype(object)
    times[rng.random(n) < 0.1] = None
    lat = rng.uniform(MALMO_BOUNDS["lat_min"] + 0.02, MALMO_BOUNDS["lat_max"] - 0.02, n)
    lon = rng.uniform(MALMO_BOUNDS["lon_min"] + 0.02, MALMO_BOUNDS["lon_max"] - 0.02, n)
    lat_text, lon_text = np.char.mod("%.5f", lat).astype(object), np.char.mod("%.5f", lon).astype(object)
    no_place = rng.random(n) < 0.05
    lat_text[no_place], lon_text[no_place] = None, None
    districts = np.array(DISTRICTS, dtype=object)[rng.integers(0, len(DISTRICTS), n)]
    districts[rng.random(n) < 0.05] = None
    return pd.DataFrame(
        {
            "incident_id": np.char.add("B-I-", np.char.zfill(np.arange(1, n + 1).astype(str), 7)).astype(object),
            "date": np.datetime_as_string(_days(rng, n), unit="D").astype(object),
            "time": times,
            "kind": np.array(INCIDENT_KINDS, dtype=object)[rng.choice(3, n, p=[0.5, 0.2, 0.3])],
            "dead": _count_text(rng, n, 0.9, 0.1),
            "injured": _count_text(rng, n, 0.6, 0.1),
            "district": districts,
            "latitude": lat_text,
            "longitude": lon_text,
            "source": SOURCE,
        }
    )


def write_parquet(frame: pd.DataFrame, path: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame.astype("string"), preserve_index=False)
    pq.write_table(table.cast(pa.schema([(name, pa.string()) for name in frame.columns])), path)
    return path


# --- measuring -----------------------------------------------------------------------------------------------


def proc_status() -> dict[str, float]:
    """VmRSS and VmHWM of this process, in MB."""
    return _status(Path("/proc/self/status"))


def _status(path: Path) -> dict[str, float]:
    values = {}
    for line in path.read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024
    return values


def ms(seconds: float) -> float:
    return seconds * 1000


def median_ms(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return ms(statistics.median(times))


def table(headers: list[str], rows: list[list], title: str) -> None:
    text = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in text)) if text else len(h) for i, h in enumerate(headers)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths, strict=True))))
    print("  ".join("-" * w for w in widths))
    for row in text:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))))


class FileOpens:
    """Counts the files opened in the given folders, or with the given paths (builtins.open, io.open)."""

    def __init__(self, folders: list[Path]):
        self.folders = [str(folder.resolve()) for folder in folders]
        self.opened: list[str] = []
        self._open = builtins.open

    def __enter__(self):
        original = self._open

        def counting_open(file, *args, **kwargs):
            if isinstance(file, str | os.PathLike):
                name = os.path.abspath(os.fspath(file))
                if any(name == folder or name.startswith(folder + os.sep) for folder in self.folders):
                    self.opened.append(name)
            return original(file, *args, **kwargs)

        builtins.open = io.open = counting_open
        return self

    def __exit__(self, *exc):
        builtins.open = io.open = self._open


# --- the benchmark -------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000, help="incident rows (default 1,000,000)")
    parser.add_argument("--contacts", type=int, default=200_000, help="contact rows (default 200,000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per page and measure (default 5)")
    parser.add_argument("--server", action="store_true", help="also measure `streamlit run` in chromium")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (printed)")
    parser.add_argument(
        "--database", type=Path, help="time the pages on this database (a kept one) instead of generating and importing"
    )
    parser.add_argument("--imports", action="store_true", help="measure the import command instead of the pages")
    parser.add_argument("--code", type=Path, default=ROOT, help="--imports: the code folder to run (default: here)")
    parser.add_argument("--scale", type=float, default=1.0, help="--imports: multiply every row count (0.01: quick)")
    parser.add_argument("--timeout", type=float, default=1800, help="--imports: seconds before an import is killed")
    args = parser.parse_args()
    if args.imports:
        return bench_imports(args)

    with work_folder("slutaskjut-bench-", args.keep) as folder:
        db_path = (
            shutil.copy(args.database, folder / "slutaskjut.duckdb") if args.database else folder / "slutaskjut.duckdb"
        )
        os.environ["SLUTASKJUT_DB"] = str(db_path)
        os.environ["SLUTASKJUT_PSEUDONYM_KEY"] = KEY
        os.environ.pop("SLUTASKJUT_DATA", None)
        run(args, folder, db_path)
    return 0


@contextlib.contextmanager
def work_folder(prefix: str, keep: bool):
    """A temporary folder for the run, removed at the end unless --keep."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        if keep:
            print(f"\nKept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def import_step(args, folder: Path, db_path: Path, results) -> None:
    """Write the extracts, build the database and import them: run in a child process, so the memory
    the import takes is not counted in the page runs' (the parent's) RSS."""
    from slutaskjut.imports import import_files
    from slutaskjut.load import ensure_database
    from tests.contact_extracts import Shape, contact_frame  # the generator of the tests' fixture extracts too

    start = time.perf_counter()
    files = {
        "incidents": write_parquet(incident_frame(args.incidents), folder / "incidents.parquet"),
        "interventions": write_parquet(contact_frame(Shape(args.contacts), SEED + 1), folder / "contacts.parquet"),
    }
    generated = time.perf_counter() - start
    gc.collect()
    start = time.perf_counter()
    ensure_database(ROOT / "data", db_path)
    built = time.perf_counter() - start
    rows = []
    for dataset, path in files.items():
        start = time.perf_counter()
        summary = import_files(dataset, [path], db_path, key=KEY, imported_by="benchmark")
        took = time.perf_counter() - start
        rows.append(
            [
                dataset,
                path.name,
                f"{path.stat().st_size / 1e6:.1f}",
                f"{summary.rows_read:,}",
                f"{summary.added:,}",
                f"{took:.1f}",
                f"{summary.rows_read / took:,.0f}",
            ]
        )
    results.put({"generated": generated, "built": built, "rows": rows, "memory": proc_status()})


def run(args, folder: Path, db_path: Path) -> None:
    import multiprocessing

    print(
        f"Sluta skjut benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}; {args.incidents:,} incidents, {args.contacts:,} contacts, "
        f"{args.runs} timed runs per figure"
    )

    # 1.-2. the extracts (not timed as import), a fresh database, the imports: in a child process
    memory_import = None
    if args.database:
        print(f"Pages only, on a copy of {args.database}")
    else:
        context = multiprocessing.get_context("fork")
        results = context.Queue()
        child = context.Process(target=import_step, args=(args, folder, db_path, results))
        child.start()
        result = results.get()
        child.join()
        if child.exitcode:
            raise SystemExit(f"the import failed (exit code {child.exitcode})")
        memory_import = result["memory"]
        table(
            ["dataset", "file", "file MB", "rows read", "rows added", "import s", "rows/s"],
            result["rows"],
            f"Import (files written in {result['generated']:.1f} s, not counted; database built from data/ in "
            f"{result['built']:.1f} s)",
        )
    print(f"Database file: {db_path.stat().st_size / 1e6:.1f} MB")

    # 3. the pages
    page_rows, extra = bench_pages(args, folder, db_path)
    memory_pages = proc_status()

    table(
        [
            "page",
            "cold ms",
            "warm ms",
            "uncached ms",
            "filter ms",
            "queries ms",
            "n queries",
            "ratio",
            "overhead ms",
            "target met",
            "met over floor",
        ],
        page_rows,
        "Pages (AppTest, ?lang=sv&from=2016&to=2025; ratio = uncached / queries; overhead = uncached - 1.5 x queries;"
        " target: overhead <= 50 ms)",
    )
    print(
        "cold: first run, an empty query cache. warm: median, every query a cache hit (no DuckDB).\n"
        "uncached: median, the query cache cleared before each run, so every query runs again (connection open).\n"
        "filter: median, warm cache but a new year range (from=2017, 2018, ...). queries: median of the page's\n"
        "distinct named queries alone (run_query on a fresh read-only connection, no Streamlit, no suppression)."
    )
    print(
        f"AppTest's own floor: a page with one st.title and no data runs in {extra['floor_ms']:.0f} ms (median); "
        "'met over floor' takes it off the page run before comparing."
    )
    table(["query", "ms (median)", "runs on pages"], extra["slowest"], "Slowest queries alone")
    opens = extra["opens"]
    print(
        f"\nFilter change: {extra['filter_runs']} warm runs with a new year range opened {len(opens)} data or extract "
        f"files ({len(set(opens))} distinct) and called load.fingerprint {extra['fingerprints']} times "
        f"({extra['fingerprint_ms']:.1f} ms a call)."
    )
    for name in sorted(set(opens))[:20]:
        print(f"  {opens.count(name):4d} x {Path(name).relative_to(ROOT) if name.startswith(str(ROOT)) else name}")

    # 4. memory
    memory_rows = []
    if memory_import:
        memory_rows.append(
            [
                "import process (generation, build, both imports), at its end",
                f"{memory_import['VmRSS']:.0f}",
                f"{memory_import['VmHWM']:.0f}",
                "-",
            ]
        )
    memory_rows += [
        [
            "benchmark process after the page runs (server proxy)",
            f"{memory_pages['VmRSS']:.0f}",
            f"{memory_pages['VmHWM']:.0f}",
            "yes" if memory_pages["VmRSS"] < TARGET_MEMORY_MB else "no",
        ],
    ]
    if args.server:
        memory_rows += server_memory(db_path)
    table(["process", "RSS MB", "peak MB", f"RSS < {TARGET_MEMORY_MB:.0f} MB"], memory_rows, "Memory")


def bench_pages(args, folder: Path, db_path: Path) -> tuple[list[list], dict]:
    import duckdb
    from streamlit import config as streamlit_config
    from streamlit import logger as streamlit_logger
    from streamlit.runtime.secrets import secrets_singleton
    from streamlit.testing.v1 import AppTest

    streamlit_config.set_option("logger.level", "error")  # no "missing ScriptRunContext" lines: AppTest runs bare
    streamlit_logger.set_log_level("error")

    from slutaskjut import chokepoint, frame, load
    from slutaskjut.queries import run_query

    # no developer's secrets: sign-in only where a partner page is run with the mocked partner below
    streamlit_config.set_option("secrets.files", [str(folder / "none.toml")])
    secrets_singleton._reset()
    sign_in = {
        "auth": {
            "redirect_uri": "http://localhost:8501/oauth2callback",
            "cookie_secret": "a-cookie-secret-for-the-benchmark",
            "client_id": "slutaskjut",
            "client_secret": "benchmark",
            "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration",
        },
        "partners": {"emails": ["bench@example.org"]},
    }
    partner = {"is_logged_in": True, "email": "bench@example.org", "email_verified": True, "name": "Benchmark"}

    recorded: list[tuple[str, dict]] = []
    cached_public, cached_partner = chokepoint._query, chokepoint._query_unsuppressed

    def recording_query(db, stamp, name, params, threshold):
        recorded.append((name, chokepoint._bound(params)))
        return cached_public(db, stamp, name, params, threshold)

    def recording_unsuppressed(db, stamp, name, params):
        recorded.append((name, chokepoint._bound(params)))
        return cached_partner(db, stamp, name, params)

    chokepoint._query, chokepoint._query_unsuppressed = recording_query, recording_unsuppressed
    fingerprint_calls = [0]
    real_fingerprint = load.fingerprint  # ensure_database calls it only when the files' stamp changed

    def counting_fingerprint(data_dir):
        fingerprint_calls[0] += 1
        return real_fingerprint(data_dir)

    load.fingerprint = counting_fingerprint

    def run_page(script: str, is_partner: bool, **params: str) -> AppTest:
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        if is_partner:
            app.user, app.secrets = partner, sign_in
        for name, value in (URL | params).items():
            app.query_params[name] = value
        if script != "app.py":
            app.switch_page(script)
        app.run()
        if app.exception:
            raise RuntimeError(f"{script}: {[e.message for e in app.exception]}")
        return app

    # one run before anything is timed: imports of plotly, pydeck..., the database build check
    run_page("app.py", False)
    streamlit_logger.set_log_level("error")  # again: loggers made since keep the level they were made with
    # what AppTest itself costs: a page with one title and no data
    floor_ms = median_ms(lambda: AppTest.from_string("import streamlit as st\nst.title('x')").run(), args.runs)
    pages = [(key, script, False, {}) for key, script in frame.PAGES.items()]
    pages += [(f"partner_{name}", frame.PARTNER_PAGE, True, {"section": name}) for name in frame.PARTNER_SECTIONS]

    rows, query_times, query_pages, opens, filter_runs, filter_fingerprints = [], {}, {}, [], 0, 0
    data_folders = [ROOT / "data", *folder.glob("*.parquet")]
    for key, script, is_partner, choice in pages:
        chokepoint.clear()
        recorded.clear()
        start = time.perf_counter()
        run_page(script, is_partner, **choice)
        cold = ms(time.perf_counter() - start)
        distinct = list({(name, repr(sorted(params.items()))): (name, params) for name, params in recorded}.values())

        def warm_run(script=script, is_partner=is_partner, choice=choice):
            run_page(script, is_partner, **choice)

        def uncached_run(script=script, is_partner=is_partner, choice=choice):
            chokepoint.clear()
            run_page(script, is_partner, **choice)

        warm = median_ms(warm_run, args.runs)

        uncached = median_ms(uncached_run, args.runs)

        filter_times = []
        fingerprints_before = fingerprint_calls[0]
        for year in range(2017, 2017 + args.runs):
            with FileOpens(data_folders) as counter:
                start = time.perf_counter()
                run_page(script, is_partner, **choice, **{"from": str(year)})
                filter_times.append(time.perf_counter() - start)
            opens += counter.opened
            filter_runs += 1
        filter_ms = ms(statistics.median(filter_times))
        filter_fingerprints += fingerprint_calls[0] - fingerprints_before

        con = duckdb.connect(str(db_path), read_only=True)
        try:
            for name, params in distinct:  # once untimed: the first touch of each table
                run_query(con, name, **params)
            per_query = {name: [] for name, _ in distinct}
            totals = []
            for _ in range(args.runs):
                total = 0.0
                for name, params in distinct:
                    start = time.perf_counter()
                    run_query(con, name, **params)
                    took = time.perf_counter() - start
                    per_query[name].append(took)
                    total += took
                totals.append(total)
        finally:
            con.close()
        queries_ms = ms(statistics.median(totals))
        for name, times in per_query.items():
            query_times[name] = max(query_times.get(name, 0.0), ms(statistics.median(times)))
            query_pages.setdefault(name, set()).add(key)
        overhead = uncached - TARGET_FACTOR * queries_ms
        rows.append(
            [
                key + (" (partner)" if is_partner else ""),
                f"{cold:.0f}",
                f"{warm:.0f}",
                f"{uncached:.0f}",
                f"{filter_ms:.0f}",
                f"{queries_ms:.0f}",
                len(distinct),
                f"{uncached / queries_ms:.1f}" if queries_ms else "-",
                f"{overhead:.0f}",
                "yes" if overhead <= TARGET_OVERHEAD_MS else "no",
                "yes" if overhead - floor_ms <= TARGET_OVERHEAD_MS else "no",
            ]
        )

    chokepoint._query, chokepoint._query_unsuppressed, load.fingerprint = (
        cached_public,
        cached_partner,
        real_fingerprint,
    )
    fingerprint_ms = median_ms(lambda: load.fingerprint(ROOT / "data"), 20)
    slowest = sorted(query_times.items(), key=lambda item: -item[1])[:8]
    return rows, {
        "slowest": [[name, f"{took:.1f}", ", ".join(sorted(query_pages[name]))] for name, took in slowest],
        "opens": opens,
        "filter_runs": filter_runs,
        "floor_ms": floor_ms,
        "fingerprints": filter_fingerprints,
        "fingerprint_ms": fingerprint_ms,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_memory(db_path: Path) -> list[list]:
    """RSS of `streamlit run app.py` on the benchmark's database after chromium opened every public page."""
    import urllib.request

    from slutaskjut import frame

    port = _free_port()
    env = os.environ | {"SLUTASKJUT_DB": str(db_path)}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    status = Path(f"/proc/{server.pid}/status")
    rows = []
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        idle = _status(status)
        rows.append(["streamlit run, started, no session", f"{idle['VmRSS']:.0f}", f"{idle['VmHWM']:.0f}", "-"])
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            return rows + [["(playwright missing: no pages opened)", "-", "-", "-"]]
        if not Path("/usr/bin/chromium").exists():
            return rows + [["(no /usr/bin/chromium: no pages opened)", "-", "-", "-"]]
        query = "&".join(f"{name}={value}" for name, value in URL.items())
        timings = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            tab = browser.new_page()
            for key, script in frame.PAGES.items():
                path = "" if script == "app.py" else Path(script).stem
                start = time.perf_counter()
                tab.goto(f"http://127.0.0.1:{port}/{path}?{query}")
                tab.wait_for_selector("text=Källor", timeout=300_000)
                tab.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=300_000)
                timings.append(f"{key} {time.perf_counter() - start:.1f} s")
            browser.close()
        after = _status(status)
        rows.append(
            [
                "streamlit run, after every public page in chromium",
                f"{after['VmRSS']:.0f}",
                f"{after['VmHWM']:.0f}",
                "yes" if after["VmRSS"] < TARGET_MEMORY_MB else "no",
            ]
        )
        print("\nServer page loads in chromium (first load, incl. the browser): " + ", ".join(timings))
    finally:
        stop_server(server)
    return rows


# --- the import command (--imports) --------------------------------------------------------------------------

IMPORT_ROWS = {"incidents": 1_000_000, "interventions": 200_000, "xlsx": 100_000, "refused": 1_000_000}
GROWTH_ROWS = (10_000, 100_000, 500_000, 1_000_000, 2_000_000)
TARGET_ROWS_PER_S = 200_000
GNU_TIME = Path("/usr/bin/time")  # gives a child's own peak RSS
BUILD = "from slutaskjut import load, paths; load.ensure_database(paths.data_dir(), paths.database_path())"


@dataclass
class Child:
    """What a finished child process did: its time, peak memory, exit code and output."""

    seconds: float
    peak_mb: float
    cpu_seconds: float
    exit_code: int | None  # None: killed at the timeout
    stdout: str
    stderr_bytes: int
    stderr_lines: int
    first_line: str  # stderr's first line, cut to 100 characters
    first_line_seconds: float | None

    @property
    def outcome(self) -> str:
        return "killed" if self.exit_code is None else str(self.exit_code)


def run_child(command: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Child:
    """Run a command to its end under GNU time, which gives its peak RSS (%M) and CPU time. A child of this
    process would inherit this process's peak (ru_maxrss survives fork and exec); GNU time's child starts
    from time's own few MB. Stderr is counted as it arrives, never kept whole."""
    with tempfile.NamedTemporaryFile() as usage, tempfile.TemporaryFile() as stdout:
        timed = [str(GNU_TIME), "--format", "%M %U %S", "--output", usage.name, *command]
        start = time.perf_counter()
        child = subprocess.Popen(timed, cwd=cwd, env=env, stdout=stdout, stderr=subprocess.PIPE, start_new_session=True)
        killer = threading.Timer(timeout, os.killpg, (child.pid, signal.SIGKILL))  # time and the command
        killer.start()
        size, lines, first, first_at = 0, 0, b"", None
        while chunk := child.stderr.read1(1 << 16):
            if first_at is None and b"\n" in chunk:
                first_at = time.perf_counter() - start
            if not lines:
                first = (first + chunk.partition(b"\n")[0])[:100]
            size, lines = size + len(chunk), lines + chunk.count(b"\n")
        exit_code = child.wait()
        seconds = time.perf_counter() - start
        killed = not killer.is_alive()
        killer.cancel()
        child.stderr.close()
        # the last line: "Command exited with non-zero status 2" or "... terminated by signal 9" may come first
        peak_kb, user, system = Path(usage.name).read_text().splitlines()[-1].split()
        stdout.seek(0)
        return Child(
            seconds=seconds,
            peak_mb=int(peak_kb) / 1024,
            cpu_seconds=float(user) + float(system),
            exit_code=None if killed else exit_code,
            stdout=stdout.read().decode(errors="replace"),
            stderr_bytes=size,
            stderr_lines=lines,
            first_line=first.decode(errors="replace"),
            first_line_seconds=first_at,
        )


class ImportCommand:
    """`python -m slutaskjut import` of one code folder, each run on a fresh copy of one database built once."""

    def __init__(self, code: Path, folder: Path, timeout: float):
        self.code, self.folder, self.timeout = code.resolve(), folder, timeout
        self.built = folder / "built.duckdb"
        outside = {name: value for name, value in os.environ.items() if not name.startswith("SLUTASKJUT_")}
        self.env = outside | {
            "PYTHONPATH": str(self.code),
            "SLUTASKJUT_DATA": str(ROOT / "data"),
            "SLUTASKJUT_PSEUDONYM_KEY": secrets.token_urlsafe(24),  # 32 random characters
        }
        self.runs = 0
        self.inputs: list[tuple[str, int, int]] = []

    def build(self) -> Child:
        """The database from data/, built by this code: a copy of it is where every import starts."""
        self.inputs = self.stamp()
        built = run_child([sys.executable, "-c", BUILD], self.code, self.env | {"SLUTASKJUT_DB": str(self.built)}, 600)
        if built.exit_code != 0:
            raise SystemExit(f"building the database failed: {built.first_line}")
        return built

    def stamp(self) -> list[tuple[str, int, int]]:
        """The code's and data/'s files as the file system describes them. The build's fingerprint covers
        the building code and data/, so when one changes the import rebuilds the database and pays for it."""
        folders = [self.code / "slutaskjut", self.code / "queries", ROOT / "data"]
        files = sorted(path for folder in folders for path in folder.rglob("*") if path.is_file())
        return [(str(path), (stat := path.stat()).st_mtime_ns, stat.st_size) for path in files]

    def run(self, dataset: str, path: Path) -> tuple[Child, Path]:
        """The import into a fresh copy of the built database; the caller removes it with `done`. A database
        built before the code or data/ changed is built again first, and a change during the import is told."""
        if self.stamp() != self.inputs:
            print("  (the code or data/ changed: the database is built again)", flush=True)
            self.build()
        self.runs += 1
        db_path = self.folder / f"run-{self.runs}" / "x.duckdb"
        db_path.parent.mkdir()
        shutil.copyfile(self.built, db_path)
        command = [sys.executable, "-m", "slutaskjut", "import", dataset, str(path)]
        child = run_child(command, self.code, self.env | {"SLUTASKJUT_DB": str(db_path)}, self.timeout)
        if self.stamp() != self.inputs:
            print(f"  WARNING: the code or data/ changed while {path.name} was imported: rerun", flush=True)
        return child, db_path

    def done(self, db_path: Path) -> None:
        shutil.rmtree(db_path.parent)


def reference_read(path: Path) -> tuple[dict, Child]:
    """DuckDB's own read of the file (openpyxl's for Excel), in a process of its own."""
    command = [sys.executable, str(ROOT / "bench" / "import_files.py"), "read", str(path)]
    read = run_child(command, ROOT, dict(os.environ), 1800)
    return json.loads(read.stdout), read


def stored_rows(db_path: Path, dataset: str) -> int:
    """Rows of the benchmark's source in the dataset's table: what the import really stored."""
    import duckdb
    from duckdb import ColumnExpression, FunctionExpression

    with duckdb.connect(str(db_path), read_only=True) as con:
        ours = con.table(dataset).filter(ColumnExpression("source") == import_files.SOURCE)
        ((count,),) = ours.aggregate([FunctionExpression("count_star")]).fetchall()
    return count


def sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


@dataclass
class ImportFiles:
    formats: list[tuple[str, Path]]  # (dataset, file): every format of both datasets
    growth: dict[int, Path]  # incidents CSV by rows
    refused: Path
    refused_rows: int


def write_import_files(folder: Path, scale: float) -> ImportFiles:
    """Every file the import benchmark reads; the smaller incidents files are the first rows of the largest."""

    def rows(n: int) -> int:
        return max(round(n * scale), 10)

    sizes = {dataset: rows(IMPORT_ROWS[dataset]) for dataset in ("incidents", "interventions")}
    growth_rows = sorted({rows(n) for n in GROWTH_ROWS} | {sizes["incidents"]})
    tables = {
        "incidents": import_files.incidents(growth_rows[-1]),
        "interventions": import_files.contacts(sizes["interventions"]),
    }
    growth = {
        n: import_files.write(tables["incidents"].slice(0, n), folder / f"incidents-{n}.csv") for n in growth_rows
    }
    formats = []
    for dataset, table_ in tables.items():
        for suffix, n in ((".csv", sizes[dataset]), (".parquet", sizes[dataset]), (".xlsx", rows(IMPORT_ROWS["xlsx"]))):
            path = folder / f"{dataset}-{n}{suffix}"
            formats.append((dataset, path if path.exists() else import_files.write(table_.slice(0, n), path)))
    refused_rows = rows(IMPORT_ROWS["refused"])
    refused = import_files.write(import_files.incidents(refused_rows, bad_dates=True), folder / "refused.csv")
    return ImportFiles(formats, growth, refused, refused_rows)


def bench_imports(args) -> int:
    if not GNU_TIME.exists():
        raise SystemExit(f"--imports measures peak memory with GNU time, and {GNU_TIME} is missing (apt install time)")
    with work_folder("slutaskjut-import-bench-", args.keep) as folder:
        print(
            f"Sluta skjut import benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, "
            f"Python {sys.version.split()[0]}, code {args.code.resolve()}, load average {os.getloadavg()[0]:.2f}"
        )
        start = time.perf_counter()
        files = write_import_files(folder, args.scale)
        written = time.perf_counter() - start
        command = ImportCommand(args.code, folder, args.timeout)
        built = command.build()
        print(
            f"Files written in {written:.0f} s (not counted). Database built from data/ once, in {built.seconds:.1f} s "
            f"({command.built.stat().st_size / 1e6:.1f} MB); every import runs on a fresh copy of it."
        )
        bench_formats(command, files)
        bench_growth(command, files)
        bench_refused(command, files)
        print(f"\nLoad average at the end: {os.getloadavg()[0]:.2f}")
    return 0


def bench_formats(command: ImportCommand, files: ImportFiles) -> None:
    rows = []
    for dataset, path in files.formats:
        reference, reader = reference_read(path)
        child, db_path = command.run(dataset, path)
        stored = stored_rows(db_path, dataset) if child.exit_code == 0 else 0
        command.done(db_path)
        n, excel = reference["rows"], path.suffix == ".xlsx"
        met = child.exit_code == 0 and n / child.seconds >= TARGET_ROWS_PER_S and child.peak_mb < TARGET_MEMORY_MB
        rows.append(
            [
                dataset,
                path.suffix.lstrip("."),
                f"{n:,}",
                f"{path.stat().st_size / 1e6:.0f}",
                child.outcome,
                f"{child.seconds:.1f}",
                f"{n / child.seconds:,.0f}",
                f"{child.peak_mb:.0f}",
                f"{child.cpu_seconds:.1f}",
                f"{stored:,}",
                "openpyxl" if excel else "duckdb",
                f"{reference['seconds']:.2f}",
                f"{reader.peak_mb:.0f}",
                f"{child.seconds / reference['seconds']:.1f}",
                "-" if excel else ("yes" if met else "no"),
            ]
        )
        print(f"  {path.name}: {child.stdout.strip() or child.first_line}", flush=True)
    table(
        [
            "dataset",
            "format",
            "rows",
            "file MB",
            "exit",
            "import s",
            "rows/s",
            "peak MB",
            "CPU s",
            "stored",
            "reader",
            "read s",
            "read peak MB",
            "import/read",
            "target met",
        ],
        rows,
        "Import (python -m slutaskjut import, wall clock; peak RSS from GNU time) beside the reader's own "
        f"read of the same file (every cell counted). Target: >= {TARGET_ROWS_PER_S:,} rows/s and peak < "
        f"{TARGET_MEMORY_MB:.0f} MB",
    )


def bench_growth(command: ImportCommand, files: ImportFiles) -> None:
    rows, previous = [], None
    for n, path in files.growth.items():
        child, db_path = command.run("incidents", path)
        command.done(db_path)
        marginal = f"{(n - previous[0]) / (child.seconds - previous[1]):,.0f}" if previous else "-"
        rows.append(
            [
                f"{n:,}",
                f"{path.stat().st_size / 1e6:.1f}",
                child.outcome,
                f"{child.seconds:.1f}",
                f"{n / child.seconds:,.0f}",
                marginal,
                f"{child.peak_mb:.0f}",
            ]
        )
        previous = (n, child.seconds)
        print(f"  {path.name}: {child.seconds:.1f} s", flush=True)
    table(
        ["rows", "file MB", "exit", "import s", "rows/s", "marginal rows/s", "peak MB"],
        rows,
        "Import time against rows, incidents CSV (marginal: the rows added over the time added since the size "
        "above; constant when the cost grows linearly)",
    )


def bench_refused(command: ImportCommand, files: ImportFiles) -> None:
    child, db_path = command.run("incidents", files.refused)
    unchanged = sha256(db_path) == sha256(command.built)
    command.done(db_path)
    first = "-" if child.first_line_seconds is None else f"{child.first_line_seconds:.1f}"
    table(
        ["rows", "exit", "first line s", "total s", "peak MB", "stderr bytes", "stderr lines", "database unchanged"],
        [
            [
                f"{files.refused_rows:,}",
                child.outcome,
                first,
                f"{child.seconds:.1f}",
                f"{child.peak_mb:.0f}",
                f"{child.stderr_bytes:,}",
                f"{child.stderr_lines:,}",
                "yes" if unchanged else "NO",
            ]
        ],
        "A refused file, incidents CSV with every date written DD/MM/YYYY (first line s: from the start to the "
        "first line on stderr)",
    )
    print(f"Its first line on stderr: {child.first_line}")


def stop_server(server: subprocess.Popen) -> None:
    """Stop a `streamlit run` started here: terminate it, and kill it when it has not ended within 10 s."""
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


if __name__ == "__main__":
    sys.exit(main())

"""Serving many readers: N workers behind HAProxy under supervisord (`make serve`, slutaskjut/serving.py).

The configs are checked as text; the whole stack is then run for real, short: bench/load.py starts
`python -m slutaskjut serve` with 2 workers, runs 10 readers for 20 s through the balancer, kills one
worker with SIGKILL and imports an extract under load. The readers of the lost worker must reconnect to a
live one and see their view again, with no error, supervisord must start the worker again, and after the
import every worker must show the new figures, the same on each. Needs Debian's haproxy and
supervisor (`make test` installs them with .ci/serve-tools): skipped without them, failed in CI.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from browser import require
from extract_files import incident_row, write_csv

from slutaskjut import serving
from slutaskjut.paths import ROOT

SBIN = "/usr/sbin:/usr/bin"
NEW_DAY = "2026-11-30"


def test_the_balancer_sends_each_reader_to_one_live_worker():
    config = serving.balancer_config(8501, [8601, 8602, 8603], bind="127.0.0.1")
    servers = re.findall(r"^\s+server (\S+) 127\.0\.0\.1:(\d+) check cookie (\S+)$", config, re.MULTILINE)
    assert servers == [
        ("worker-1", "8601", "worker-1"),
        ("worker-2", "8602", "worker-2"),
        ("worker-3", "8603", "worker-3"),
    ]
    assert "bind 127.0.0.1:8501" in config
    assert re.search(r"^\s+cookie SLUTASKJUT_WORKER insert indirect", config, re.MULTILINE), "sticky sessions"
    assert "option httpchk GET /_stcore/health" in config
    assert "option redispatch" in config, "a reader of a lost worker goes to a live one"
    assert "$" not in config, "every placeholder filled in"


def test_supervisord_starts_every_worker_again_when_it_dies(tmp_path):
    config = serving.supervisor_config(tmp_path, [8601, 8602])
    programs = re.findall(r"^\[program:([^\]]+)\]$", config, re.MULTILINE)
    assert programs == ["balancer", "worker-1", "worker-2"]
    for number, port in ((1, 8601), (2, 8602)):
        section = config.split(f"[program:worker-{number}]")[1].split("[program:")[0]
        assert f"streamlit run serve.py --server.port {port} --server.address 127.0.0.1" in section
        assert "autorestart=true" in section
    assert "nodaemon=true" in config and "$" not in config


def test_a_worker_killed_and_an_import_under_load_cost_readers_only_a_reconnect(tmp_path):
    """One short run of bench/load.py: a worker killed 6 s in, an incidents extract imported 10 s in."""
    found = shutil.which("haproxy", path=SBIN) and shutil.which("supervisord", path=SBIN)
    require(bool(found), "haproxy or supervisord is missing", "apt-get install haproxy supervisor; .ci/serve-tools")
    # A shooting later than the built-in events: the map's footer then says the extract runs to its day.
    extract = write_csv(tmp_path / "incidents.csv", [incident_row(incident_id="serving-1", date=NEW_DAY)])
    figures_file = tmp_path / "figures.json"
    command = [sys.executable, str(ROOT / "bench" / "load.py"), "--workers", "2", "--sessions", "10"]
    command += ["--duration", "20", "--think", "1", "--ramp", "2", "--kill-after", "6"]
    command += ["--import-file", str(extract), "--import-after", "10"]
    command += ["--database", str(tmp_path / "dashboard.duckdb"), "--json", str(figures_file)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (figures,) = json.loads(Path(figures_file).read_text(encoding="utf-8"))
    report = result.stdout[-3000:]
    assert figures["served_by"] == "2 workers behind HAProxy"
    assert figures["errors"] == 0, report
    assert figures["rerenders"] > 0 and figures["reconnects"] >= 1, report
    assert figures["worker_back_after_s"] < 30, report
    assert figures["rerenders_while_down"] > 0, "the other worker served readers while one was down"
    assert figures["import_exit"] == 0, report
    assert figures["workers_show_the_import"] and figures["workers_agree"], report

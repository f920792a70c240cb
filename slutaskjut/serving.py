"""Several dashboard workers behind a load balancer: `python -m slutaskjut serve` (`make serve`).

N identical Streamlit workers (`streamlit run serve.py`, each on its own port on 127.0.0.1) behind HAProxy,
all under supervisord: both from Debian's packages (.ci/serve-tools installs them). The configs are the
templates in deploy/, filled in here and written to a folder (.cache/serve by default) with the logs;
then this process becomes `supervisord -n`, which starts the workers and the balancer, starts a worker
again when it dies, and stops them all on Ctrl-C.

- Sticky sessions: HAProxy sets a cookie naming the worker, so a reader's websocket, downloads and media
  go to the worker that holds its session; when that worker is down the reader goes to a live one.
- Health: HAProxy checks /_stcore/health every second and takes a worker out after two failures.
- One cookie secret for all workers (STREAMLIT_SERVER_COOKIE_SECRET, kept in the folder): a reader who
  moves to another worker keeps a valid XSRF cookie.
- The database is built (if the data changed) before the workers start, so they do not all build it;
  an import swaps in a new file that every worker opens on its next run (database.py).
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from pathlib import Path
from string import Template

from slutaskjut import paths
from slutaskjut.load import ensure_database
from slutaskjut.paths import ROOT
from slutaskjut.problems import DataError

TEMPLATES = ROOT / "deploy"
DEFAULT_FOLDER = ROOT / ".cache" / "serve"
_SBIN = "/usr/sbin:/usr/bin"  # HAProxy is in /usr/sbin, off a non-root user's PATH


def worker_ports(first_port: int, workers: int) -> list[int]:
    return list(range(first_port, first_port + workers))


def worker_name(number: int) -> str:
    """A worker's name in supervisord and in HAProxy (1-based)."""
    return f"worker-{number}"


def balancer_config(port: int, ports: list[int], bind: str = "") -> str:
    """HAProxy's config: the dashboard on `bind`:`port` (all addresses when `bind` is empty), one server a worker."""
    servers = "\n".join(
        f"    server {worker_name(n)} 127.0.0.1:{p} check cookie {worker_name(n)}" for n, p in enumerate(ports, 1)
    )
    return Template((TEMPLATES / "haproxy.cfg").read_text(encoding="utf-8")).substitute(
        bind=bind, port=port, servers=servers
    )


def supervisor_config(folder: Path, ports: list[int]) -> str:
    """supervisord's config: the balancer and one program a worker, each started again when it exits."""
    programs = "".join(
        f"""
[program:{worker_name(n)}]
command={sys.executable} -m streamlit run serve.py --server.port {p} --server.address 127.0.0.1
directory={ROOT}
autorestart=true
startsecs=2
startretries=100
stopasgroup=true
killasgroup=true
stdout_logfile={folder}/{worker_name(n)}.log
redirect_stderr=true
"""
        for n, p in enumerate(ports, 1)
    )
    haproxy = shutil.which("haproxy", path=f"{os.environ.get('PATH', '')}:{_SBIN}") or "haproxy"
    return Template((TEMPLATES / "supervisord.conf").read_text(encoding="utf-8")).substitute(
        folder=folder, workers=len(ports), haproxy=haproxy, programs=programs
    )


def write_configs(folder: Path, port: int, ports: list[int], bind: str = "") -> Path:
    """Both configs in `folder`; the path of supervisord's."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "haproxy.cfg").write_text(balancer_config(port, ports, bind), encoding="utf-8")
    config = folder / "supervisord.conf"
    config.write_text(supervisor_config(folder, ports), encoding="utf-8")
    return config


def _cookie_secret(folder: Path) -> str:
    """The workers' shared cookie secret: the environment's, or one kept in `folder` across restarts."""
    if secret := os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET"):
        return secret
    kept = folder / "cookie_secret"
    if not kept.exists():
        kept.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        kept.chmod(0o600)
    return kept.read_text(encoding="utf-8").strip()


def serve(workers: int, port: int, first_worker_port: int, folder: Path, bind: str = "") -> None:
    """Build the database, write the configs and become supervisord (never returns)."""
    supervisord = shutil.which("supervisord", path=f"{os.environ.get('PATH', '')}:{_SBIN}")
    if supervisord is None:
        raise SystemExit("supervisord is missing: apt-get install supervisor haproxy (.ci/serve-tools does)")
    try:
        ensure_database(paths.data_dir(), paths.database_path())
    except DataError as error:  # the workers show the problems on every page, as one worker does
        print(f"The data files do not validate:\n{error}", file=sys.stderr)
    config = write_configs(folder, port, worker_ports(first_worker_port, workers), bind)
    os.environ["STREAMLIT_SERVER_COOKIE_SECRET"] = _cookie_secret(folder)
    print(f"Serving on port {port}: {workers} workers behind HAProxy; logs in {folder}", flush=True)
    os.execv(supervisord, [supervisord, "-n", "-c", str(config)])

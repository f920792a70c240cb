"""Load test: concurrent sessions against a real `streamlit run app.py`, each changing filters; re-render times.

    uv run python bench/load.py                                      # 50 sessions for 120 s, the built-in data
    uv run python bench/load.py --sessions 5 --duration 20
    uv run python bench/load.py --database /tmp/slutaskjut-bench-x/slutaskjut.duckdb   # e.g. benchmark.py --keep
    uv run python bench/load.py --url http://127.0.0.1:8501          # a server already running (no memory figures)

A script, not a test: it prints plain tables and exits 0 whether the targets (no errors, 95th percentile of the
re-render time under 1 s) are met or not.

No browser runs: each session speaks Streamlit's own protocol over one websocket, as the browser's tab does
(on 2 cores, 50 chromium tabs would measure chromium, not the server). It connects to /_stcore/stream with
the subprotocol "streamlit" and no Origin header (the XSRF token the browser sends as the second subprotocol
only guards the sign-in cookie, and there is none here), sends protobuf BackMsgs and reads ForwardMsgs.

1. Starts `streamlit run app.py` on a free port (with SLUTASKJUT_DB=--database when given), waits for
   /_stcore/health, then opens every public page once in one session (not counted as re-renders): it pays
   the imports, the database check and the default view's queries, as a server that has been up a while has.
2. Starts --sessions sessions over --ramp seconds. Each opens a random page in a random language (a BackMsg
   rerun_script whose client state has the URL's page name and query string, as a browser's first load).
   Until --duration is over it then waits a think time (--think seconds x 0.5-1.5, default 1.5-4.5 s: a
   reader looks at the result; --think 0 makes it a saturation test) and makes one change, drawn from a
   random generator seeded per session (--seed), so reproducible:
   - years (50 %):    moves the year slider: rerun_script with the widget states of the last run, the
                      slider's (key "years"; its id learned from its element) set to a new [from, to]
                      (double_array_value); its on_change writes the URL, as in the browser;
   - page (25 %):     follows one of the sidebar's page links: rerun_script with the link's page hash and
                      query string (the language and years);
   - language (10 %): switches the language radio (key "lang", string_value of the option's label);
   - choice (15 %):   changes one of the page's own choices (scale, grain, kind, measure), where it has any;
                      elsewhere it moves the years.
   Every rerun_script carries the query string the server last set (page_info_changed), the page's hash and
   the state of every slider, radio and selectbox of the last run, as the browser sends them.
3. A re-render is timed from sending the BackMsg to receiving its script_finished. An error is any of:
   script_finished other than FINISHED_SUCCESSFULLY, an exception element, an st.error alert, a compile
   error, page_not_found, no script_finished within 60 s, a closed websocket, a reference to a message the
   session has not cached, and a re-render that does not show the change: the slider, radio or selectbox
   changed, or the page followed, is not the one the next run shows.

Cached messages: as the browser does, a session keeps the messages the server marks cacheable (elements of
10 kB and more) and lists their hashes in each rerun_script; for these the server sends a ref_hash only, which
the session fills from its cache. An entry unused for the server's max_cached_message_age runs is dropped.

The memory figures are the server process's RSS (VmRSS) after the warm-up and at the end, and its peak
(VmHWM). The CPU figures are the server's, this script's and every other process's during the load: the
sessions share the machine's cores with the server, and so does any other work running at the time. The
server's CPU over the load divided by the runs completed gives its mean CPU per run (with several sessions,
runs overlap). Its CPU per re-render, from rerun_script to script_finished, is measured with --sessions 1 only,
against the server started here (one worker): runs then go one at a time, so the server's CPU in that span
is the run's (a table by page; cpu_median_ms and cpu_p95_ms in --json).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from benchmark import stop_server, table  # bench/benchmark.py, beside this script
from streamlit import logger
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.PageLink_pb2 import PageLink
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
logger.set_log_level("error")  # no "No runtime found" warnings: frame's st.cache_data is imported, never run here

from slutaskjut.frame import PAGES  # noqa: E402
from slutaskjut.schema import LANGUAGES  # noqa: E402

TARGET_P95_MS = 1000.0
RUN_TIMEOUT_S = 60.0
RECONNECT_S = 30.0  # how long a reader whose worker was lost keeps trying, as the browser does
RECONNECT_DELAY_S = 0.5
IMPORT_PAGE = "map"  # a page drawn from the incidents extract, whose footer says how far it runs
WORKER_COOKIE = "SLUTASKJUT_WORKER"  # the balancer's sticky-session cookie (deploy/haproxy.cfg)
ACTIONS = {"years": 0.50, "page": 0.25, "language": 0.10, "choice": 0.15}
WIDGET_KINDS = ("slider", "radio", "selectbox")
# A page's name in the URL ("" for the main page, app.py), and the page's key in frame.PAGES.
PAGE_KEYS = {("" if script == "app.py" else Path(script).stem): key for key, script in PAGES.items()}


@dataclass
class Widget:
    """A slider, radio or selectbox as the last run drew it, and the value the browser would hold for it."""

    id: str
    kind: str
    value: list[float] | str
    options: list[str] = field(default_factory=list)  # a radio's or selectbox's labels
    bounds: tuple[float, float] = (0.0, 0.0)  # a slider's

    @classmethod
    def from_element(cls, kind: str, proto) -> Widget:
        if kind == "slider":
            value = list(proto.value if proto.set_value else proto.default)
            return cls(proto.id, kind, value, bounds=(proto.min, proto.max))
        options = list(proto.options)
        return cls(proto.id, kind, proto.raw_value if proto.set_value else options[proto.default], options)

    def state(self, value: list[float] | str | None = None) -> WidgetState:
        value = self.value if value is None else value
        state = WidgetState(id=self.id)
        if self.kind == "slider":
            state.double_array_value.data[:] = value
        else:
            state.string_value = value
        return state


@dataclass
class Change:
    """A change a reader makes: the rerun_script it sends, and what the next run must show for it."""

    action: str
    state: ClientState
    page_hash: str
    widgets: dict[str, list[float] | str] = field(default_factory=dict)


@dataclass
class Shown:
    """What one run showed: its errors, and the widgets and page links a reader can use next."""

    errors: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # every Markdown text and caption, in order
    widgets: dict[str, Widget] = field(default_factory=dict)  # by the widget's key
    links: list[PageLink] = field(default_factory=list)


class Session:
    """One browser tab as the server sees it: its websocket, URL, widget states and message cache."""

    def __init__(self, websocket: ClientConnection):
        self.websocket = websocket
        self.query_string = ""
        self.page_hash = ""
        self.page_names: dict[str, str] = {}  # page hash -> the page's name in the URL
        self.widgets: dict[str, Widget] = {}  # by the widget's key
        self.links: list[PageLink] = []
        self.texts: list[str] = []
        self.cache: dict[str, tuple[ForwardMsg, int]] = {}  # hash -> (message, the run it was last used in)
        self.max_cache_age = 2
        self.runs = 0

    @property
    def page(self) -> str:
        return PAGE_KEYS.get(self.page_names.get(self.page_hash, "?"), "?")

    async def open(self, page_name: str, query_string: str) -> tuple[float, list[str]]:
        """A first load of /page_name?query_string."""
        self.query_string = query_string
        return await self.rerun(ClientState(query_string=query_string, page_name=page_name))

    async def change(self, change: Change) -> tuple[float, list[str]]:
        """Send the change; its time and its errors, with one if the run does not show the change."""
        took, errors = await self.rerun(change.state)
        if self.page_hash != change.page_hash:
            errors.append(f"asked for page {change.page_hash}, the run showed {self.page_hash}")
        for key, value in change.widgets.items():
            shown = self.widgets[key].value if key in self.widgets else None
            if shown != value:
                errors.append(f"set {key} to {value}, the run showed {shown}")
        return took, errors

    async def rerun(self, state: ClientState) -> tuple[float, list[str]]:
        """Send rerun_script and read the run's messages until its script_finished: the time taken, the errors."""
        state.cached_message_hashes[:] = list(self.cache)
        message = BackMsg()
        message.rerun_script.CopyFrom(state)
        shown = Shown()
        start = time.perf_counter()
        await self.websocket.send(message.SerializeToString())
        async with asyncio.timeout(RUN_TIMEOUT_S):
            while not self._receive(ForwardMsg.FromString(await self.websocket.recv()), shown):
                pass
        took = time.perf_counter() - start
        self.widgets, self.links, self.texts = shown.widgets, shown.links, shown.texts
        self.runs += 1
        self.cache = {key: entry for key, entry in self.cache.items() if self.runs - entry[1] <= self.max_cache_age}
        return took * 1000, shown.errors

    def _receive(self, msg: ForwardMsg, shown: Shown) -> bool:
        """Take in one message of the run; True for its script_finished."""
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            if msg.ref_hash not in self.cache:
                shown.errors.append(f"reference to a message not cached ({msg.ref_hash})")
                return False
            msg = self.cache[msg.ref_hash][0]
            kind = msg.WhichOneof("type")
        if msg.metadata.cacheable:
            self.cache[msg.hash] = (msg, self.runs)
        if kind == "new_session" and msg.new_session.config.max_cached_message_age:
            self.max_cache_age = msg.new_session.config.max_cached_message_age
        elif kind == "navigation":
            self.page_hash = msg.navigation.page_script_hash
            self.page_names = {page.page_script_hash: page.url_pathname for page in msg.navigation.app_pages}
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "page_not_found":
            shown.errors.append(f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "session_event" and msg.session_event.HasField("script_compilation_exception"):
            exception = msg.session_event.script_compilation_exception
            shown.errors.append(f"compile error: {exception.type}: {exception.message}")
        elif kind == "delta" and msg.delta.HasField("new_element"):
            element = msg.delta.new_element
            element_kind = element.WhichOneof("type")
            if element_kind == "exception":
                shown.errors.append(f"exception: {element.exception.type}: {element.exception.message}")
            elif element_kind == "alert" and element.alert.format == Alert.ERROR:
                shown.errors.append(f"st.error: {element.alert.body}")
            elif element_kind in WIDGET_KINDS:
                widget = Widget.from_element(element_kind, getattr(element, element_kind))
                shown.widgets[widget.id.split("-", 2)[-1]] = widget  # "$$ID-<hash>-<key>"
            elif element_kind == "markdown":
                shown.texts.append(element.markdown.body)
            elif element_kind == "page_link":
                shown.links.append(element.page_link)
        elif kind == "script_finished":
            if msg.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                shown.errors.append(f"script finished: {status}")
            return True
        return False

    def next_change(self, rng: random.Random) -> Change:
        """A change drawn at random: see the module's docstring."""
        action = rng.choices(list(ACTIONS), weights=list(ACTIONS.values()))[0]
        choices = [  # a page's own choices with another option to take (a choice can have one option only)
            key
            for key, widget in self.widgets.items()
            if widget.kind != "slider" and key != "lang" and len(widget.options) > 1
        ]
        if action == "choice" and not choices:
            action = "years"
        if action in ("years", "language") and not {"years", "lang"} <= set(self.widgets):
            action = "page"  # a page without the sidebar's filters (a data error): leave it
        states = {key: widget.state() for key, widget in self.widgets.items()}
        state = ClientState(query_string=self.query_string, page_script_hash=self.page_hash)
        change = Change(action, state, self.page_hash)
        others = [link for link in self.links if link.page_script_hash != self.page_hash]
        if action == "page" and not others:  # a page that showed no sidebar (an error): the reader reloads it
            return Change(
                "reload", ClientState(query_string=self.query_string, page_script_hash=self.page_hash), self.page_hash
            )
        if action == "page":
            link = rng.choice(others)
            state.query_string, state.page_script_hash = link.query_string, link.page_script_hash
            change.page_hash = link.page_script_hash
        else:
            key = {"years": "years", "language": "lang"}.get(action) or rng.choice(choices)
            widget = self.widgets[key]
            value = _new_years(rng, widget) if key == "years" else _other_option(rng, widget)
            states[key] = widget.state(value)
            change.widgets[key] = value
        state.widget_states.widgets.extend(states.values())
        return change


def _new_years(rng: random.Random, slider: Widget) -> list[float]:
    """Another year range within the slider's bounds (a single year is a range too)."""
    first, last = (int(bound) for bound in slider.bounds)
    while True:
        value = sorted(float(rng.randint(first, last)) for _ in range(2))
        if value != slider.value:
            return value


def _other_option(rng: random.Random, widget: Widget) -> str:
    return rng.choice([option for option in widget.options if option != widget.value])


# --- the sessions -----------------------------------------------------------------------------------------------


@dataclass
class Record:
    """One run: the page it showed, the change that asked for it, its time and errors."""

    page: str
    action: str
    ms: float
    errors: list[str]
    server_cpu_ms: float = math.nan  # measured with one session only (see load_and_change)
    ended: float = field(default_factory=time.monotonic)


def _connect(url: str, cookie: str = ""):
    """The session's websocket; `cookie` is the balancer's (which worker holds the session), as a browser sends it."""
    # No pings: the browser sends none, and a ping unanswered while the server is busy would end the session.
    return connect(
        url.replace("http", "ws", 1) + "/_stcore/stream",
        subprotocols=["streamlit"],
        additional_headers={"Cookie": cookie} if cookie else None,
        max_size=None,
        ping_interval=None,
        open_timeout=RUN_TIMEOUT_S,
    )


def _worker_cookie(websocket: ClientConnection, cookie: str) -> str:
    """The balancer's cookie after a connection: the one it set (a new worker) or the one sent."""
    for header in websocket.response.headers.get_all("Set-Cookie"):
        if header.startswith(WORKER_COOKIE + "="):
            return header.split(";", 1)[0]
    return cookie


async def _reconnect(url: str, cookie: str, deadline: float) -> tuple[ClientConnection, str]:
    """A new websocket after the session's closed, retried as a browser does until `deadline` (loop time)."""
    loop = asyncio.get_running_loop()
    while True:
        try:
            websocket = await _connect(url, cookie)
            return websocket, _worker_cookie(websocket, cookie)
        except (OSError, TimeoutError, InvalidStatus, InvalidHandshake):
            if loop.time() >= deadline:
                raise
            await asyncio.sleep(RECONNECT_DELAY_S)


async def run_session(
    number: int, args, url: str, deadline: float, records: list[Record], server_pid: int | None = None
) -> None:
    """One reader: opens a random page, then changes filters until the deadline, all timed.

    With `server_pid`, each change also records the server's CPU from sending it to its script_finished.

    When its websocket closes (a worker lost), it reconnects as the browser does and opens the view it had
    again (the view is in the URL): a "reconnect", timed from the change that found the connection closed to
    the view shown again. An error only if no worker takes it within RECONNECT_S.
    """
    rng = random.Random(f"{args.seed}:{number}")
    loop = asyncio.get_running_loop()
    await asyncio.sleep(args.ramp * number / args.sessions)
    page_name = rng.choice(list(PAGE_KEYS))
    page, action = PAGE_KEYS[page_name], "open"
    websocket = None
    try:
        websocket, cookie = await _reconnect(url, "", loop.time() + RECONNECT_S)
        session = Session(websocket)
        took, errors = await session.open(page_name, f"lang={rng.choice(LANGUAGES)}")
        page = session.page
        records.append(Record(page, action, took, errors))
        while True:
            await asyncio.sleep(args.think * rng.uniform(0.5, 1.5))
            if loop.time() >= deadline:
                return
            change = session.next_change(rng)
            action = change.action
            started = time.perf_counter()
            cpu_before = cpu_seconds(server_pid) if server_pid else math.nan
            try:
                took, errors = await session.change(change)
            except ConnectionClosed:
                action = "reconnect"
                websocket, cookie = await _reconnect(url, cookie, loop.time() + RECONNECT_S)
                session.websocket, session.cache = websocket, {}
                _, errors = await session.open(session.page_names.get(session.page_hash, ""), session.query_string)
                took = (time.perf_counter() - started) * 1000
            server_cpu_ms = (cpu_seconds(server_pid) - cpu_before) * 1000 if server_pid else math.nan
            page = session.page
            records.append(Record(page, action, took, errors, server_cpu_ms))
    except (TimeoutError, ConnectionClosed, OSError, InvalidStatus, InvalidHandshake) as error:
        timed_out = isinstance(error, TimeoutError)
        message = f"no script_finished within {RUN_TIMEOUT_S:.0f} s" if timed_out else repr(error)
        records.append(Record(page, action, math.nan, [message]))
    finally:
        if websocket is not None:
            await websocket.close()


async def warm_up(url: str) -> list[Record]:
    """Every public page once, in one session, in the default view (on each worker, given its own URL)."""
    records = []
    async with _connect(url) as websocket:
        session = Session(websocket)
        for page_name in PAGE_KEYS:
            took, errors = await session.open(page_name, "lang=sv")
            records.append(Record(session.page, "warm-up", took, errors))
    return records


async def load(args, url: str, server_pid: int | None = None) -> tuple[list[Record], float]:
    """All the sessions; their records and the wall time they took (and the server's CPU per run, given its pid)."""
    records: list[Record] = []
    loop = asyncio.get_running_loop()
    start = loop.time()
    deadline = start + args.duration
    sessions = (run_session(n, args, url, deadline, records, server_pid) for n in range(args.sessions))
    await asyncio.gather(*sessions)
    return records, loop.time() - start


# --- the server ---------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database: Path | None, log) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = os.environ | ({"SLUTASKJUT_DB": str(database)} if database else {})
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--browser.gatherUsageStats", "false"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode}: see {log.name}")
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
            return server, url
        except OSError:
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit(f"the server did not answer /_stcore/health within 120 s: see {log.name}")


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (the peak) of a process, in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024
    return values


def cpu_seconds(pid: int) -> float:
    """CPU time of a process, all its threads, ended ones too, to the nanosecond (Linux)."""
    # The process's CPU clock, clock_getcpuclockid() in C: MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED). Not a sum
    # over /proc/<pid>/task, which lists live threads only: Streamlit runs each script run in a thread that ends
    # with it. Not /proc/<pid>/stat either, which counts 10 ms ticks.
    return time.clock_gettime(((~pid) << 3) | 2)


def machine_busy_seconds() -> float:
    """CPU time all processes have used since boot, all cores (from /proc/stat: all but idle and iowait)."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


# --- the report -----------------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def timing_row(name: str, records: list[Record]) -> list:
    times = [record.ms for record in records if not math.isnan(record.ms)]
    errors = sum(len(record.errors) for record in records)
    if not times:
        return [name, len(records), "-", "-", "-", errors]
    return [
        name,
        len(times),
        f"{statistics.median(times):.0f}",
        f"{percentile(times, 95):.0f}",
        f"{max(times):.0f}",
        errors,
    ]


def cpu_row(name: str, records: list[Record]) -> list:
    cpu_ms = [record.server_cpu_ms for record in records if not math.isnan(record.server_cpu_ms)]
    if not cpu_ms:
        return [name, 0, "-", "-"]
    return [name, len(cpu_ms), f"{statistics.median(cpu_ms):.0f}", f"{percentile(cpu_ms, 95):.0f}"]


@dataclass
class Served:
    """What a load ran against: the URL readers use, the workers' own URLs, and what to measure and kill."""

    url: str
    name: str
    workers: list[str]
    server: subprocess.Popen | None = None  # one `streamlit run` started here
    supervisor_config: Path | None = None  # the stack of `python -m slutaskjut serve` started here


def _free_ports(count: int) -> int:
    """The first of `count` consecutive free ports."""
    while True:
        first = _free_port()
        try:
            for port in range(first + 1, first + count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def start_balancer(workers: int, database: Path | None, folder: Path, log) -> Iterator[Served]:
    """`python -m slutaskjut serve`: `workers` workers behind HAProxy under supervisord, until every one answers."""
    port, first = _free_port(), _free_ports(workers)
    env = os.environ | ({"SLUTASKJUT_DB": str(database)} if database else {})
    command = [sys.executable, "-m", "slutaskjut", "serve", "--workers", str(workers), "--port", str(port)]
    command += ["--worker-port", str(first), "--bind", "127.0.0.1", "--folder", str(folder)]
    stack = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    served = Served(
        f"http://127.0.0.1:{port}",
        f"{workers} workers behind HAProxy",
        [f"http://127.0.0.1:{p}" for p in range(first, first + workers)],
        supervisor_config=folder / "supervisord.conf",
    )
    try:
        for _ in range(240):
            if stack.poll() is not None:
                raise SystemExit(f"`python -m slutaskjut serve` exited with code {stack.returncode}: see {log.name}")
            if all(_answers(url) for url in [served.url, *served.workers]):
                break
            time.sleep(0.5)
        else:
            raise SystemExit(f"the workers did not all answer /_stcore/health within 120 s: see {folder}")
        yield served
    finally:
        stop_server(stack)  # supervisord stops the workers and the balancer on SIGTERM


def worker_pid(served: Served, number: int) -> int:
    """A worker's process id, from supervisord."""
    command = ["supervisorctl", "-c", str(served.supervisor_config), "pid", f"worker-{number}"]
    return int(subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip())


async def kill_a_worker(served: Served, after: float, outcome: dict) -> None:
    """SIGKILL the first worker `after` seconds into the load; time until it serves again (supervisord)."""
    await asyncio.sleep(after)
    pid = await asyncio.to_thread(worker_pid, served, 1)
    os.kill(pid, signal.SIGKILL)
    outcome["killed"] = time.monotonic()
    while not await asyncio.to_thread(_answers, served.workers[0]):
        await asyncio.sleep(0.2)
    outcome["back"] = time.monotonic()


@dataclass
class Result:
    served: str
    records: list[Record]
    wall: float
    memory: dict
    cpu: dict
    log_problems: list[str]
    events: dict  # a worker killed, an import: what happened and when


async def page_texts(url: str, page_name: str) -> list[str]:
    """The texts a first load of a page shows (its footer names the extracts' rows and dates)."""
    async with _connect(url) as websocket:
        session = Session(websocket)
        await session.open(page_name, "lang=sv")
        return session.texts


async def import_extract(args, at: float, outcome: dict) -> None:
    """`python -m slutaskjut import incidents FILE` `at` seconds into the load, into the database being served."""
    await asyncio.sleep(at)
    command = [sys.executable, "-m", "slutaskjut", "import", "incidents", *map(str, args.import_file)]
    env = os.environ | {"SLUTASKJUT_DB": str(args.database)}
    started = time.monotonic()
    done = await asyncio.to_thread(subprocess.run, command, cwd=ROOT, env=env, capture_output=True, text=True)
    outcome.update(exit=done.returncode, seconds=time.monotonic() - started, output=(done.stdout + done.stderr)[-500:])


async def load_and_change(args, served: Served) -> tuple[list[Record], float, dict]:
    """The load, with a worker killed (--kill-after) and an extract imported (--import-after) during it."""
    events: dict = {"import": {}}
    others = []
    if args.kill_after is not None:
        others.append(kill_a_worker(served, args.kill_after, events))
    if args.import_file:
        events["before"] = [await page_texts(url, IMPORT_PAGE) for url in served.workers]
        others.append(import_extract(args, args.import_after, events["import"]))
    # One session's runs go one at a time, so the server's CPU from a change to its script_finished is that run's.
    server_pid = served.server.pid if served.server and args.sessions == 1 else None
    (records, wall), *_ = await asyncio.gather(load(args, served.url, server_pid), *others)
    if args.import_file:  # every worker's next run: the new figures, the same on every worker
        events["after"] = [await page_texts(url, IMPORT_PAGE) for url in served.workers]
    return records, wall, events


def run_against(args, served: Served) -> Result:
    """Warm every worker up, run the load, and measure."""
    memory, cpu = {}, {}
    warm = [record for url in served.workers for record in asyncio.run(warm_up(url))]
    print(f"{served.name}: {served.url}. Warm-up, every page once a worker: {len(warm)} runs")
    if served.server:
        memory["server RSS after the warm-up"] = memory_mb(served.server.pid)["VmRSS"]
        cpu["server"] = -cpu_seconds(served.server.pid)
    cpu["this script"], cpu["all processes"] = -time.process_time(), -machine_busy_seconds()
    records, wall, events = asyncio.run(load_and_change(args, served))
    cpu["this script"] += time.process_time()
    cpu["all processes"] += machine_busy_seconds()
    if served.server:
        cpu["server"] += cpu_seconds(served.server.pid)
        status = memory_mb(served.server.pid)
        memory["server RSS at the end"] = status["VmRSS"]
        memory["server peak RSS (VmHWM)"] = status["VmHWM"]
    # What the server and this script did not use went to other work on the machine (other tests, a browser).
    other = "other processes" + ("" if served.server else " (the servers and the balancer too)")
    cpu[other] = cpu.pop("all processes") - sum(cpu.values())
    return Result(served.name, warm + records, wall, memory, cpu, [], events)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50, help="concurrent sessions (default 50)")
    parser.add_argument("--duration", type=float, default=120, help="seconds of changes (default 120)")
    parser.add_argument("--ramp", type=float, default=5, help="seconds over which the sessions start (default 5)")
    parser.add_argument("--think", type=float, default=3, help="mean seconds between a re-render and the next change")
    parser.add_argument("--seed", type=int, default=20261121, help="seed of the sessions' random choices")
    parser.add_argument("--database", type=Path, help="SLUTASKJUT_DB for the server (default: the app's own)")
    parser.add_argument("--url", help="a running server to load instead of starting one, e.g. http://127.0.0.1:8501")
    parser.add_argument("--workers", type=int, default=0, help="N workers behind HAProxy (`make serve`), not one")
    parser.add_argument("--compare", action="store_true", help="with --workers: one worker first, in the same run")
    parser.add_argument("--kill-after", type=float, help="with --workers: SIGKILL a worker this many s into the load")
    parser.add_argument("--import-file", type=Path, nargs="+", help="an incidents extract to import under load")
    parser.add_argument("--import-after", type=float, default=5, help="seconds into the load of the import")
    parser.add_argument("--json", type=Path, help="also write the figures to this file (tests/test_serving.py)")
    args = parser.parse_args()
    if args.import_file and not (args.workers and args.database):
        parser.error("--import-file needs --workers and --database (the file the import writes)")

    print(
        f"Sluta skjut load test, {dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}; {args.sessions} sessions started over {args.ramp:g} s, changing filters "
        f"for {args.duration:g} s, think time {args.think * 0.5:g}-{args.think * 1.5:g} s, seed {args.seed}"
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="slutaskjut-load-") as folder:
        if args.url:
            results.append(run_against(args, Served(args.url.rstrip("/"), "the server at --url", [args.url])))
        if not args.url and (args.compare or not args.workers):
            with open(Path(folder) / "streamlit.log", "w+") as log:
                server, url = start_server(args.database, log)
                try:
                    results.append(run_against(args, Served(url, "one worker (streamlit run app.py)", [url], server)))
                finally:
                    stop_server(server)
                results[-1].log_problems = _log_problems(Path(log.name))
        if not args.url and args.workers:
            stack = Path(folder) / "stack"
            with (
                open(Path(folder) / "serve.log", "w+") as log,
                start_balancer(args.workers, args.database, stack, log) as served,
            ):
                results.append(run_against(args, served))
            results[-1].log_problems = [
                line for path in sorted(stack.glob("worker-*.log")) for line in _log_problems(path)
            ]
    for result in results:
        report(args, result)
    if len(results) > 1:
        table(
            ["served by", "re-renders", "median ms", "p95 ms", "max ms", "errors"],
            [summary_row(r) for r in results],
            "Compared, in the same run",
        )
    if args.json:
        args.json.write_text(json.dumps([figures(result) for result in results], indent=1), encoding="utf-8")
    return 0


def _log_problems(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line.rstrip() for line in lines if "Traceback" in line or " ERROR " in line]


def figures(result: Result) -> dict:
    """A result's figures, as --json writes them."""
    rerenders = [r for r in result.records if r.action in ACTIONS and not math.isnan(r.ms)]
    times = [r.ms for r in rerenders]
    server_cpu = [r.server_cpu_ms for r in rerenders if not math.isnan(r.server_cpu_ms)]
    figures = {
        "served_by": result.served,
        "rerenders": len(times),
        "reconnects": sum(r.action == "reconnect" for r in result.records),
        "errors": sum(len(r.errors) for r in result.records) + len(result.log_problems),
        "p50_ms": statistics.median(times) if times else None,
        "p95_ms": percentile(times, 95) if times else None,
        "max_ms": max(times) if times else None,
        "cpu_median_ms": statistics.median(server_cpu) if server_cpu else None,
        "cpu_p95_ms": percentile(server_cpu, 95) if server_cpu else None,
    }
    if "back" in result.events:
        killed, back = result.events["killed"], result.events["back"]
        figures["worker_back_after_s"] = back - killed
        figures["rerenders_while_down"] = sum(killed <= r.ended <= back for r in rerenders)
    if "after" in result.events:
        before, after = result.events["before"], result.events["after"]
        figures["import_exit"] = result.events["import"].get("exit")
        figures["import_s"] = result.events["import"].get("seconds")
        figures["workers_show_the_import"] = all(new != old for new, old in zip(after, before, strict=True))
        figures["workers_agree"] = all(texts == after[0] for texts in after)
    return figures


def summary_row(result: Result) -> list:
    row = figures(result)
    return [
        result.served,
        row["rerenders"],
        *(f"{row[k]:.0f}" if row[k] is not None else "-" for k in ("p50_ms", "p95_ms", "max_ms")),
        row["errors"],
    ]


MS_ROWS = (("median re-render, ms", "p50_ms"), ("95th percentile, ms", "p95_ms"), ("max, ms", "max_ms"))


def report(args, result: Result) -> None:
    records, wall, memory, cpu, log_problems = (
        result.records,
        result.wall,
        result.memory,
        result.cpu,
        result.log_problems,
    )
    print(f"\n== {result.served} ==")
    summary = figures(result)
    rerenders = [record for record in records if record.action in ACTIONS]
    errors = [(record, message) for record in records for message in record.errors]
    p95 = math.nan if summary["p95_ms"] is None else summary["p95_ms"]
    rows = [
        ["sessions", args.sessions],
        ["load time, s", f"{wall:.0f}"],
        ["re-renders (filter and page changes)", summary["rerenders"]],
        ["re-renders per second", f"{summary['rerenders'] / wall:.1f}"],
        ["errors (every run, the warm-up and first loads too)", len(errors)],
        *([name, "-" if summary[key] is None else f"{summary[key]:.0f}"] for name, key in MS_ROWS),
    ]
    table(["measure", "value"], rows, "Re-renders (from sending rerun_script to receiving its script_finished)")

    columns = ["runs", "median ms", "p95 ms", "max ms", "errors"]
    by_page: dict[str, list[Record]] = {}
    for record in rerenders:
        by_page.setdefault(record.page, []).append(record)
    pages = [page for page in PAGES if page in by_page] + sorted(set(by_page) - set(PAGES))
    table(["page", *columns], [timing_row(page, by_page[page]) for page in pages], "Re-renders by the page shown")
    by_action: dict[str, list[Record]] = {}
    for record in records:
        by_action.setdefault(record.action, []).append(record)
    order = [action for action in ("warm-up", "open", *ACTIONS, "reconnect", "reload") if action in by_action]
    table(
        ["change", *columns],
        [timing_row(action, by_action[action]) for action in order],
        "Runs by change (warm-up: one session a worker, every page once; open: a session's first load; "
        "reconnect: a change that found its worker lost, to the view shown again by a live one; none of these "
        "is a re-render above)",
    )

    rows = [[name, f"{mb:.0f}"] for name, mb in memory.items()]
    if rows:
        table(["memory", "MB"], rows, "Server memory")
    rows = [[name, f"{seconds:.0f}", f"{seconds / wall:.2f}"] for name, seconds in cpu.items()]
    runs = sum(record.action != "warm-up" and not math.isnan(record.ms) for record in records)
    if "server" in cpu and runs:
        at_once = "one at a time" if args.sessions == 1 else f"up to {args.sessions} at once"
        rows.append([f"server, mean per run ({runs} runs, {at_once})", f"{cpu['server'] / runs * 1000:.0f} ms", ""])
    table(["CPU during the load", "s", "cores busy"], rows, f"CPU ({os.cpu_count()} cores)")
    if summary["cpu_median_ms"] is not None:
        rows = [cpu_row(page, by_page[page]) for page in pages]
        overall = [f"{summary[key]:.0f}" for key in ("cpu_median_ms", "cpu_p95_ms")]
        rows.append(["all re-renders", sum(row[1] for row in rows), *overall])
        title = "Server CPU per re-render (one session: runs one at a time)"
        table(["page", "runs", "median ms", "p95 ms"], rows, title)

    if "back" in result.events:
        rows = [
            ["seconds until the killed worker served again", f"{summary['worker_back_after_s']:.1f}"],
            ["readers' re-renders in that time", summary["rerenders_while_down"]],
            ["reconnects (readers of the lost worker)", summary["reconnects"]],
            ["errors seen by readers", len(errors)],
        ]
        table(["a worker killed (SIGKILL)", "value"], rows, f"A worker lost {args.kill_after:g} s into the load")
    if "after" in result.events:
        rows = [
            ["the import's exit code", summary["import_exit"]],
            ["the import's time, s", f"{summary['import_s']:.1f}" if summary["import_s"] is not None else "-"],
            ["every worker's next run shows the new figures", summary["workers_show_the_import"]],
            ["every worker shows the same", summary["workers_agree"]],
        ]
        table(["an import while serving", "value"], rows, f"An incidents extract imported {args.import_after:g} s in")
    print(f"\nErrors: {len(errors)}")
    for (page, action, message), count in Counter((r.page, r.action, m) for r, m in errors).most_common(10):
        print(f"  {count:4d} x {page}, {action}: {message[:300]}")
    if log_problems:
        print(f"Server log: {len(log_problems)} lines with Traceback or ERROR, the first:")
        for line in log_problems[:5]:
            print(f"  {line[:300]}")
    no_errors = not errors and not log_problems
    fast = p95 < TARGET_P95_MS
    print(
        f"\nTargets: no errors: {'met' if no_errors else 'NOT met'}; "
        f"95th percentile < {TARGET_P95_MS:.0f} ms: {'met' if fast else 'NOT met'} ({p95:.0f} ms)"
    )


if __name__ == "__main__":
    sys.exit(main())

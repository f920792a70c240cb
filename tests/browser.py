"""What the browser tests share: Debian's chromium, driven by Playwright, and `streamlit run app.py` on a free port.

Playwright launches /usr/bin/chromium and never downloads a browser. Without it a browser test module is
skipped, except in CI (CI=true), where that is a failure: `make test` installs chromium first (.ci/test-tools).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from slutaskjut.paths import ROOT

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 30_000  # for any one action or check: a first page run on a cold server takes a few seconds
# expect() waits as long as an action does, not its default of 5 s.
expect.set_options(timeout=TIMEOUT_MS)


def require(found: bool, missing: str, hint: str) -> None:
    """Skip the calling test (or module, when called at its top) when something it needs is missing;
    in CI (CI=true) fail instead, since `make test` installs everything the browser tests need."""
    if found:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{missing}: CI must run the browser tests ({hint})", pytrace=False)
    pytest.skip(f"{missing} ({hint}); CI runs these tests", allow_module_level=True)


def require_chromium() -> None:
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing", "apt-get install chromium; .ci/test-tools installs it")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def dashboard_server(database: Path, folder: Path, port: int | None = None, args: Sequence[str] = ()) -> Iterator[str]:
    """`streamlit run app.py` on a copy of `database`, in a subprocess: yields its base URL once it answers.

    `folder` holds the copy and the server's log (shown when it does not start); `args` are more options
    for `streamlit run`.
    """
    port = port or free_port()
    copy = Path(shutil.copy(database, folder / "dashboard.duckdb"))
    env = {**os.environ, "SLUTASKJUT_DB": str(copy)}
    env.pop("SLUTASKJUT_DATA", None)
    env.pop("SLUTASKJUT_MIN_COUNT", None)
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.address", "localhost", *args]
    log = open(folder / "streamlit.log", "w+b")  # noqa: SIM115
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"streamlit did not start:\n{log.read().decode(errors='replace')}")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@contextmanager
def new_visitor(browser: Browser, **options) -> Iterator[Page]:
    """A new visitor: a page in a browser context of its own, without cookies or a Streamlit session."""
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@contextmanager
def signed_in_dashboard(provider: str, database: Path, folder: Path, partners: str):
    """`streamlit run app.py` with sign-in configured against the provider and `partners` as [partners]."""
    port = free_port()
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        f"""
[auth]
redirect_uri = "http://localhost:{port}/oauth2callback"
cookie_secret = "{secrets.token_urlsafe(32)}"
client_id = "slutaskjut-test"
client_secret = "{secrets.token_urlsafe(16)}"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[partners]
{partners}
"""
    )
    with dashboard_server(database, folder, port, ["--secrets.files", str(secrets_file)]) as url:
        yield url


def register(provider: str, subject: str, **claims) -> None:
    """Give the provider's user `subject` these claims (oidc-provider-mock's PUT /users/<sub>)."""
    request = urllib.request.Request(
        f"{provider}/users/{urllib.parse.quote(subject)}", json.dumps(claims).encode(), method="PUT"
    )
    request.add_header("Content-Type", "application/json")
    urllib.request.urlopen(request).close()

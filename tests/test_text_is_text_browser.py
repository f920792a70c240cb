"""Text from a link or from an extract is shown as text, in a real browser (Debian's chromium).

Markdown and HTML go into every URL parameter a page reads and into every text column of the
extracts (incidents: id, district, source; contacts: id, round, source; the import log: file names and
who imported), and into the e-mail claim of a refused account. Every page is then opened with such a
link, the partner page in each section by a signed-in partner. Nothing may come of the payloads:
- no image loads: the payloads' images point at a trap server on localhost, which counts every request;
- no link to the trap or to evil.example, and no mailto link;
- no element of their making: each payload's Markdown would make an element holding only its marker
  word (**pbold** a <strong>pbold</strong>, $pmath$ a formula, :red[pred] a coloured span, a plotly
  title's <b> a bold tspan...), so no element may hold exactly a marker;
- every payload reads as its characters: the notices quote the link's values as they were.

One dashboard with sign-in configured against oidc-provider-mock (as tests/test_partner_browser.py)
serves the module. Without chromium the module is skipped, except in CI (CI=true).
"""

from __future__ import annotations

import http.server
import threading
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest
from browser import new_visitor, register, require_chromium, signed_in_dashboard
from conftest import extract_database
from playwright.sync_api import Page, expect

from slutaskjut.frame import PAGES, PARTNER_PAGE, PARTNER_SECTIONS
from slutaskjut.view import ECHO_LENGTH

require_chromium()

MARKERS = ["pbold", "pem", "pcode", "pdel", "pmath", "pred", "phead", "plist", "pquote", "picon", "pemoji"]


class Trap(http.server.BaseHTTPRequestHandler):
    """A server the payloads point at: it records every request and answers with nothing."""

    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        Trap.requests.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(scope="module")
def trap():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trap)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_port}"
    server.shutdown()


def url_payloads(trap: str) -> dict[str, str]:
    """One payload per URL parameter, each short enough to be quoted whole (view.ECHO_LENGTH)."""
    payloads = {
        "lang": f"![pimg](http://{trap}/l.png)",
        "from": f"<img src=http://{trap}/f.png>",
        "to": f"[plink](http://{trap}/t)",
        "scale": "**pbold** _pem_ `pcode` ~~pdel~~",
        "grain": "$pmath$ :red[pred] :skull:",
        "measure": "# phead",
        "kind": f"![pimg](http://{trap}/k.png)",
        "round": "- plist",
        "section": "> pquote",
        "x": "www.evil.example x@evil.example",
    }
    assert all(len(value) < ECHO_LENGTH for value in payloads.values())
    return payloads


def text_payload(trap: str, column: str) -> str:
    """A long payload for a text column of an extract: every kind of Markdown and HTML at once."""
    return (
        f"{column} ![pimg](http://{trap}/{column}.png) <img src=http://{trap}/{column}-html.png> "
        f"[plink](http://{trap}/{column}) http://{trap}/{column}-bare www.evil.example x@evil.example "
        "**pbold** _pem_ `pcode` ~~pdel~~ $pmath$ :red[pred] :material/bug_report: :skull: "
        "<b>pbold</b> <a href='http://evil.example'>plink</a>\n\n# phead\n- plist\n> pquote"
    )


@pytest.fixture(scope="module")
def payload_database(trap, tmp_path_factory) -> Path:
    """The shipped published figures with extracts whose every text column holds a payload."""
    folder = tmp_path_factory.mktemp("payloads")
    incidents = pd.DataFrame(
        {
            "incident_id": [text_payload(trap, f"incident_id{n}") for n in range(6)],
            "date": pd.to_datetime(
                ["2019-03-01", "2019-04-02", "2019-05-03", "2020-01-04", "2020-02-05", "2020-03-06"]
            ),
            "kind": ["shooting"] * 6,
            "dead": [0] * 6,
            "injured": [1] * 6,
            "district": [text_payload(trap, "district")] * 6,
            "latitude": [55.6] * 6,
            "longitude": [13.0] * 6,
            "source": [text_payload(trap, "incident_source")] * 6,
            "is_synthetic": [False] * 6,
            "import_id": ["i1"] * 6,
        }
    )
    contacts = pd.DataFrame(
        {
            "contact_id": [text_payload(trap, f"contact_id{n}") for n in range(8)],
            "person_key": [f"person-{n}" for n in range(8)],
            "date": pd.to_datetime(["2020-05-04"] * 4 + ["2020-06-04"] * 4),
            "kind": ["custom_notification"] * 8,
            "round_id": [text_payload(trap, "round_id")] * 8,
            "asked_exit_support": [True, False] * 4,
            "source": [text_payload(trap, "contact_source")] * 8,
            "is_synthetic": [False] * 8,
            "import_id": ["i2"] * 8,
        }
    )
    imports = pd.DataFrame(
        {
            "import_id": ["i1", "i2"],
            "dataset": ["incidents", "interventions"],
            "file_names": [text_payload(trap, "file_names")] * 2,
            "file_sha256": ["0" * 64] * 2,
            "rows_read": [6, 8],
            "rows_added": [6, 8],
            "rows_replaced": [0, 0],
            "rows_unchanged": [0, 0],
            "rows_skipped": [0, 0],
            "imported_at": pd.to_datetime(["2026-11-30 10:00", "2026-11-30 11:00"], utc=True),
            "imported_by": [text_payload(trap, "imported_by")] * 2,
        }
    )
    return extract_database(folder / "payloads.duckdb", incidents=incidents, interventions=contacts, imports=imports)


PARTNER_EMAIL = "analys@example.org"


@pytest.fixture(scope="module")
def dashboard(provider, payload_database, tmp_path_factory):
    """The dashboard on the payloads, with sign-in configured; the partner's provider says the address is verified."""
    register(provider, PARTNER_EMAIL, email=PARTNER_EMAIL, email_verified=True)
    partners = f'emails = ["{PARTNER_EMAIL}"]'
    with signed_in_dashboard(provider, payload_database, tmp_path_factory.mktemp("dashboard"), partners) as url:
        yield url


# Every element on the page whose whole text is a payload's marker: one a payload made.
MADE_BY_A_PAYLOAD = """markers => [...document.querySelectorAll('body *')]
    .filter(element => markers.includes(element.textContent.trim()))
    .map(element => element.tagName + ': ' + element.textContent.trim())"""
# Every link to the trap, to evil.example or to an address, and every image from the trap.
LINKS_AND_IMAGES = """trap => [
    ...[...document.querySelectorAll('a')]
        .map(a => a.getAttribute('href') || a.getAttribute('xlink:href') || '')
        .filter(href => href.includes(trap) || href.includes('evil.example') || href.startsWith('mailto:'))
        .map(href => 'link ' + href),
    ...[...document.querySelectorAll('img, image')]
        .map(image => image.getAttribute('src') || image.getAttribute('href') || '')
        .filter(src => src.includes(trap))
        .map(src => 'image ' + src),
]"""


def check_page(page: Page, url: str, trap: str) -> list[str]:
    """Open `url`, wait for the run to end and for images to load, and return what the payloads made."""
    page.goto(url)
    expect(page.locator("[data-testid=stApp][data-test-script-state=notRunning]")).to_be_attached()
    page.get_by_test_id("stExpander").locator("summary").evaluate_all("summaries => summaries.forEach(s => s.click())")
    page.wait_for_timeout(1500)  # images in the Markdown would start loading by now
    # opening a table runs the page again (widgets.folded): what it drew then is checked too
    expect(page.locator("[data-testid=stApp][data-test-script-state=notRunning]")).to_be_attached()
    made = page.evaluate(MADE_BY_A_PAYLOAD, MARKERS) + page.evaluate(LINKS_AND_IMAGES, trap)
    icons = page.get_by_test_id("stIconMaterial").all_inner_texts()
    made += ["icon bug_report"] * icons.count("bug_report")
    made += ["emoji \N{SKULL}"] * page.inner_text("body").count("\N{SKULL}")
    return [f"{url.split('?')[0]}: {thing}" for thing in made]


def payload_url(dashboard: str, script: str, trap: str, **overrides: str) -> str:
    """The page's address with a payload in every URL parameter, but those in `overrides`."""
    params = url_payloads(trap) | overrides
    query = "&".join(f"{name}={quote(value, safe='')}" for name, value in params.items())
    return f"{dashboard}/{'' if script == 'app.py' else Path(script).stem}?{query}"


def sign_in(page: Page, dashboard: str, provider: str, subject: str) -> None:
    """Sign in from the sidebar, typing `subject` (it becomes the e-mail claim) on the provider's form."""
    page.goto(f"{dashboard}/")
    page.get_by_test_id("stSidebar").get_by_role("button", name="Logga in som partner").click()
    page.wait_for_url(f"{provider}/oauth2/authorize*")
    page.locator("input[name=sub]").fill(subject)
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_role("heading", level=1, name="Sluta skjut i siffror")).to_be_visible()


def test_nothing_comes_of_markdown_or_html_in_links_and_extracts(dashboard, provider, trap, browser):
    Trap.requests.clear()
    made = []
    with new_visitor(browser) as page:
        for script in PAGES.values():
            made += check_page(page, payload_url(dashboard, script, trap), trap)
        # the notices quote the link's values as they were: the Markdown is text (a word joiner, U+2060, keeps
        # a web address from becoming a link)
        # on the first run, before a table opened runs the page again (widgets.folded) and they are gone
        page.goto(payload_url(dashboard, PAGES["trends"], trap))
        expect(page.locator("[data-testid=stApp][data-test-script-state=notRunning]")).to_be_attached()
        shown = page.inner_text("body").replace("\u2060", "")
        for name in ("to", "scale", "grain"):
            assert f"'{url_payloads(trap)[name]}' i länken ({name})" in shown
    with new_visitor(browser) as page:  # a partner, on every section of the partner page
        sign_in(page, dashboard, provider, PARTNER_EMAIL)
        for section in PARTNER_SECTIONS:
            made += check_page(page, payload_url(dashboard, PARTNER_PAGE, trap, section=section), trap)
        assert text_payload(trap, "imported_by").split("\n")[0] in page.inner_text("body").replace("\u2060", "")
    with new_visitor(browser) as page:  # a refused account whose e-mail claim is a payload
        sign_in(page, dashboard, provider, text_payload(trap, "email").replace("\n", " "))
        made += check_page(page, payload_url(dashboard, PARTNER_PAGE, trap), trap)
    assert not made, "\n".join(made)
    assert Trap.requests == [], f"the browser loaded {len(Trap.requests)} images of the payloads: {Trap.requests}"

"""Partner sign-in end to end: `streamlit run app.py`, a real OpenID provider and Debian's chromium.

One provider and two dashboards serve the whole module (a third, without sign-in, compares a partner
address with an unknown one):
- the provider is oidc-provider-mock (a Flask app) on a free port in a thread. Its authorization
  form asks for a subject ("sub"); a subject it does not know becomes a user whose e-mail claim is
  that subject, without email_verified, and PUT /users/<sub> gives a subject the claims a test needs
  (email_verified true, or the text "False", or a look-alike address);
- a dashboard is `streamlit run app.py` in a subprocess on a free port, with a secrets file in a
  temporary folder (`--secrets.files`; the repository's .streamlit/secrets.toml is never written or
  read) and SLUTASKJUT_DB on a copy of the session database with one real import;
- each visitor is a fresh browser context (no cookies) in chromium, driven by Playwright, which
  launches /usr/bin/chromium and never downloads a browser.

Without /usr/bin/chromium the module is skipped, except in CI (CI=true), where that is a failure:
`make test` installs chromium first (.ci/test-tools).
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from browser import dashboard_server, new_visitor, register, require_chromium, signed_in_dashboard
from playwright.sync_api import Page, expect

from slutaskjut import gate
from slutaskjut.frame import PAGES, PARTNER_PAGE, PARTNER_SECTIONS
from slutaskjut.i18n import t

require_chromium()

PARTNER_EMAIL = "analys@example.org"
DOMAIN_PARTNER_EMAIL = "utredare@malmo.se"
OTHER_EMAIL = "someone@example.com"
YEARS = "lang=en&from=2016&to=2022"
# The outreach pages chart the round in the link: May 2020, where 2 people were helped to move,
# "fewer than 3" in public.
ROUND = "may_2020_custom_notification"
HIDDEN = "Helped to move away: fewer than 3"
SHOWN = "Helped to move away: 2;"


@pytest.fixture(scope="module")
def dashboard(provider, imported_database, tmp_path_factory):
    """The dashboard's base URL: an address and a domain allowed, every e-mail claim must be verified."""
    partners = f'emails = ["{PARTNER_EMAIL}"]\ndomains = ["malmo.se"]'
    with signed_in_dashboard(provider, imported_database, tmp_path_factory.mktemp("dashboard"), partners) as url:
        yield url


@pytest.fixture(scope="module")
def trusting_dashboard(provider, imported_database, tmp_path_factory):
    """A dashboard that trusts the provider's e-mail claim without email_verified, by its issuer."""
    with urllib.request.urlopen(f"{provider}/.well-known/openid-configuration") as response:
        issuer = json.load(response)["issuer"]
    partners = f'domains = ["malmo.se"]\nemail_trusted_issuers = ["{issuer}"]'
    with signed_in_dashboard(provider, imported_database, tmp_path_factory.mktemp("trusting"), partners) as url:
        yield url


@pytest.fixture
def visitor(browser):
    """A new visitor: a browser context of its own, without cookies."""
    with new_visitor(browser) as page:
        yield page


def open_page(page: Page, url: str, heading: str) -> None:
    """Go to `url` and wait until the page's title (its h1) reads `heading`."""
    page.goto(url)
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()


def sidebar(page: Page):
    return page.get_by_test_id("stSidebar")


def shown(text: str) -> re.Pattern:
    """`text` as the page shows it: an address with a word joiner before its @ (slutaskjut/markdown.py)."""
    return re.compile(re.escape(text).replace("@", "\u2060?@"))


def partner_links(page: Page):
    return page.locator("a[href*='partner']")


def sign_in(page: Page, subject: str, provider: str, button, heading: str = "Sluta skjut i siffror") -> None:
    """Click a sign-in button, type the subject on the provider's form, and come back to the page the button
    was on, whose title (its h1) is then `heading`.

    A subject the provider does not know signs in with an e-mail claim of the subject and no email_verified.
    """
    button.click()
    page.wait_for_url(f"{provider}/oauth2/authorize*")
    page.locator("input[name=sub]").fill(subject)
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()


def sign_out(page: Page, provider: str) -> None:
    """Click "Sign out"; the provider (it has an end_session_endpoint) asks to confirm, then sends us back."""
    sidebar(page).get_by_role("button", name=re.compile("Sign out|Logga ut")).click()
    page.wait_for_url(f"{provider}/oauth2/end_session*")
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("heading", level=1, name="Sluta skjut i siffror")).to_be_visible()


def partner_url(dashboard: str, section: str | None = None) -> str:
    return f"{dashboard}/{Path(PARTNER_PAGE).stem}?{YEARS}" + (f"&section={section}" if section else "")


def received(page: Page) -> list[bytes]:
    """Record every websocket frame the page receives from now on: what Streamlit tells the browser."""
    frames: list[bytes] = []
    page.on(
        "websocket",
        lambda socket: socket.on("framereceived", lambda f: frames.append(f if isinstance(f, bytes) else f.encode())),
    )
    return frames


# What only a partner may learn: the partner sections' names and titles, and the old pages' names.
PARTNER_ONLY = [
    *(f"partner_{name}" for name in ("outreach", "reconciliation", "imports")),
    *(t(f"partner_{section}.title", lang) for section in PARTNER_SECTIONS for lang in ("sv", "en")),
]


def test_a_visitor_sees_the_partner_page_only_as_a_sign_in_prompt(dashboard, visitor):
    page = visitor
    frames = received(page)
    open_page(page, f"{dashboard}/?{YEARS}", "Sluta skjut in figures")
    expect(sidebar(page).get_by_role("button", name="Partner sign-in")).to_be_visible()
    expect(partner_links(page)).to_have_count(0)
    open_page(page, f"{dashboard}/outreach?{YEARS}&round={ROUND}", "Outreach")
    expect(page.get_by_text(HIDDEN)).to_be_visible()
    for section in [None, *PARTNER_SECTIONS]:
        open_page(page, partner_url(dashboard, section), "Sign in")
        expect(page.get_by_text("This page is for Sluta skjut's partners.")).to_be_visible()
        expect(page.get_by_test_id("stMain").get_by_role("button", name="Partner sign-in")).to_be_visible()
        expect(partner_links(page)).to_have_count(0)
        expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
        assert "Helped to move away" not in page.content()
    sent = b"".join(frames)
    assert sent, "the websocket frames were recorded"
    assert not [name for name in PARTNER_ONLY if name.encode() in sent]


def test_a_partner_signs_in_sees_every_count_and_signs_out(dashboard, provider, visitor):
    page = visitor
    register(provider, PARTNER_EMAIL, email=PARTNER_EMAIL, email_verified=True)
    open_page(page, partner_url(dashboard), "Sign in")
    button = page.get_by_test_id("stMain").get_by_role("button", name="Partner sign-in")
    sign_in(page, PARTNER_EMAIL, provider, button, heading="Partner pages")
    expect(sidebar(page).get_by_text(shown(f"Signed in as {PARTNER_EMAIL}."))).to_be_visible()
    expect(sidebar(page).locator("a[href*='partner']")).to_have_count(1)  # the page's headings link to themselves

    open_page(page, partner_url(dashboard, "outreach") + f"&round={ROUND}", "Partner pages")
    expect(page.get_by_role("heading", level=2, name="Contacts by round and month, every count")).to_be_visible()
    expect(page.get_by_text(SHOWN)).to_be_visible()
    assert HIDDEN not in page.content()
    open_page(page, partner_url(dashboard, "reconciliation"), "Partner pages")
    expect(page.get_by_text("2020, shootings: 2 in the extract, 20 published")).to_be_visible()
    open_page(page, partner_url(dashboard, "imports"), "Partner pages")
    expect(page.get_by_text("3 rows read, 3 added, 0 replaced, 0 unchanged, 0 skipped")).to_be_visible()
    # the section is a choice in the URL, like every other
    page.get_by_test_id("stMain").get_by_text("Reconciliation in detail").click()
    page.wait_for_url(re.compile("section=reconciliation"))
    # the public page stays suppressed for a partner too
    open_page(page, f"{dashboard}/outreach?{YEARS}&round={ROUND}", "Outreach")
    expect(page.get_by_text(HIDDEN)).to_be_visible()

    sign_out(page, provider)
    expect(sidebar(page).get_by_role("button", name="Logga in som partner")).to_be_visible()
    expect(partner_links(page)).to_have_count(0)
    open_page(page, partner_url(dashboard, "outreach"), "Sign in")
    assert SHOWN not in page.content()


def test_after_sign_in_a_partner_is_back_on_the_page_and_view_the_link_asked_for(dashboard, provider, visitor):
    page = visitor
    register(provider, PARTNER_EMAIL, email=PARTNER_EMAIL, email_verified=True)
    asked = {"lang": "en", "from": "2017", "to": "2019", "section": "imports"}
    open_page(page, f"{dashboard}/partner?{urllib.parse.urlencode(asked)}", "Sign in")
    button = page.get_by_test_id("stMain").get_by_role("button", name="Partner sign-in")
    sign_in(page, PARTNER_EMAIL, provider, button, heading="Partner pages")
    expect(page.get_by_role("heading", level=2, name="Import history")).to_be_visible()
    address = urllib.parse.urlsplit(page.url)
    assert address.path == "/partner"
    assert dict(urllib.parse.parse_qsl(address.query)) == asked
    expect(sidebar(page).get_by_role("slider").first).to_have_value("2017")
    # once only: the home page stays the home page afterwards
    open_page(page, f"{dashboard}/?lang=en", "Sluta skjut in figures")
    page.wait_for_timeout(1000)
    assert urllib.parse.urlsplit(page.url).path == "/"


@pytest.mark.parametrize(
    "stored", ["//example.com/partner", "https://example.com/partner", "/\\example.com", "/no_such_page?lang=en"]
)
def test_after_sign_in_only_a_page_of_the_dashboard_is_followed(dashboard, provider, visitor, stored):
    page = visitor
    register(provider, DOMAIN_PARTNER_EMAIL, email=DOMAIN_PARTNER_EMAIL, email_verified=True)
    open_page(page, f"{dashboard}/", "Sluta skjut i siffror")
    sign_in(page, DOMAIN_PARTNER_EMAIL, provider, sidebar(page).get_by_role("button", name="Logga in som partner"))
    # what a script of another page of this origin might leave in the tab, read by the next signed-in run
    page.evaluate("([key, value]) => sessionStorage.setItem(key, value)", [gate.RETURN_KEY, stored])
    page.reload()
    expect(page.get_by_role("heading", level=1, name="Sluta skjut i siffror")).to_be_visible()
    expect(partner_links(page)).to_have_count(1)  # the signed-in run has ended, its scripts have run
    page.wait_for_timeout(1000)
    assert urllib.parse.urlsplit(page.url)[:3] == urllib.parse.urlsplit(f"{dashboard}/")[:3]
    assert page.evaluate("key => sessionStorage.getItem(key)", gate.RETURN_KEY) is None, "read once, then gone"


def test_a_partner_by_domain_signs_in_from_the_sidebar(dashboard, provider, visitor):
    page = visitor
    register(provider, DOMAIN_PARTNER_EMAIL, email=DOMAIN_PARTNER_EMAIL, email_verified=True)
    open_page(page, f"{dashboard}/", "Sluta skjut i siffror")
    sign_in(page, DOMAIN_PARTNER_EMAIL, provider, sidebar(page).get_by_role("button", name="Logga in som partner"))
    expect(partner_links(page)).to_have_count(1)
    partner_links(page).click()
    expect(page.get_by_role("heading", level=1, name="Partnersidor")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Kontakter per omgång och månad, alla antal")).to_be_visible()


def expect_refused(page: Page, dashboard: str, provider: str, subject: str, account: str) -> None:
    """Sign in as `subject`, see the refusal naming `account` on a public page and the partner page, sign out."""
    open_page(page, f"{dashboard}/", "Sluta skjut i siffror")
    sign_in(page, subject, provider, sidebar(page).get_by_role("button", name="Logga in som partner"))
    refusal = "men kontot har inte tillgång"
    expect(page.get_by_text(shown(f"Du är inloggad som {account}, {refusal}"))).to_be_visible()
    expect(partner_links(page)).to_have_count(0)
    for section in PARTNER_SECTIONS:
        open_page(page, partner_url(dashboard, section), "No access")
        expect(page.get_by_text(re.compile("the account has no access"))).to_be_visible()
        expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
        assert "Helped to move away" not in page.content()
    sign_out(page, provider)
    expect(sidebar(page).get_by_role("button", name="Logga in som partner")).to_be_visible()


def test_an_account_not_allowed_is_refused(dashboard, provider, visitor):
    register(provider, OTHER_EMAIL, email=OTHER_EMAIL, email_verified=True)
    expect_refused(visitor, dashboard, provider, OTHER_EMAIL, OTHER_EMAIL)


KELVIN = "x@\u212ariminalvarden.se"  # the KELVIN SIGN, which .lower() makes "k"


@pytest.mark.parametrize(
    ("subject", "claims"),
    [
        ("verified-as-text@malmo.se", {"email_verified": "False"}),
        ("verified-no@malmo.se", {"email_verified": "no"}),
        ("verified-true-text@malmo.se", {"email_verified": "true"}),
        ("unverified@malmo.se", {}),  # no email_verified, as Entra ID sends none
        ("kelvin", {"email": KELVIN, "email_verified": True}),
    ],
)
def test_an_account_the_gate_must_refuse_is_refused(dashboard, provider, visitor, subject, claims):
    email = claims.get("email", subject)
    register(provider, subject, **({"email": email} | claims))
    expect_refused(visitor, dashboard, provider, subject, email)


def test_a_trusted_issuer_needs_no_email_verified(trusting_dashboard, provider, visitor):
    subject = "entra-user@malmo.se"
    register(provider, subject, email=subject)  # no email_verified
    page = visitor
    open_page(page, f"{trusting_dashboard}/", "Sluta skjut i siffror")
    sign_in(page, subject, provider, sidebar(page).get_by_role("button", name="Logga in som partner"))
    expect(sidebar(page).get_by_text(shown(f"Inloggad som {subject}."))).to_be_visible()
    expect(partner_links(page)).to_have_count(1)
    register(provider, KELVIN, email=KELVIN)  # trusted or not, a look-alike address is refused
    sign_out(page, provider)
    sign_in(page, KELVIN, provider, sidebar(page).get_by_role("button", name="Logga in som partner"))
    expect(partner_links(page)).to_have_count(0)


# Without sign-in configured ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def public_dashboard(imported_database, tmp_path_factory):
    """The dashboard without [auth]: the public one only."""
    folder = tmp_path_factory.mktemp("public_dashboard")
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text("")
    with dashboard_server(imported_database, folder, args=["--secrets.files", str(secrets_file)]) as url:
        yield url


def what_a_visitor_sees(page: Page, url: str) -> dict:
    page.goto(url)
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_test_id("stPageLink-NavLink")).to_have_count(len(PAGES))
    expect(page.get_by_role("heading", name="Sources")).to_be_visible()  # the footer: the run has ended
    expect(page.locator("[data-testid=stApp][data-test-script-state=notRunning]")).to_be_attached()
    for chart in page.get_by_test_id("stPlotlyChart").all():  # drawn: plotly draws after the run has ended
        expect(chart.locator(".gtitle").first).not_to_have_text("")
    # the path itself is left out: Streamlit moves an unknown address to / about a second after the run, or not
    return {
        "query": urllib.parse.urlsplit(page.url).query,
        "dialog": page.get_by_role("dialog").inner_text(),
        "main": page.get_by_test_id("stMain").inner_text(),
        "current page": page.locator("[data-testid=stPageLink-NavLink]").evaluate_all(
            "links => links.map(link => getComputedStyle(link).backgroundColor)"
        ),
    }


def test_without_sign_in_a_partner_address_answers_as_an_unknown_one(public_dashboard, browser):
    answers = {}
    for name in ("partner", "no_such_page"):
        with new_visitor(browser) as page:
            frames = received(page)
            answers[name] = what_a_visitor_sees(page, f"{public_dashboard}/{name}?{YEARS}&section=imports")
            assert not [name for name in PARTNER_ONLY if name.encode() in b"".join(frames)]
    assert answers["partner"] == answers["no_such_page"]
    assert "Page not found" in answers["partner"]["dialog"] and "Sluta skjut in figures" in answers["partner"]["main"]

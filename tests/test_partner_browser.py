"""Partner sign-in end to end: `streamlit run app.py`, a real OpenID provider and Debian's chromium.

One dashboard and one provider serve the whole module:
- the provider is oidc-provider-mock (a Flask app) on a free port in a thread. Its authorization
  form asks for a subject ("sub"); a subject it does not know becomes a user whose e-mail claim is
  that subject, so typing an address signs in with that address;
- the dashboard is `streamlit run app.py` in a subprocess on a free port, with a secrets file in a
  temporary folder (`--secrets.files`; the repository's .streamlit/secrets.toml is never written or
  read) and SLUTASKJUT_DB on a copy of the session database with one real import;
- each visitor is a fresh browser context (no cookies) in chromium, driven by Playwright, which
  launches /usr/bin/chromium and never downloads a browser.

Without /usr/bin/chromium the module is skipped, except in CI (CI=true), where that is a failure:
`make test` installs chromium first (.ci/test-tools).
"""

from __future__ import annotations

import re
import secrets
import warnings
from pathlib import Path

import authlib.deprecate  # noqa: F401  (see below)
import pytest
from browser import dashboard_server, free_port, new_visitor, require_chromium
from playwright.sync_api import Page, expect

from slutaskjut.frame import PARTNER_PAGES

# oidc-provider-mock 0.3 imports Authlib modules that Authlib 1.9 deprecates. Authlib's first import
# puts an "always" filter for its warnings in front of all others: imported above, it stays behind this one.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from oidc_provider_mock import run_server_in_thread

require_chromium()

PARTNER_EMAIL = "analys@example.org"
DOMAIN_PARTNER_EMAIL = "utredare@malmo.se"
OTHER_EMAIL = "someone@example.com"
# The outreach pages chart the round in the link: May 2020, where 2 people were helped to move,
# "fewer than 3" in public.
YEARS = "lang=en&from=2016&to=2022&round=may_2020_custom_notification"
HIDDEN = "Helped to move away: fewer than 3"
SHOWN = "Helped to move away: 2;"


@pytest.fixture(scope="module")
def provider():
    """The OpenID provider's base URL."""
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def dashboard(provider, imported_database, tmp_path_factory):
    """The dashboard's base URL: `streamlit run app.py` with sign-in configured against the provider."""
    folder = tmp_path_factory.mktemp("dashboard")
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
emails = ["{PARTNER_EMAIL}"]
domains = ["malmo.se"]
"""
    )
    with dashboard_server(imported_database, folder, port, ["--secrets.files", str(secrets_file)]) as url:
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


def partner_links(page: Page):
    return page.locator("a[href*='partner_']")


def sign_in(page: Page, email: str, provider: str, button) -> None:
    """Click a sign-in button, type the address as the subject on the provider's form, and come back."""
    button.click()
    page.wait_for_url(f"{provider}/oauth2/authorize*")
    page.locator("input[name=sub]").fill(email)
    page.get_by_role("button", name="Authorize").click()
    # back on the dashboard's home page (Streamlit sends every sign-in there), in Swedish
    expect(page.get_by_role("heading", level=1, name="Sluta skjut i siffror")).to_be_visible()


def sign_out(page: Page, provider: str) -> None:
    """Click "Sign out"; the provider (it has an end_session_endpoint) asks to confirm, then sends us back."""
    sidebar(page).get_by_role("button", name=re.compile("Sign out|Logga ut")).click()
    page.wait_for_url(f"{provider}/oauth2/end_session*")
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("heading", level=1, name="Sluta skjut i siffror")).to_be_visible()


def test_a_visitor_sees_no_partner_page(dashboard, visitor):
    page = visitor
    open_page(page, f"{dashboard}/?{YEARS}", "Sluta skjut in figures")
    expect(sidebar(page).get_by_role("button", name="Partner sign-in")).to_be_visible()
    expect(partner_links(page)).to_have_count(0)
    open_page(page, f"{dashboard}/outreach?{YEARS}", "Outreach")
    expect(page.get_by_text(HIDDEN)).to_be_visible()
    for script in PARTNER_PAGES.values():
        open_page(page, f"{dashboard}/{Path(script).stem}?{YEARS}", "Sign in")
        expect(page.get_by_text("This page is for Sluta skjut's partners.")).to_be_visible()
        expect(page.get_by_test_id("stMain").get_by_role("button", name="Partner sign-in")).to_be_visible()
        expect(partner_links(page)).to_have_count(0)
        expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
        assert "Helped to move away" not in page.content()


def test_a_partner_signs_in_sees_every_count_and_signs_out(dashboard, provider, visitor):
    page = visitor
    open_page(page, f"{dashboard}/partner_outreach?{YEARS}", "Sign in")
    sign_in(page, PARTNER_EMAIL, provider, page.get_by_test_id("stMain").get_by_role("button", name="Partner sign-in"))
    expect(sidebar(page).get_by_text(f"Inloggad som {PARTNER_EMAIL}.")).to_be_visible()
    expect(partner_links(page)).to_have_count(len(PARTNER_PAGES))

    open_page(page, f"{dashboard}/partner_outreach?{YEARS}", "Contacts by round and month, every count")
    expect(page.get_by_text(SHOWN)).to_be_visible()
    assert HIDDEN not in page.content()
    open_page(page, f"{dashboard}/partner_reconciliation?{YEARS}", "Reconciliation in detail")
    expect(page.get_by_text("2020, shootings: 2 in the extract, 20 published")).to_be_visible()
    open_page(page, f"{dashboard}/partner_imports?{YEARS}", "Import history")
    expect(page.get_by_text("3 rows read, 3 added, 0 replaced, 0 unchanged, 0 skipped")).to_be_visible()
    # the public page stays suppressed for a partner too
    open_page(page, f"{dashboard}/outreach?{YEARS}", "Outreach")
    expect(page.get_by_text(HIDDEN)).to_be_visible()

    sign_out(page, provider)
    expect(sidebar(page).get_by_role("button", name="Logga in som partner")).to_be_visible()
    expect(partner_links(page)).to_have_count(0)
    open_page(page, f"{dashboard}/partner_outreach?{YEARS}", "Sign in")
    assert SHOWN not in page.content()


def test_a_partner_by_domain_signs_in_from_the_sidebar(dashboard, provider, visitor):
    page = visitor
    open_page(page, f"{dashboard}/", "Sluta skjut i siffror")
    sign_in(page, DOMAIN_PARTNER_EMAIL, provider, sidebar(page).get_by_role("button", name="Logga in som partner"))
    expect(partner_links(page)).to_have_count(len(PARTNER_PAGES))
    partner_links(page).first.click()
    expect(page.get_by_role("heading", level=1, name="Kontakter per omgång och månad, alla antal")).to_be_visible()


def test_an_account_not_allowed_is_refused(dashboard, provider, visitor):
    page = visitor
    open_page(page, f"{dashboard}/", "Sluta skjut i siffror")
    sign_in(page, OTHER_EMAIL, provider, sidebar(page).get_by_role("button", name="Logga in som partner"))
    expect(page.get_by_text(f"Du är inloggad som {OTHER_EMAIL}, men kontot har inte tillgång")).to_be_visible()
    expect(partner_links(page)).to_have_count(0)
    for script in PARTNER_PAGES.values():
        open_page(page, f"{dashboard}/{Path(script).stem}?{YEARS}", "No access")
        expect(page.get_by_text(f"You are signed in as {OTHER_EMAIL}, but the account has no access")).to_be_visible()
        expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
        assert "Helped to move away" not in page.content()
    sign_out(page, provider)
    expect(sidebar(page).get_by_role("button", name="Logga in som partner")).to_be_visible()

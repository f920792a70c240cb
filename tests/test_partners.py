"""Partner sign-in: the gate as a plain function, and the pages under AppTest with a mocked st.user.

The whole sign-in in a real browser against a real OpenID provider is in test_partner_browser.py.
"""

from __future__ import annotations

import re
import tomllib

import pytest
from conftest import NOT_A_PARTNER, PARTNER, SIGN_IN, SIGNED_OUT, extract_database, run_page
from test_pages import texts_of

from slutaskjut import frame
from slutaskjut.frame import PAGES, PARTNER_PAGES, Page
from slutaskjut.i18n import t
from slutaskjut.partners import Access, AllowList, ConfigError, access
from slutaskjut.paths import ROOT
from slutaskjut.view import View

PARTNER_SCRIPTS = list(PARTNER_PAGES.values())
YEARS = {"from": "2016", "to": "2022"}


# The gate as a plain function --------------------------------------------------------------------


def signed_in(email: str, **claims) -> dict:
    return {"is_logged_in": True, "email": email, **claims}


def test_without_sign_in_configured_nobody_is_a_partner():
    assert access(signed_in("analys@example.org"), {}) is Access.NO_SIGN_IN
    assert access(signed_in("analys@example.org"), {"partners": SIGN_IN["partners"]}) is Access.NO_SIGN_IN
    assert access({}, {"pseudonym_key": "x"}) is Access.NO_SIGN_IN


def test_signed_out_unless_streamlit_says_signed_in():
    assert access({}, SIGN_IN) is Access.SIGNED_OUT
    assert access(SIGNED_OUT, SIGN_IN) is Access.SIGNED_OUT
    # an e-mail without is_logged_in (AppTest's default user, a host's viewer info) is no sign-in
    assert access({"email": "analys@example.org"}, SIGN_IN) is Access.SIGNED_OUT
    assert access({"is_logged_in": "true", "email": "analys@example.org"}, SIGN_IN) is Access.SIGNED_OUT


@pytest.mark.parametrize(
    "email", ["analys@example.org", "ANALYS@example.ORG", " analys@example.org ", "a.b@malmo.se", "x@POLISEN.se"]
)
def test_allowed_by_email_or_domain(email):
    assert access(signed_in(email), SIGN_IN) is Access.PARTNER


@pytest.mark.parametrize(
    "email",
    [
        "other@example.org",  # the address is listed, not its domain
        "a@skola.malmo.se",  # a subdomain is not the domain
        "a@evilmalmo.se",
        "a@malmo.se.example.com",
        "a@malmo.se@example.com",
        "malmo.se",
        "@malmo.se",
        "",
    ],
)
def test_refused(email):
    assert access(signed_in(email), SIGN_IN) is Access.REFUSED


def test_refused_without_an_email_or_with_it_unverified():
    assert access({"is_logged_in": True, "sub": "analys@example.org"}, SIGN_IN) is Access.REFUSED
    assert access(signed_in("a@malmo.se", email_verified=False), SIGN_IN) is Access.REFUSED
    assert access(signed_in("a@malmo.se", email_verified="false"), SIGN_IN) is Access.REFUSED
    assert access(signed_in("a@malmo.se", email_verified=True), SIGN_IN) is Access.PARTNER


def test_an_empty_or_broken_allow_list_refuses_everyone():
    assert access(signed_in("a@malmo.se"), {"auth": SIGN_IN["auth"]}) is Access.REFUSED
    assert access(signed_in("a@malmo.se"), {**SIGN_IN, "partners": {"domains": 5}}) is Access.REFUSED
    assert access(signed_in("a@malmo.se"), {**SIGN_IN, "partners": {"domains": ["malmo.se", "@"]}}) is Access.REFUSED


def test_allow_list_from_the_secrets():
    allowed = AllowList.from_secrets({"partners": {"emails": "One@Example.org", "domains": ["@Malmo.se", " "]}})
    assert allowed == AllowList(frozenset({"one@example.org"}), frozenset({"malmo.se"}))
    assert AllowList.from_secrets({}) == AllowList()
    for partners, problem in [
        ({"domains": [1]}, "partners.domains must be a list of texts"),
        ({"emails": ["malmo.se"]}, "partners.emails: not an e-mail address: malmo.se"),
        ({"domains": ["a@malmo.se"]}, "partners.domains: not a domain: a@malmo.se"),
        ("malmo.se", "[partners] must be a table"),
    ]:
        with pytest.raises(ConfigError, match=re.escape(problem)):
            AllowList.from_secrets({"partners": partners})


# Only the gate hands out unsuppressed queries -----------------------------------------------------


def test_every_page_is_listed_and_every_partner_page_is_gated():
    scripts = {f"pages/{path.name}" for path in (ROOT / "pages").glob("*.py")}
    assert scripts == {*PAGES.values(), *PARTNER_PAGES.values()} - {"app.py"}
    for key, script in PARTNER_PAGES.items():
        assert f'page("{key}", partner=True)' in (ROOT / script).read_text()
    for script in PAGES.values():
        text = (ROOT / script).read_text()
        assert "partner=True" not in text and "unsuppressed" not in text


def test_page_refuses_a_partner_flag_that_does_not_match_the_list():
    with pytest.raises(ValueError, match="PARTNER_PAGES lacks it"):
        frame.page("outreach", partner=True)
    with pytest.raises(ValueError, match="PARTNER_PAGES has it"):
        frame.page("partner_outreach")


def test_a_public_page_cannot_run_a_partner_query(database_path):
    public = Page(View("sv", 2016, 2020), str(database_path), "stamp")
    assert not hasattr(public, "unsuppressed")
    for name in ("import_history", "incident_coverage_by_year"):
        with pytest.raises(PermissionError, match="for partner pages only"):
            public.query(name, **({} if name == "import_history" else {"from_year": 2016, "to_year": 2020}))


# Pages without sign-in configured: nothing about partners -------------------------------------------


def no_queries(monkeypatch):
    """Make any database build or query fail the page: the gate must stop before them."""

    def fail(*args, **kwargs):
        raise AssertionError("a query ran for a visitor who is not a partner")

    for name in ("_ensure", "_query", "_query_unsuppressed", "run_query"):
        monkeypatch.setattr(frame, name, fail)


def partner_words(app) -> list[str]:
    """Every text, button and link label that mentions partners."""
    labels = [button.label for button in app.button] + [link.proto.label for link in app.get("page_link")]
    return [text for text in [texts_of(app), *labels] if re.search("partner", text, re.IGNORECASE)]


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("script", PARTNER_SCRIPTS)
def test_without_sign_in_a_partner_page_is_not_found(script, lang, monkeypatch):
    no_queries(monkeypatch)
    app = run_page(script, lang=lang, **YEARS)
    assert not app.exception, app.exception[0].value if app.exception else ""
    assert app.title[0].value == t("not_found.title", lang)
    assert t("not_found.text", lang) in texts_of(app)
    assert not partner_words(app) and not app.button
    links = [link.proto.label for link in app.get("page_link")]
    assert links == [t("not_found.home", lang)] + [t(f"nav.{key}", lang) for key in PAGES]
    assert not app.dataframe and not app.get("plotly_chart")


@pytest.mark.parametrize("script", [None, "pages/outreach.py"])
def test_without_sign_in_public_pages_say_nothing_of_partners(script):
    app = run_page(script, lang="en", **YEARS)
    assert not app.exception
    assert not partner_words(app)
    assert not [button for button in app.button if button.key and button.key.startswith("partner_")]


# Sign-in configured ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("script", PARTNER_SCRIPTS)
def test_signed_out_a_partner_page_is_a_sign_in_prompt(script, lang, monkeypatch):
    no_queries(monkeypatch)
    app = run_page(script, user=SIGNED_OUT, secrets=SIGN_IN, lang=lang, **YEARS)
    assert not app.exception, app.exception[0].value if app.exception else ""
    assert app.title[0].value == t("partner.sign_in_title", lang)
    assert t("partner.sign_in_text", lang) in texts_of(app)
    assert app.button(key="partner_sign_in_page").label == t("partner.sign_in", lang)
    assert [link.proto.label for link in app.get("page_link")] == [t(f"nav.{key}", lang) for key in PAGES]
    assert not app.dataframe and not app.get("plotly_chart")


def test_signed_out_public_pages_offer_sign_in_and_no_partner_links():
    app = run_page(None, user=SIGNED_OUT, secrets=SIGN_IN, lang="sv")
    assert not app.exception
    assert app.button(key="partner_sign_in").label == t("partner.sign_in", "sv")
    assert [link.proto.label for link in app.get("page_link")] == [t(f"nav.{key}", "sv") for key in PAGES]


@pytest.mark.parametrize("script", PARTNER_SCRIPTS)
def test_a_refused_account_sees_why_and_can_sign_out(script, monkeypatch):
    no_queries(monkeypatch)
    app = run_page(script, user=NOT_A_PARTNER, secrets=SIGN_IN, lang="en", **YEARS)
    assert not app.exception, app.exception[0].value if app.exception else ""
    assert app.title[0].value == t("partner.refused_title", "en")
    assert t("partner.refused", "en", account="`someone@example.com`") in [warning.value for warning in app.warning]
    assert [link.proto.label for link in app.get("page_link")] == [t(f"nav.{key}", "en") for key in PAGES]
    assert not app.dataframe and not app.get("plotly_chart")
    app.button(key="partner_sign_out_page").click().run()
    assert app.user == {"is_logged_in": False}
    app.run()  # in a browser, st.logout reloads the page
    assert app.title[0].value == t("partner.sign_in_title", "en")


def test_a_refused_account_is_told_on_public_pages_too():
    app = run_page(None, user=NOT_A_PARTNER, secrets=SIGN_IN, lang="sv")
    assert t("partner.refused", "sv", account="`someone@example.com`") in [warning.value for warning in app.warning]
    assert app.button(key="partner_sign_out").label == t("partner.sign_out", "sv")
    assert [link.proto.label for link in app.get("page_link")] == [t(f"nav.{key}", "sv") for key in PAGES]


def test_a_broken_allow_list_is_named_to_the_refused_account():
    secrets = {**SIGN_IN, "partners": {"domains": "malmo.se", "emails": ["nobody"]}}
    app = run_page("pages/partner_imports.py", user=signed_in("a@malmo.se"), secrets=secrets, lang="en")
    assert app.title[0].value == t("partner.refused_title", "en")
    assert "partners.emails: not an e-mail address: nobody" in app.error[0].value


def test_the_url_never_opens_the_gate(monkeypatch):
    no_queries(monkeypatch)
    params = {"partner": "1", "unsuppressed": "true", "min_count": "0", "email": "analys@example.org"}
    app = run_page("pages/partner_outreach.py", user=SIGNED_OUT, secrets=SIGN_IN, **params)
    assert app.title[0].value == t("partner.sign_in_title", "sv")


# A partner's pages --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("key", list(PARTNER_PAGES))
def test_partner_page_renders_with_sources(key, lang):
    app = run_page(PARTNER_PAGES[key], user=PARTNER, secrets=SIGN_IN, lang=lang, **YEARS)
    assert not app.exception, app.exception[0].value if app.exception else ""
    assert not app.error
    assert app.title[0].value == t(f"{key}.title", lang)
    assert t("footer.sources", lang) in [header.value for header in app.subheader]
    links = [link.proto.label for link in app.get("page_link")]
    assert links == [t(f"nav.{page}", lang) for page in [*PAGES, *PARTNER_PAGES]]
    assert t("partner.signed_in", lang, account="`Analys@Example.org`") in texts_of(app)
    assert app.button(key="partner_sign_out").label == t("partner.sign_out", lang)


def test_partner_outreach_shows_the_counts_the_public_page_hides():
    may_2020 = {"round": "may_2020_custom_notification"}
    public = texts_of(run_page("pages/outreach.py", lang="en", **YEARS, **may_2020))
    assert "Helped to move away: fewer than 3" in public and "Helped to move away: 2;" not in public
    app = run_page("pages/partner_outreach.py", user=PARTNER, secrets=SIGN_IN, lang="en", **YEARS, **may_2020)
    text = texts_of(app)
    assert "Helped to move away: 2;" in text and "fewer than" not in text
    assert t("partner.confidential", "en", threshold=3) in [warning.value for warning in app.warning]
    downloads = [button.proto.id.rsplit("-download_", 1)[1] for button in app.get("download_button")]
    assert "partner_contacts_may_2020_custom_notification" in downloads
    # the months hidden on the public page: 2 people in March 2018, 1 in August 2018
    notifications = {"round": "notifications_2018_2020_custom_notification"}
    app = run_page("pages/partner_outreach.py", user=PARTNER, secrets=SIGN_IN, lang="en", **YEARS, **notifications)
    (table,) = [frame.value for frame in app.dataframe if "Month" in frame.value.columns]
    months = table.set_index("Month")["People"]
    assert (months["March 2018"], months["August 2018"]) == ("2", "1")


def test_partner_reconciliation_lists_the_differences_with_the_sources(imported_database, monkeypatch):
    monkeypatch.setenv("SLUTASKJUT_DB", str(imported_database))
    app = run_page("pages/partner_reconciliation.py", user=PARTNER, secrets=SIGN_IN, lang="en", **YEARS)
    assert not app.exception, app.exception[0].value if app.exception else ""
    text = texts_of(app)
    assert (
        "2020, shootings: 2 in the extract, 20 published (\u221218), but no source covers the whole year. "
        "The year is covered by polisen (1 March 2020\u201320 September 2020)."
    ) in text
    coverage = app.dataframe[0].value
    assert coverage.iloc[0].tolist()[:7] == ["polisen", "2020", "1 March 2020", "20 September 2020", "204", "", "3"]


def test_partner_reconciliation_on_the_demonstration_data():
    app = run_page("pages/partner_reconciliation.py", user=PARTNER, secrets=SIGN_IN, lang="en", **YEARS)
    coverage = app.dataframe[0].value
    assert coverage["Source"].unique().tolist() == ["synthetic"] and coverage["Year"].tolist()[0] == "2016"
    assert t("extract.synthetic", "en") in [warning.value for warning in app.warning]


def test_partner_imports_lists_each_import(imported_database, monkeypatch):
    monkeypatch.setenv("SLUTASKJUT_DB", str(imported_database))
    app = run_page("pages/partner_imports.py", user=PARTNER, secrets=SIGN_IN, lang="en")
    assert not app.exception, app.exception[0].value if app.exception else ""
    text = texts_of(app)
    assert re.search(
        r"- \d{1,2} \w+ \d{4} \d\d:\d\d UTC: \*\*Incidents\*\* from `incidents.csv`: 3 rows read, 3 added, "
        r"0 replaced, 0 unchanged, 0 skipped\. Imported by `test`\.",
        text,
    )
    history = app.dataframe[0].value
    assert history.iloc[0, 1:9].tolist() == ["Incidents", "incidents.csv", "3", "3", "0", "0", "0", "test"]
    assert not app.warning, "the history is not synthetic: no warning, the footer says what is"


def test_partner_imports_without_imports(tmp_path, monkeypatch):
    monkeypatch.setenv("SLUTASKJUT_DB", str(extract_database(tmp_path / "empty.duckdb")))
    app = run_page("pages/partner_imports.py", user=PARTNER, secrets=SIGN_IN, lang="sv")
    assert not app.exception
    assert t("partner_imports.none", "sv") in [info.value for info in app.info]


def test_the_example_secrets_configure_no_sign_in_until_uncommented():
    text = (ROOT / ".streamlit" / "secrets.example.toml").read_text()
    assert access(PARTNER, tomllib.loads(text)) is Access.NO_SIGN_IN
    uncommented = tomllib.loads(re.sub(r"(?m)^#(?=\[|\w+ = )", "", text))
    settings = {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"}
    assert set(uncommented["auth"]) == settings
    assert access(signed_in("x@kriminalvarden.se"), uncommented) is Access.PARTNER
    assert access(signed_in("x@example.com"), uncommented) is Access.REFUSED

"""Partner sign-in: the gate as a plain function, and the pages under AppTest with a mocked st.user.

The whole sign-in in a real browser against a real OpenID provider is in test_partner_browser.py.
"""

from __future__ import annotations

import re
import tomllib

import pytest
from conftest import NOT_A_PARTNER, PARTNER, SIGN_IN, SIGNED_OUT, extract_database, run_page
from streamlit.testing.v1 import AppTest
from test_pages import texts_of

from slutaskjut import chokepoint, database, frame, markdown
from slutaskjut.columns import label
from slutaskjut.frame import PAGES, PARTNER_PAGE, PARTNER_SECTIONS, Page
from slutaskjut.i18n import t
from slutaskjut.partners import Access, access, canonical_address
from slutaskjut.paths import ROOT
from slutaskjut.view import View

YEARS = {"from": "2016", "to": "2022"}


# The gate as a plain function --------------------------------------------------------------------


def signed_in(email: str, **claims) -> dict:
    """A signed-in account whose provider verified its address, unless `claims` say otherwise."""
    return {"is_logged_in": True, "email": email, "email_verified": True, **claims}


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


def test_refused_without_an_email():
    assert access({"is_logged_in": True, "sub": "analys@example.org"}, SIGN_IN) is Access.REFUSED
    assert access({"is_logged_in": True, "email": ["a@malmo.se"], "email_verified": True}, SIGN_IN) is Access.REFUSED


@pytest.mark.parametrize("claim", [False, "False", "false", "no", "true", "True", 1, None, [True]])
def test_only_the_boolean_true_verifies_an_address(claim):
    assert access(signed_in("a@malmo.se", email_verified=claim), SIGN_IN) is Access.REFUSED


def test_a_missing_email_verified_refuses_unless_the_provider_or_issuer_is_trusted():
    unverified = {"is_logged_in": True, "email": "a@malmo.se", "provider": "microsoft", "iss": "https://issuer.example"}
    assert access(unverified, SIGN_IN) is Access.REFUSED
    for trusted in ({"email_trusted_providers": ["microsoft"]}, {"email_trusted_issuers": ["https://issuer.example"]}):
        secrets = {**SIGN_IN, "partners": {**SIGN_IN["partners"], **trusted}}
        assert access(unverified, secrets) is Access.PARTNER
        assert access({**unverified, "email": "a@example.com"}, secrets) is Access.REFUSED, "still the allow-list"
        assert access({**unverified, "email_verified": False}, secrets) is Access.REFUSED, "a false claim counts"
        assert access({**unverified, "email_verified": "true"}, secrets) is Access.REFUSED, "as does a text"
    other = {**SIGN_IN, "partners": {**SIGN_IN["partners"], "email_trusted_providers": ["google"]}}
    assert access(unverified, other) is Access.REFUSED


@pytest.mark.parametrize(
    "email",
    [
        "x@\u212ariminalvarden.se",  # KELVIN SIGN: .lower() makes it "k"
        "x@malmo.se".replace("m", "\uff4d", 1),  # FULLWIDTH m
        "\u212a@malmo.se",
        "x@stra\u00dfe.malmo.se",  # ß, which case-folding makes "ss"
        "\u00e5sa@malmo.se",  # the part before @ must be ASCII
        "x@malmo.se\u200b",  # an invisible character
        "x y@malmo.se",
    ],
)
def test_an_address_that_only_looks_allowed_is_refused(email):
    secrets = {**SIGN_IN, "partners": {"domains": ["malmo.se", "kriminalvarden.se", "strasse.malmo.se"]}}
    assert access(signed_in(email, email_verified=True), secrets) is Access.REFUSED


def test_addresses_compare_in_one_form():
    assert canonical_address(" X@Kriminalvarden.SE ") == "x@kriminalvarden.se"
    assert canonical_address("x@Malm\u00f6.se") == canonical_address("x@xn--malm-8qa.se") == "x@xn--malm-8qa.se"
    secrets = {**SIGN_IN, "partners": {"domains": ["malm\u00f6.se"], "emails": ["Ann@Example.ORG"]}}
    assert access(signed_in("x@xn--malm-8qa.se", email_verified=True), secrets) is Access.PARTNER
    assert access(signed_in("ann@example.org", email_verified=True), secrets) is Access.PARTNER


# Only the gate hands out unsuppressed queries -----------------------------------------------------


def test_every_page_is_listed_and_only_the_partner_page_is_gated():
    scripts = {f"pages/{path.name}" for path in (ROOT / "pages").glob("*.py")}
    assert scripts == {*PAGES.values(), PARTNER_PAGE} - {"app.py"}
    assert 'page("partner", partner=True)' in (ROOT / PARTNER_PAGE).read_text()
    for script in PAGES.values():
        text = (ROOT / script).read_text()
        assert "partner=True" not in text and "unsuppressed" not in text


def test_page_refuses_a_partner_flag_that_does_not_match_the_list():
    with pytest.raises(ValueError, match="the partner page is 'partner'"):
        frame.page("outreach", partner=True)
    with pytest.raises(ValueError, match="the partner page is 'partner'"):
        frame.page("partner")


def test_a_public_page_cannot_run_a_partner_query(database_path):
    public = Page(View("sv", 2016, 2020), database.Database(str(database_path), "stamp"))
    assert not hasattr(public, "unsuppressed")
    for name in ("import_history", "incident_coverage_by_year"):
        with pytest.raises(PermissionError, match="for partner pages only"):
            public.query(name, **({} if name == "import_history" else {"from_year": 2016, "to_year": 2020}))


# Pages without sign-in configured: nothing about partners -------------------------------------------


def no_queries(monkeypatch):
    """Make any database build or query fail the page: the gate must stop before them."""

    def fail(*args, **kwargs):
        raise AssertionError("a query ran for a visitor who is not a partner")

    monkeypatch.setattr(database, "_ensure", fail)
    for name in ("_query", "_query_unsuppressed", "run_query"):
        monkeypatch.setattr(chokepoint, name, fail)


def partner_words(app) -> list[str]:
    """Every text, button and link label that mentions partners."""
    labels = [button.label for button in app.button] + [link.proto.label for link in app.get("page_link")]
    return [text for text in [texts_of(app), *labels] if re.search("partner", text, re.IGNORECASE)]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_without_sign_in_the_partner_page_answers_as_an_unknown_address(lang):
    # Streamlit runs the main page for an address with no page (the browser test compares both);
    # the partner page switches to it with the same parameters.
    app = run_page(PARTNER_PAGE, lang=lang, **YEARS)
    assert not app.exception, app.exception[0].value if app.exception else ""
    overview = run_page(None, lang=lang, **YEARS)
    assert texts_of(app) == texts_of(overview)
    assert app.title[0].value == t("overview.title", lang)
    assert not partner_words(app)
    assert dict(app.query_params) == {"lang": lang, **YEARS}


@pytest.mark.parametrize("script", [None, "pages/outreach.py"])
def test_without_sign_in_public_pages_say_nothing_of_partners(script):
    app = run_page(script, lang="en", **YEARS)
    assert not app.exception
    assert not partner_words(app)
    assert not [button for button in app.button if button.key and button.key.startswith("partner_")]


# Sign-in configured ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_signed_out_the_partner_page_is_a_sign_in_prompt(lang, monkeypatch):
    no_queries(monkeypatch)
    app = run_page(PARTNER_PAGE, user=SIGNED_OUT, secrets=SIGN_IN, lang=lang, section="imports", **YEARS)
    assert not app.exception, app.exception[0].value if app.exception else ""
    assert app.title[0].value == t("partner.sign_in_title", lang)
    assert t("partner.sign_in_text", lang) in texts_of(app)
    assert app.button(key="partner_sign_in_page").label == t("partner.sign_in", lang)
    assert [link.proto.label for link in app.get("page_link")] == [t(f"nav.{key}", lang) for key in PAGES]
    assert not app.dataframe and not app.get("plotly_chart") and [radio.key for radio in app.radio] == ["lang"]
    assert not any(t(f"partner_{section}.title", lang) in texts_of(app) for section in PARTNER_SECTIONS)


def test_signed_out_public_pages_offer_sign_in_and_no_partner_links():
    app = run_page(None, user=SIGNED_OUT, secrets=SIGN_IN, lang="sv")
    assert not app.exception
    assert app.button(key="partner_sign_in").label == t("partner.sign_in", "sv")
    assert [link.proto.label for link in app.get("page_link")] == [t(f"nav.{key}", "sv") for key in PAGES]


def refusal(lang: str, account: str = "someone@example.com") -> str:
    return markdown.plain(t("partner.refused", lang, account=account))


def test_a_refused_account_sees_why_and_can_sign_out(monkeypatch):
    no_queries(monkeypatch)
    app = run_page(PARTNER_PAGE, user=NOT_A_PARTNER, secrets=SIGN_IN, lang="en", **YEARS)
    assert not app.exception, app.exception[0].value if app.exception else ""
    assert app.title[0].value == t("partner.refused_title", "en")
    assert refusal("en") in texts_of(app)
    assert [link.proto.label for link in app.get("page_link")] == [t(f"nav.{key}", "en") for key in PAGES]
    assert not app.dataframe and not app.get("plotly_chart")
    app.button(key="partner_sign_out_page").click().run()
    assert app.user == {"is_logged_in": False}
    app.run()  # in a browser, st.logout reloads the page
    assert app.title[0].value == t("partner.sign_in_title", "en")


def test_a_refused_account_is_told_on_public_pages_too():
    app = run_page(None, user=NOT_A_PARTNER, secrets=SIGN_IN, lang="sv")
    assert refusal("sv") in texts_of(app)
    assert app.button(key="partner_sign_out").label == t("partner.sign_out", "sv")
    assert [link.proto.label for link in app.get("page_link")] == [t(f"nav.{key}", "sv") for key in PAGES]


def test_a_broken_allow_list_is_named_to_the_refused_account():
    secrets = {**SIGN_IN, "partners": {"domains": "malmo.se", "emails": ["nobody"]}}
    app = run_page(PARTNER_PAGE, user=signed_in("a@malmo.se"), secrets=secrets, lang="en")
    assert app.title[0].value == t("partner.refused_title", "en")
    assert "partners.emails: not an e-mail address: nobody" in markdown.plain(app.error[0].value)


def test_the_url_never_opens_the_gate(monkeypatch):
    no_queries(monkeypatch)
    params = {"partner": "1", "unsuppressed": "true", "min_count": "0", "email": "analys@example.org"}
    app = run_page(PARTNER_PAGE, user=SIGNED_OUT, secrets=SIGN_IN, section="outreach", **params)
    assert app.title[0].value == t("partner.sign_in_title", "sv")


# A partner's page ---------------------------------------------------------------------------------


def partner_page(lang: str, section: str, **params) -> AppTest:
    return run_page(PARTNER_PAGE, user=PARTNER, secrets=SIGN_IN, lang=lang, section=section, **params)


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("section", PARTNER_SECTIONS)
def test_partner_page_renders_each_section_with_sources(section, lang):
    app = partner_page(lang, section, **YEARS)
    assert not app.exception, app.exception[0].value if app.exception else ""
    assert not app.error
    assert app.title[0].value == t("nav.partner", lang)
    assert app.header[0].value == t(f"partner_{section}.title", lang)
    assert app.radio(key="section").value == section
    assert t("footer.sources", lang) in [header.value for header in app.header]
    links = [link.proto.label for link in app.get("page_link")]
    assert links == [t(f"nav.{page}", lang) for page in [*PAGES, "partner"]]
    assert markdown.plain(t("partner.signed_in", lang, account="Analys@Example.org")) in texts_of(app)
    assert app.button(key="partner_sign_out").label == t("partner.sign_out", lang)


def test_an_unknown_section_falls_back_to_the_first_with_a_notice():
    app = partner_page("en", "<b>secret</b>", **YEARS)
    assert app.header[0].value == t("partner_outreach.title", "en")
    assert app.query_params["section"] == "outreach"
    assert "'<b>secret</b>' in the link (section) is not one of the choices" in texts_of(app)


def test_partner_outreach_shows_the_counts_the_public_page_hides():
    may_2020 = {"round": "may_2020_custom_notification"}
    public = texts_of(run_page("pages/outreach.py", lang="en", **YEARS, **may_2020))
    assert "Helped to move away: fewer than 3" in public and "Helped to move away: 2;" not in public
    app = partner_page("en", "outreach", **YEARS, **may_2020)
    text = texts_of(app)
    assert "Helped to move away: 2;" in text and "fewer than" not in text
    assert t("partner.confidential", "en", threshold=3) in [warning.value for warning in app.warning]
    downloads = [button.proto.id.rsplit("-download_", 1)[1] for button in app.get("download_button")]
    assert "partner_contacts_may_2020_custom_notification" in downloads
    # the months hidden on the public page: 2 people in March 2018, 1 in August 2018
    app = partner_page("en", "outreach", **YEARS, round="notifications_2018_2020_custom_notification")
    (table,) = [frame.value for frame in app.dataframe if "Month" in frame.value.columns]
    months = table.set_index("Month")["People"]
    assert (months["March 2018"], months["August 2018"]) == ("2", "1")


def headers(columns: list[str], lang: str) -> list[str]:
    """The headers a table gives the columns, to read cells by column rather than by position."""
    return [label(column, lang) for column in columns]


def test_partner_reconciliation_lists_the_differences_with_the_sources(imported_database, monkeypatch):
    monkeypatch.setenv("SLUTASKJUT_DB", str(imported_database))
    app = partner_page("en", "reconciliation", **YEARS)
    assert not app.exception, app.exception[0].value if app.exception else ""
    text = texts_of(app)
    assert (
        "2020, shootings: 2 in the extract, 20 published (\u221218), but no source covers the whole year. "
        "The year is covered by polisen (1 March 2020\u201320 September 2020)."
    ) in text
    coverage = app.dataframe[0].value
    shown = ["source", "year", "period_start", "period_end", "days_covered", "covers_year", "incidents"]
    assert coverage.iloc[0][headers(shown, "en")].tolist() == [
        "polisen",
        "2020",
        "1 March 2020",
        "20 September 2020",
        "204",
        "",
        "3",
    ]


def test_partner_reconciliation_on_the_demonstration_data():
    app = partner_page("en", "reconciliation", **YEARS)
    coverage = app.dataframe[0].value
    assert coverage["Source"].unique().tolist() == ["synthetic"] and coverage["Year"].tolist()[0] == "2016"
    assert t("extract.synthetic", "en") in [warning.value for warning in app.warning]


def test_partner_imports_lists_each_import(imported_database, monkeypatch):
    monkeypatch.setenv("SLUTASKJUT_DB", str(imported_database))
    app = partner_page("en", "imports")
    assert not app.exception, app.exception[0].value if app.exception else ""
    assert re.search(
        r"- \d{1,2} \w+ \d{4} \d\d:\d\d UTC: \*\*Incidents\*\* from incidents.csv: 3 rows read, 3 added, "
        r"0 replaced, 0 unchanged, 0 skipped\. Imported by test\.",
        texts_of(app),
    )
    history = app.dataframe[0].value
    shown = ["extract", "file_names", "rows_read", "rows_added", "rows_replaced", "rows_unchanged", "rows_skipped"]
    assert history.iloc[0][headers([*shown, "imported_by"], "en")].tolist() == [
        "Incidents",
        "incidents.csv",
        "3",
        "3",
        "0",
        "0",
        "0",
        "test",
    ]
    assert not app.warning, "the history is not synthetic: no warning, the footer says what is"


def test_partner_imports_without_imports(tmp_path, monkeypatch):
    monkeypatch.setenv("SLUTASKJUT_DB", str(extract_database(tmp_path / "empty.duckdb")))
    app = partner_page("sv", "imports")
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
    entra = {"is_logged_in": True, "email": "x@malmo.se", "iss": uncommented["partners"]["email_trusted_issuers"][0]}
    assert access(entra, uncommented) is Access.PARTNER
    assert access({**entra, "iss": "https://login.microsoftonline.com/other/v2.0"}, uncommented) is Access.REFUSED

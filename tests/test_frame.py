"""The frame's parts under AppTest: the link to this view, the head's tags, and the way back after sign-in.

In a browser (tests/test_frame_browser.py, tests/test_partner_browser.py) the same is checked end to end.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import urllib.parse
from html import escape as html_escape
from pathlib import Path

import pytest
import streamlit
from conftest import SIGN_IN, SIGNED_OUT
from streamlit import config as streamlit_config
from streamlit.testing.v1 import AppTest

from slutaskjut import document, gate, link_preview, markdown
from slutaskjut.frame import PAGES, PARTNER_PAGE
from slutaskjut.i18n import t
from slutaskjut.link_preview import LinkPreview
from slutaskjut.paths import ROOT

SITE = "https://dashboard.example.org/sluta-skjut"


def browser_run(
    script: str | None, url: str | None, *, user: dict | None = None, secrets: dict | None = None, **params
):
    """Run a page as a browser would ask for it: `url` is the page's address the browser reports (st.context.url)."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if url:
        app.context = {"url": url}
    if user is not None:
        app.user, app.secrets = user, secrets
    for name, value in params.items():
        app.query_params[name] = value
    if script:
        app.switch_page(script)
    return app.run()


def copied_link(app) -> dict:
    (button,) = [element for element in app.get("bidi_component") if element.key == "copy_link"]
    return json.loads(button.proto.json)


def scripts(app) -> list[str]:
    return [element.proto.body for element in app.get("html") if element.proto.body.startswith("<script>")]


def constant(app, name: str):
    """The value of `const name = ...;` in the page's scripts (document.run_script)."""
    for body in scripts(app):
        if found := re.search(rf"^const {name} = (.*);$", body, re.MULTILINE):
            return json.loads(found.group(1))
    raise AssertionError(f"no script defines {name}")


def test_the_copied_link_is_this_page_with_the_view_in_the_url():
    app = browser_run("pages/trends.py", f"{SITE}/trends", lang="en", scale="rate_per_100k", **{"from": "2017"})
    link = copied_link(app)
    assert (link["label"], link["done"]) == (t("clipboard.copy_link", "en"), t("clipboard.link_copied", "en"))
    address = urllib.parse.urlsplit(link["text"])
    assert f"{address.scheme}://{address.netloc}{address.path}" == f"{SITE}/trends"
    query = dict(urllib.parse.parse_qsl(address.query))
    assert query == {
        "lang": "en",
        "from": "2017",
        "to": str(app.slider(key="years").value[1]),
        "scale": "rate_per_100k",
    }
    # a change of view changes the link; a value the page corrected is linked as corrected
    app.slider(key="years").set_value((2018, 2019)).run()
    app.radio(key="lang").set_value("sv").run()
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(copied_link(app)["text"]).query))
    assert query == {"lang": "sv", "from": "2018", "to": "2019", "scale": "rate_per_100k"}
    assert copied_link(app)["label"] == t("clipboard.copy_link", "sv")
    corrected = browser_run("pages/trends.py", f"{SITE}/trends", scale="<b>", **{"from": "1800"})
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(copied_link(corrected)["text"]).query))
    assert (query["scale"], query["from"]) == ("count", str(corrected.slider(key="years").value[0]))


def test_the_overview_links_to_the_root():
    app = browser_run(None, SITE, lang="sv")
    address = urllib.parse.urlsplit(copied_link(app)["text"])
    assert f"{address.scheme}://{address.netloc}{address.path}".rstrip("/") == SITE


def test_without_a_browser_address_there_is_no_link():
    app = browser_run("pages/about.py", None)
    assert not app.exception
    assert not [element for element in app.get("bidi_component") if element.key == "copy_link"]


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("key", ["overview", "trends", "press", "about"])
def test_the_head_describes_the_page_in_its_language(key, lang):
    app = browser_run(None if key == "overview" else PAGES[key], f"{SITE}/{key}", lang=lang)
    head = constant(app, "head")
    tags = {name: content for _, name, content in head["tags"]}
    assert head["lang"] == lang
    assert tags["description"] == tags["og:description"] == markdown.plain(t(f"meta.{key}", lang))
    assert tags["og:title"] == f"{t(f'nav.{key}', lang)} · Sluta skjut"
    assert tags["og:locale"] == {"sv": "sv_SE", "en": "en_GB"}[lang]


def test_a_value_in_a_script_cannot_end_it():
    hostile = "</script><script>alert(1)</script>\u2028"
    values = document.script_values(text=hostile)
    assert "<" not in values and ">" not in values and "\u2028" not in values
    assert json.loads(values.removeprefix("const text = ").removesuffix(";\n")) == hostile


def test_streamlit_labels_follow_the_language():
    swedish = document.streamlit_labels("sv")
    assert swedish["attributes"]["Collapse sidebar"] == t("streamlit.collapse_sidebar", "sv")
    assert swedish["texts"]["Skip to main content"] == t("streamlit.skip_to_content", "sv")
    assert swedish["suffixes"][" — start"] == f" — {t('streamlit.range_start', 'sv')}"
    # from Swedish back to English, as after a change of language
    assert document.streamlit_labels("en")["attributes"][t("streamlit.collapse_sidebar", "sv")] == "Collapse sidebar"


def test_a_signed_out_visitor_notes_the_page_asked_for():
    params = {"lang": "en", "from": "2017", "to": "2019", "section": "imports"}
    app = browser_run(PARTNER_PAGE, f"{SITE}/partner", user=SIGNED_OUT, secrets=SIGN_IN, **params)
    assert app.title[0].value == t("partner.sign_in_title", "en")
    target = urllib.parse.urlsplit(constant(app, "target"))
    assert target.path == "/partner" and dict(urllib.parse.parse_qsl(target.query)) == params
    assert constant(app, "key") == gate.RETURN_KEY


SIGNED_IN = {"is_logged_in": True, "email": "a@example.com", "email_verified": True}


def test_a_signed_in_visitor_may_go_back_to_a_page_of_the_dashboard_only():
    app = browser_run(None, SITE, user=SIGNED_IN, secrets=SIGN_IN)  # the root, where Streamlit sends a sign-in
    assert constant(app, "paths") == sorted(
        ["/", *(f"/{script[6:-3]}" for script in [*PAGES.values(), PARTNER_PAGE] if script != "app.py")]
    )
    elsewhere = browser_run("pages/about.py", f"{SITE}/about", user=SIGNED_IN, secrets=SIGN_IN)
    assert constant(elsewhere, "key") == gate.RETURN_KEY, "the note is dropped"
    with pytest.raises(AssertionError, match="no script defines paths"):
        constant(elsewhere, "paths")


def test_page_paths_follow_the_base_path():
    streamlit_config.set_option("server.baseUrlPath", "/sluta-skjut/")
    try:
        assert gate.page_path("app.py") == "/sluta-skjut" and gate.page_path(PARTNER_PAGE) == "/sluta-skjut/partner"
    finally:
        streamlit_config.set_option("server.baseUrlPath", "")


# The served HTML (serve.py) ---------------------------------------------------------------------------

INDEX_HTML = (Path(streamlit.__file__).parent / "static" / "index.html").read_text()


def without_head(index: str) -> str:
    """Streamlit's index.html without its language and what follows its title up to the next comment."""
    title = index.index("<title>")
    return re.sub(r'<html lang="\w+">', "", index[:title] + index[index.index("<!--", title) :])


def served(body: bytes, content_type: bytes = b"text/html; charset=utf-8", encoding: bytes | None = None):
    """An ASGI app that answers every request with `body`, as Streamlit's static files do."""

    async def app(scope, receive, send):
        headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), (b"etag", b'"x"')]
        if encoding:
            headers.append((b"content-encoding", encoding))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body[:100], "more_body": True})
        await send({"type": "http.response.body", "body": body[100:]})

    return app


def get(app, path: str, query: str = "") -> tuple[dict, bytes]:
    """GET `path?query` from an ASGI app: the response's headers and body."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "query_string": query.encode(), "headers": []}
    asyncio.run(app(scope, receive, send))
    headers = {name: value for name, value in sent[0]["headers"]}
    return headers, b"".join(message.get("body", b"") for message in sent[1:])


@pytest.mark.parametrize(
    ("path", "query", "key", "lang"), [("/trends", "lang=en", "trends", "en"), ("/", "", "overview", "sv")]
)
def test_a_page_address_serves_the_page_head(path, query, key, lang):
    headers, body = get(LinkPreview(served(INDEX_HTML.encode())), path, query)
    html = body.decode()
    assert f'<html lang="{lang}">' in html and html.count("<html") == 1
    assert f"<title>{document.page_title(key, lang)}</title>" in html and "<title>Streamlit</title>" not in html
    description = markdown.plain(t(f"meta.{key}", lang))
    assert f'<meta name="description" content="{html_escape(description)}" />' in html
    assert f'<meta property="og:locale" content="{document.LOCALES[lang]}" />' in html
    assert int(headers[b"content-length"]) == len(body) and b"etag" not in headers
    assert without_head(html) == without_head(INDEX_HTML), "nothing else changes"


def test_a_compressed_page_is_rewritten_and_other_files_pass_untouched():
    headers, body = get(LinkPreview(served(gzip.compress(INDEX_HTML.encode()), encoding=b"gzip")), "/about", "lang=en")
    assert "<title>About the data · Sluta skjut</title>" in body.decode() and b"content-encoding" not in headers
    script = b"console.log('<title>x</title>')" * 10
    headers, body = get(LinkPreview(served(script, b"text/javascript")), "/static/js/index.js")
    assert body == script and headers[b"etag"] == b'"x"'


def test_unknown_addresses_and_the_partner_page_without_sign_in_get_the_overview():
    assert [link_preview.page_key(path) for path in ("/", "/benchmarks", "/no_such_page", "/partner")] == [
        "overview",
        "benchmarks",
        "overview",
        "overview",
    ]
    assert link_preview.language("lang=xx") == "sv" and link_preview.language("lang=en&lang=sv") == "sv"


def test_the_served_head_holds_no_markup_from_a_text():
    head = link_preview.with_head('<html lang="en"><head><title>Streamlit</title></head>', "trends", "en")
    assert "Sluta skjut&#x27;s" in head and "Sluta skjut's" not in head

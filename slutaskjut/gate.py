"""The sign-in gate of the partner page, the sign-in and sign-out buttons, and the way back after sign-in.

Only a signed-in, allowed partner (partners.py) gets the partner page. Anyone else gets a sign-in
prompt or a refusal (`prompt`) and the script stops before the database is opened; when sign-in is
not configured at all, the page answers exactly as an address with no page does
(`answer_as_no_page`). The URL never changes what the gate decides.

Streamlit sends every sign-in back to the dashboard's root. So while a visitor is signed out, each
page notes its own path and query in the tab's sessionStorage (`remember_page`); on the first run
after sign-in, the root goes back there (`return_to_page`), and any other page drops the note
(`forget_page`). Only a path of one of this dashboard's
pages is ever followed, on the dashboard's own origin: no open redirect.
"""

from __future__ import annotations

import urllib.parse
from pathlib import PurePosixPath
from typing import NoReturn

import streamlit as st
from streamlit import config
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData

from slutaskjut import document, partners
from slutaskjut.i18n import t
from slutaskjut.partners import Access

RETURN_KEY = "slutaskjut.return_to"


def secrets() -> dict:
    """The secrets (.streamlit/secrets.toml or the files in secrets.files), or {} without any."""
    return st.secrets.to_dict() if st.secrets.load_if_toml_exists() else {}


def account(user: dict) -> str:
    """How the signed-in account is named to its owner: the e-mail, else the name or subject."""
    return str(user.get("email") or user.get("name") or user.get("sub") or "?")


def sign_in_button(lang: str, key: str, primary: bool = False) -> None:
    if st.button(
        t("partner.sign_in", lang), key=key, type="primary" if primary else "tertiary", icon=":material/login:"
    ):
        st.login()


def sign_out_button(lang: str, key: str) -> None:
    if st.button(t("partner.sign_out", lang), key=key, icon=":material/logout:"):
        st.logout()


def answer_as_no_page() -> NoReturn:
    """The partner page without sign-in configured: Streamlit's own answer for an address with no page.

    The script stops and Streamlit runs again for a page that does not exist, as it does when the browser
    asks for an unknown address: it sends its page_not_found message (the browser shows "Page not
    found") and runs the main script (commands/navigation.py in 1.67), with the same messages and the
    same handling of the URL as for any unknown address. So a visitor cannot tell that a partner page
    exists here (tests/test_partner_browser.py compares the two in chromium).
    """
    ctx = get_script_run_ctx()
    raise RerunException(
        RerunData(
            query_string=ctx.query_string,
            page_name=" no page",  # a name no page has: a page name never holds a space
            cached_message_hashes=ctx.cached_message_hashes,
            context_info=ctx.context_info,
        )
    )


def prompt(lang: str, access: Access, user: dict, secrets: dict) -> NoReturn:
    """The partner page's body for anyone but a partner: a sign-in prompt or a refusal, then stop.

    Runs before the database is opened: no query runs for a visitor who is not a partner.
    """
    title = title_key(access)
    st.title(t(title, lang))
    if access is Access.SIGNED_OUT:
        st.write(t("partner.sign_in_text", lang))
        sign_in_button(lang, "partner_sign_in_page", primary=True)
    else:
        st.warning(t("partner.refused", lang, account=account(user)))
        try:
            partners.AllowList.from_secrets(secrets)
        except partners.ConfigError as problem:
            st.error(t("partner.config_error", lang, problem=str(problem)))
        sign_out_button(lang, "partner_sign_out_page")
    st.stop()


def title_key(access: Access) -> str:
    """The key of the partner page's title for a visitor the gate stops."""
    return "partner.sign_in_title" if access is Access.SIGNED_OUT else "partner.refused_title"


_REMEMBER = """
try {
  sessionStorage.setItem(key, target);
} catch (error) {
  // storage off: after sign-in the visitor stays on the first page
}
"""

_FORGET = """
try {
  sessionStorage.removeItem(key);
} catch (error) {
  // storage off: nothing was noted
}
"""

# The stored value is followed only when it parses, on this origin, to the path of one of the pages.
_RETURN = """
try {
  const stored = sessionStorage.getItem(key);
  sessionStorage.removeItem(key);
  if (stored !== null && stored.startsWith("/") && !stored.startsWith("//")) {
    const target = new URL(stored, window.location.origin);
    const here = window.location.pathname + window.location.search;
    const path = target.pathname.replace(/\\/+$/, "") || "/";
    if (target.origin === window.location.origin && paths.includes(path)
        && target.pathname + target.search !== here) {
      window.location.replace(target.pathname + target.search);
    }
  }
} catch (error) {
  // storage off or a value that does not parse: stay here
}
"""


def page_path(script: str) -> str:
    """The path of a page (its script; app.py is the root) under the server's base path."""
    base = PurePosixPath("/", config.get_option("server.baseUrlPath").strip("/"))
    return str(base if script == "app.py" else base / PurePosixPath(script).stem)


def remember_page(script: str) -> None:
    """For a signed-out visitor: note this page and the view in its URL in the tab, to come back to after
    sign-in. Noted on every run, so a change of the view is noted too."""
    query = urllib.parse.urlencode(st.query_params.to_dict())
    document.run_script(
        _REMEMBER, key=RETURN_KEY, target=f"{page_path(script)}?{query}" if query else page_path(script)
    )


def return_to_page(scripts: list[str]) -> None:
    """For a signed-in visitor on the root, where Streamlit sends a sign-in: go to the page noted before
    sign-in, once, if it is one of `scripts`."""
    document.run_script(_RETURN, key=RETURN_KEY, paths=sorted({page_path(script) for script in scripts}))


def forget_page() -> None:
    """For a signed-in visitor elsewhere: the note is not followed any more (the visitor went on before the
    root had run), so a later visit to the root stays there."""
    document.run_script(_FORGET, key=RETURN_KEY)

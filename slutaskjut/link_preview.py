"""The HTML a page's address serves, with the page's language, title and link-preview tags in it.

Streamlit serves one index.html for every address: `<html lang="en">`, the title "Streamlit", no
description. A chat or social site that previews a link reads that HTML and runs no script, so the
tags document.py sets by script never reach it. `LinkPreview` is an ASGI middleware for Streamlit's
own server (st.App, serve.py) that writes them into the HTML of each page's address: the page from
the path, the language from `?lang=`. Everything else passes through untouched.

An address that is not a page (and the partner page where sign-in is not configured, so that it
cannot be told from one) gets the overview's tags, as Streamlit runs the overview there.
"""

from __future__ import annotations

import gzip
import html
import re
import urllib.parse
from pathlib import PurePosixPath

from streamlit import config

from slutaskjut import document, gate, partners
from slutaskjut.i18n import DEFAULT_LANGUAGE
from slutaskjut.partners import Access
from slutaskjut.schema import LANGUAGES
from slutaskjut.sidebar import PAGES, PARTNER_KEY

_OVERVIEW = "overview"
_PAGE_KEYS = {PurePosixPath(script).stem: key for key, script in PAGES.items() if script != "app.py"}
_HTML_LANG = re.compile(r"<html\b[^>]*>", re.IGNORECASE)
_TITLE = re.compile(r"<title>.*?</title>", re.IGNORECASE | re.DOTALL)


def page_key(path: str) -> str:
    """The key of the page an address's path shows (under the server's base path)."""
    base = config.get_option("server.baseUrlPath").strip("/")
    relative = path.strip("/")
    if base:
        relative = relative.removeprefix(base).strip("/")
    if relative == PARTNER_KEY:
        return PARTNER_KEY if partners.access({}, gate.secrets()) is not Access.NO_SIGN_IN else _OVERVIEW
    return _PAGE_KEYS.get(relative, _OVERVIEW)


def language(query_string: str) -> str:
    """The language `?lang=` asks for, or the default (as the page itself decides)."""
    lang = urllib.parse.parse_qs(query_string).get("lang", [DEFAULT_LANGUAGE])[-1]
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def with_head(served: str, key: str, lang: str) -> str:
    """Streamlit's index.html with the language, title and link-preview tags of page `key` in `lang`."""
    tags = "".join(
        f'\n    <meta {attribute}="{html.escape(name)}" content="{html.escape(content)}" />'
        for attribute, name, content in document.head_tags(key, lang)
    )
    title = f"<title>{html.escape(document.page_title(key, lang))}</title>{tags}"
    served = _HTML_LANG.sub(f'<html lang="{lang}">', served, count=1)
    return _TITLE.sub(lambda _: title, served, count=1)


class LinkPreview:
    """ASGI middleware: the HTML of a page's address carries that page's head (`with_head`)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        held = {}

        async def rewrite_html(message):
            if message["type"] == "http.response.start":
                headers = {name.lower(): value for name, value in message.get("headers", [])}
                if message["status"] == 200 and headers.get(b"content-type", b"").startswith(b"text/html"):
                    held.update(start=message, encoding=headers.get(b"content-encoding", b""), body=[])
                    return
            elif message["type"] == "http.response.body" and held:
                held["body"].append(message.get("body", b""))
                if message.get("more_body"):
                    return
                await self._send_rewritten(scope, held, send)
                return
            await send(message)

        await self.app(scope, receive, rewrite_html)

    @staticmethod
    async def _send_rewritten(scope, held: dict, send) -> None:
        body = b"".join(held["body"])
        if held["encoding"] == b"gzip":
            body = gzip.decompress(body)
        elif held["encoding"]:  # an encoding we do not read: as served
            await send(held["start"])
            await send({"type": "http.response.body", "body": body})
            return
        key = page_key(scope["path"])
        body = with_head(body.decode("utf-8"), key, language(scope.get("query_string", b"").decode("latin-1")))
        body = body.encode("utf-8")
        # the served file's length, encoding and validators no longer fit the rewritten one
        dropped = {b"content-length", b"content-encoding", b"etag", b"last-modified"}
        headers = [(name, value) for name, value in held["start"].get("headers", []) if name.lower() not in dropped]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**held["start"], "headers": headers})
        await send({"type": "http.response.body", "body": body})

"""The frame a page script uses: `page("trends")` first, then named queries, charts and tables, `footer()` last.

The URL is the one source of the view (`?lang=en&from=2017&to=2020`), so a copied link reproduces it
on any page. Each job of the frame has a module of its own; this one puts them together for a page:
- document.py: the title, `<html lang>`, link-preview tags and the style sheet;
- database.py: the database, built when the data files change;
- chokepoint.py: every query a page runs, cached, with counts of people suppressed (privacy.py);
- url_state.py (with view.py): the view and a page's choices, read from and written to the URL;
- sidebar.py: language, years, the link to this view, the pages, sign-in;
- gate.py: the partner page's gate, and the way back to the page asked for after sign-in;
- widgets.py: tables and charts with their downloads;
- provenance.py: the footer's sources and the source and date lines of chart images.

The partner page calls `page("partner", partner=True)`. The gate comes before any query runs: only a
signed-in, allowed partner (partners.py) gets the page, as a `PartnerPage`, the one object that can
run a query without suppression (`unsuppressed`). Anyone else gets a sign-in prompt or a refusal and
the script stops; when sign-in is not configured at all, the page answers exactly as an address with
no page does. The URL never changes what the gate decides.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from slutaskjut import chokepoint, document, gate, partners, privacy, provenance, url_state, widgets
from slutaskjut.database import Database, open_database
from slutaskjut.i18n import t
from slutaskjut.partners import Access
from slutaskjut.sidebar import PAGES, PARTNER_KEY, PARTNER_PAGE, PARTNER_SECTIONS, script_of, share_link, sidebar
from slutaskjut.view import View, YearBounds

__all__ = ["PAGES", "PARTNER_PAGE", "PARTNER_SECTIONS", "Page", "PartnerPage", "page"]


class Page:
    """What a page script uses: the view, texts, named queries and the shared pieces."""

    partner = False

    def __init__(self, view: View, database: Database, share=None):
        self.view = view
        self.lang = view.lang
        self._database = database
        self._share = share  # the sidebar's place for the link to this view, filled by footer()
        self._shown: list[pd.DataFrame] = []
        self._extracts: list[pd.Series] = []
        self._results: dict[tuple[str, str], pd.DataFrame] = {}

    @property
    def year_from(self) -> int:
        return self.view.year_from

    @property
    def year_to(self) -> int:
        return self.view.year_to

    def t(self, key: str, **values) -> str:
        return t(key, self.lang, **values)

    def _run(self, name: str, **params) -> pd.DataFrame:
        # A run asks for some results several times (extract_status, a table's sources): one cache read each,
        # as a cache read copies the frame (no page changes a result in place).
        key = (name, repr(sorted(params.items())))
        if key not in self._results:
            self._results[key] = chokepoint.protected(self._database, name, params, partner=self.partner)
        return self._results[key]

    def query(self, name: str, **params) -> pd.DataFrame:
        """Run a named query through the chokepoint (counts of people suppressed); its sources go into the footer."""
        return self._show(name, self._run(name, **params))

    def _show(self, name: str, frame: pd.DataFrame) -> pd.DataFrame:
        if extracts := provenance.extracts_read(name):
            frame.attrs["extracts"] = extracts  # so a chart image drawn from it names them (chart_lines)
        self._shown.append(frame)
        return frame

    def table(self, frame: pd.DataFrame, columns: list[str], name: str) -> None:
        """A table in the reader's language, with a CSV download of the same rows."""
        widgets.table(frame, columns, name, self.lang, self._table_sources(frame, columns))

    def _table_sources(self, frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame | None:
        """The sources a table names by publisher and date in place of their ids, or None without a source column."""
        ids = provenance.source_ids([frame[[column for column in columns if column.endswith("source_id")]]])
        return self._run("sources", source_ids=ids) if ids else None

    def chart(
        self,
        figure: go.Figure,
        description: str,
        frame: pd.DataFrame,
        columns: list[str],
        name: str,
        *,
        sources: Sequence[pd.DataFrame] = (),
    ) -> None:
        """A chart, its description, PNG and SVG downloads, and its data table beneath (folded, like folded_table).

        The images carry the sources of `frame` and of `sources` (other frames the chart draws on)
        and the date the data runs to.
        """
        lines = self.chart_lines([frame, *sources])
        widgets.chart(figure, description, name, self.lang, lines)
        self.folded_table(frame, columns, name)

    def folded_table(self, frame: pd.DataFrame, columns: list[str], name: str, label: str | None = None) -> None:
        """A table under an expander headed `label` (else "Table"), made only once the reader opens it."""
        label = label or self.t("common.table")
        widgets.folded(label, f"table_{name}", lambda: self.table(frame, columns, name))

    def small_chart(self, figure: go.Figure, description: str, name: str) -> None:
        """A small chart beside a figure, its description as alt text: no downloads, its table is the page's."""
        widgets.plot(figure, f"small_chart_{name}", description)

    def chart_lines(self, frames: Sequence[pd.DataFrame]) -> tuple[str, str]:
        """The source line and the date line of a chart image drawn from `frames` (provenance.chart_lines)."""
        return provenance.chart_lines(frames, self.lang, self._run)

    def runs_to(self):
        """The date the data this page has queried so far runs to (its as_of or data_runs_to), or None."""
        return provenance.runs_to(self._shown)

    def choice(self, key: str, options: list[str], label: str, format_func=str, widget=st.radio) -> str:
        """A choice kept in the URL (?key=value) like the years, so a copied link keeps it (url_state.choice)."""
        return url_state.choice(key, options, label, self.lang, format_func, widget)

    def extract(self, dataset: str, warn: bool = True) -> pd.Series | None:
        """The status of an extract (incidents, interventions), or None when none is loaded.

        A page calls this before showing anything computed from the extract: it says so
        plainly when the rows are synthetic demonstration data, and the footer names the
        extract as a source (and says whether it is synthetic). `warn=False` leaves the
        warning out, for a page that shows nothing computed from the rows.
        """
        status = self._run("extract_status").set_index("dataset").loc[dataset]
        if privacy.flag_of(status, "row_count") is None and status["row_count"] == 0:
            return None
        if warn and status["is_synthetic"]:
            st.warning(self.t("extract.synthetic"), icon=":material/science:")
        elif warn and provenance.extract_key(status) == "police_extract":
            st.info(self.t("extract.police_events"), icon=":material/local_police:")
        if dataset not in [shown.name for shown in self._extracts]:
            self._extracts.append(status)
        return status

    def source_ids(self) -> list[str]:
        """The sources behind every frame this page has queried so far."""
        return provenance.source_ids(self._shown)

    def footer(self) -> None:
        """The sources behind every figure the page showed, and the date the data runs to; and, now that
        the page's choices are in the URL, the link to this view in the sidebar."""
        provenance.footer(self._shown, self._extracts, self.lang, self._run)
        if self._share is not None:
            share_link(self._share, self.lang, self.view)


class PartnerPage(Page):
    """A page that passed the partner gate in page(): it may also run queries without suppression."""

    partner = True

    def unsuppressed(self, name: str, **params) -> pd.DataFrame:
        """Run a named query like `query`, but without its [suppress] section: counts below the public
        threshold are shown as they are. Still only the aggregates the query returns."""
        return self._show(name, chokepoint.unsuppressed(self._database, name, params))


def _signed_in_journey(key: str, access: Access) -> None:
    """Note the page asked for while signed out; once signed in, the root (where Streamlit sends a
    sign-in) goes back to it (gate.py)."""
    if access is Access.SIGNED_OUT:
        gate.remember_page(script_of(key))
    elif access in (Access.PARTNER, Access.REFUSED):
        if script_of(key) == PAGES["overview"]:
            gate.return_to_page([*PAGES.values(), PARTNER_PAGE])
        else:
            gate.forget_page()


def page(key: str, *, partner: bool = False) -> Page:
    """Set up the page: document, data, filters from the URL, sidebar, navigation.

    The partner page (`partner=True`, key "partner") is gated first: a `PartnerPage` for a signed-in,
    allowed partner; anyone else gets the gate's answer and the script stops.
    """
    if partner != (key == PARTNER_KEY):
        raise ValueError(f"page {key!r}: partner={partner}, but the partner page is {PARTNER_KEY!r}")
    url_lang = url_state.language()
    secrets, user = gate.secrets(), st.user.to_dict()
    access = partners.access(user, secrets)
    if partner and access is not Access.PARTNER:
        if access is Access.NO_SIGN_IN:
            gate.answer_as_no_page()
        document.set_up(key, url_lang, title_key=gate.title_key(access))
        _signed_in_journey(key, access)
        st.session_state["lang"] = url_lang
        # the links keep the language and years of the URL as they are (the page they lead to checks them)
        link_params = {name: value for name, value in st.query_params.to_dict().items() if name in ("from", "to")}
        share = sidebar(url_lang, {"lang": url_lang, **link_params}, access, user, bounds=None)
        share_link(share, url_lang, None)
        gate.prompt(url_lang, access, user, secrets)
    document.set_up(key, url_lang)
    _signed_in_journey(key, access)

    database = open_database(url_lang)
    span = chokepoint.protected(database, "year_span", {}).iloc[0]
    bounds = YearBounds(
        int(span["first_year"]),
        int(span["last_year"]),
        int(span["first_headline_year"]),
        int(span["last_published_year"]),
    )
    view, notices = url_state.read_view(bounds)
    share = sidebar(view.lang, view.as_params(), access, user, bounds)

    if access is Access.REFUSED:
        st.warning(t("partner.refused", view.lang, account=gate.account(user)))
    for notice in notices:
        st.info(notice.text(view.lang))
    return (PartnerPage if partner else Page)(view, database, share)

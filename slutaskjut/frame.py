"""The frame every page shares: page config, data, filters in the URL, navigation, sources.

A page calls `page("trends")` first and `footer()` last. The URL is the one source of the
view (`?lang=en&from=2017&to=2020`): widgets are set from it on every run and write it
back when changed, so a copied link reproduces the view on any page.

The partner page calls `page("partner", partner=True)`. The gate is here, before any query runs:
only a signed-in, allowed partner (partners.py) gets the page, as a `PartnerPage`, the one object
that can run a query without suppression (`unsuppressed`). Anyone else gets a sign-in prompt or a
refusal and the script stops; when sign-in is not configured at all, the page answers exactly as an
address with no page does. The URL never changes what the gate decides.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import duckdb
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData

from slutaskjut import fmt, images, markdown, partners, paths, privacy, store, tables
from slutaskjut.extract_schema import DATASETS
from slutaskjut.i18n import DEFAULT_LANGUAGE, t
from slutaskjut.load import DataError, ensure_database, inputs_stamp, stale_database_usable
from slutaskjut.partners import Access
from slutaskjut.queries import models, queries, run_query
from slutaskjut.readers import POLICE_SOURCE
from slutaskjut.schema import LANGUAGES
from slutaskjut.view import View, YearBounds, echoed, parse_view

PAGES = {
    "overview": "app.py",
    "trends": "pages/trends.py",
    "benchmarks": "pages/benchmarks.py",
    "outreach": "pages/outreach.py",
    "map": "pages/map.py",
    "press": "pages/press.py",
    "about": "pages/about.py",
}
# Shown in the navigation, and served, only to signed-in partners (page(..., partner=True)). Its name is
# public, as the sign-in button is; its sections (?section=) are drawn only for a partner.
PARTNER_PAGE = "pages/partner.py"
PARTNER_SECTIONS = ["outreach", "reconciliation", "imports"]
_PARTNER_KEY = Path(PARTNER_PAGE).stem
_LANGUAGE_NAMES = {"sv": "Svenska", "en": "English"}
_AS_OF_COLUMNS = ("as_of", "data_runs_to")


@st.cache_resource(max_entries=4, show_spinner=False)
def _ensure(data_dir: str, db_path: str, stamp: tuple) -> None:
    # Cached by the input files' stamp (their times and sizes): a page run reads no data file,
    # and the fingerprint check and any build run once per change of the files.
    ensure_database(Path(data_dir), Path(db_path))


# Keyed by the database file's stamp: an import swaps in a new file, and the next run
# opens it (and queries it afresh) while sessions mid-run finish on the old one.
@st.cache_resource(max_entries=1, show_spinner=False)
def _connection(db_path: str, db_stamp: str) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(db_path, read_only=True)


# Every query runs here: its result with its [suppress] section applied (a no-op without one),
# so small counts of people never reach a table, chart, sentence or download. Keyed by the
# threshold, so a change of SLUTASKJUT_MIN_COUNT never serves a frame suppressed with another.
@st.cache_data(max_entries=1000, show_spinner=False)
def _query(db_path: str, db_stamp: str, name: str, params: dict, threshold: int) -> pd.DataFrame:
    return privacy.protect(name, run_query(_connection(db_path, db_stamp), name, **params), threshold)


# The same query without suppression: only PartnerPage.unsuppressed calls this, and only a page
# that passed the gate in page() has a PartnerPage.
@st.cache_data(max_entries=200, show_spinner=False)
def _query_unsuppressed(db_path: str, db_stamp: str, name: str, params: dict) -> pd.DataFrame:
    return run_query(_connection(db_path, db_stamp), name, **params)


def _for_partners(name: str) -> bool:
    """True for a query whose description says `audience = "partners"`: public pages never run it."""
    return queries()[name].description.get("audience") == "partners"


def _write_url() -> None:
    year_from, year_to = st.session_state["years"]
    # update, not replace: a page's own choices (?scale=...) stay in the link
    st.query_params.update(View(st.session_state["lang"], year_from, year_to).as_params())


def _write_lang() -> None:
    st.query_params["lang"] = st.session_state["lang"]


def _write_choice(key: str) -> None:
    st.query_params[key] = st.session_state[key]


@functools.cache
def _extracts_read(name: str) -> tuple[str, ...]:
    """The extracts (incidents, interventions) a named query reads, directly or through a model."""
    known_models = models()

    def read(tables: list[str]) -> set[str]:
        found = set()
        for table in tables:
            if table in DATASETS:
                found.add(table)
            elif table in known_models:
                found |= read(known_models[table].description.get("tables", []))
        return found

    return tuple(sorted(read(queries()[name].description.get("tables", []))))


def _source_ids(frames) -> list[str]:
    """Every value of every column ending in source_id."""
    return sorted(
        {
            value
            for frame in frames
            for column in frame.columns
            if column.endswith("source_id")
            for value in frame[column].dropna()
        }
    )


def _runs_to(frames):
    """The latest as_of or data_runs_to of the frames, or None."""
    return max(
        (
            value
            for frame in frames
            for column in _AS_OF_COLUMNS
            if column in frame.columns
            for value in frame[column].dropna()
        ),
        default=None,
    )


class Page:
    """What a page script uses: the view, texts, named queries and the shared pieces."""

    partner = False

    def __init__(self, view: View, db_path: str, db_stamp: str):
        self.view = view
        self.lang = view.lang
        self._db_path = db_path
        self._stamp = db_stamp
        self._shown: list[pd.DataFrame] = []
        self._extracts: list[pd.Series] = []

    @property
    def year_from(self) -> int:
        return self.view.year_from

    @property
    def year_to(self) -> int:
        return self.view.year_to

    def t(self, key: str, **values) -> str:
        return t(key, self.lang, **values)

    def _run(self, name: str, **params) -> pd.DataFrame:
        """A named query's result, cached by its parameters, with counts of people suppressed as
        its TOML declares (privacy.py). A query for partners only runs on a partner page."""
        if _for_partners(name) and not self.partner:
            raise PermissionError(f"query {name} is for partner pages only")
        return _query(self._db_path, self._stamp, name, params, privacy.min_count())

    def query(self, name: str, **params) -> pd.DataFrame:
        """Run a named query (`_run`); its sources go into the footer."""
        return self._show(name, self._run(name, **params))

    def _show(self, name: str, frame: pd.DataFrame) -> pd.DataFrame:
        if extracts := _extracts_read(name):
            frame.attrs["extracts"] = extracts  # so a chart image drawn from it names them (chart_lines)
        self._shown.append(frame)
        return frame

    def table(self, frame: pd.DataFrame, columns: list[str], name: str) -> None:
        """A table in the reader's language, with a CSV download of the same rows.

        The CSV is made when the button is clicked (its data is a callable), not on every run.
        """
        st.dataframe(tables.for_display(frame, columns, self.lang), hide_index=True)
        st.download_button(
            self.t("common.download_csv"),
            functools.partial(tables.csv_bytes, frame, columns, self.lang),
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"download_{name}",
            on_click="ignore",
        )

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
        """A chart, its one-line description, PNG and SVG downloads, and its data table beneath.

        The images carry the chart's title, the sources of `frame` and of `sources` (other frames
        the chart draws on) and the date the data runs to (chart_lines). They are rendered only
        when a button is clicked: the button's data is a callable (images.py).
        """
        st.plotly_chart(
            figure,
            key=f"chart_{name}",
            alt=markdown.plain(description),
            # the chart's own colours (charts.py), as in its images: Streamlit's theme greys the axis labels
            # to a contrast of 3.7 on white, under the 4.5 WCAG asks for
            theme=None,
            config={"displaylogo": False, "toImageButtonOptions": {"filename": name, "scale": 2}},
        )
        st.caption(description)
        source_line, date_line = self.chart_lines([frame, *sources])
        # Without chromium a click fails ("Failed to generate file"): the tooltip says why.
        missing = None if images.available() else images.NO_BROWSER
        with st.container(horizontal=True):
            for kind, scale in (("png", 2), ("svg", 1)):
                st.download_button(
                    self.t(f"image.{kind}"),
                    functools.partial(
                        images.chart_image, figure, kind, description, source_line, date_line, scale=scale
                    ),
                    file_name=f"{name}.{kind}",
                    mime=images.MIME_TYPES[kind],
                    key=f"download_{name}_{kind}",
                    on_click="ignore",
                    icon=":material/image:",
                    help=missing,
                )
        with st.expander(self.t("common.table")):
            self.table(frame, columns, name)

    def chart_lines(self, frames: Sequence[pd.DataFrame]) -> tuple[str, str]:
        """The source line and the date line of a chart image drawn from `frames`, in the page's language.

        The source line names the publishers of the sources behind the frames (their source_id
        columns) and the extracts they come from, as synthetic demonstration data when they are.
        The date line gives the date the data runs to: the frames' as_of or data_runs_to, else the
        incident extract's last date or, for the contact extract, whose days the footer keeps to
        itself, the end of the rounds drawn (period_end, in the chart's title already), else the
        publication date of the latest source.
        """
        source_ids = _source_ids(frames)
        sources = self._run("sources", source_ids=source_ids) if source_ids else None
        names = list(dict.fromkeys(sources["publisher"])) if sources is not None else []
        datasets = list(dict.fromkeys(dataset for frame in frames for dataset in frame.attrs.get("extracts", ())))
        statuses = self._run("extract_status").set_index("dataset").loc[datasets]
        for dataset, status in statuses.iterrows():
            key = f"image.{_extract_key(status)}"
            names.append(self.t(key, dataset=self.t(f"extract.{dataset}"), sources=status["sources"]))
        source_line = ""
        if names:
            source_line = self.t("image.source" if len(names) == 1 else "image.sources", sources="; ".join(names))
        runs_to = _runs_to(frames)
        if runs_to is None:
            ends = [status["last_date"] for dataset, status in statuses.iterrows() if dataset != "interventions"]
            if "interventions" in datasets:
                ends += [end for frame in frames if "period_end" in frame.columns for end in frame["period_end"]]
            runs_to = max((pd.Timestamp(end) for end in ends if not fmt.is_missing(end)), default=None)
        if runs_to is not None:
            return source_line, self.t("image.runs_to", date=fmt.date(runs_to, self.lang))
        published = [] if sources is None else sources["date_published"].dropna().tolist()
        return source_line, self.t("image.published", date=fmt.date(max(published), self.lang)) if published else ""

    def runs_to(self):
        """The date the data this page has queried so far runs to (its as_of or data_runs_to), or None."""
        return _runs_to(self._shown)

    def choice(self, key: str, options: list[str], label: str, format_func=str, widget=st.radio) -> str:
        """A choice kept in the URL (?key=value) like the years, so a copied link keeps it.

        An unknown value in the URL falls back to the first option with a notice. A selectbox shows
        its options as plain text (a radio button renders them as Markdown).
        """
        value = st.query_params.get(key, options[0])
        if value not in options:
            st.info(self.t("notice.bad_choice", param=key, value=echoed(value), default=options[0]))
            value = options[0]
            st.query_params[key] = value
        st.session_state[key] = value
        shown = format_func if widget is st.radio else lambda option: markdown.plain(format_func(option))
        extra = {"horizontal": True} if widget is st.radio else {}
        return widget(label, options, key=key, format_func=shown, on_change=_write_choice, args=(key,), **extra)

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
        elif warn and _extract_key(status) == "police_extract":
            st.info(self.t("extract.police_events"), icon=":material/local_police:")
        if dataset not in [shown.name for shown in self._extracts]:
            self._extracts.append(status)
        return status

    def source_ids(self) -> list[str]:
        """The sources behind every frame this page has queried so far."""
        return _source_ids(self._shown)

    def footer(self) -> None:
        """The sources behind every figure the page showed, and the date the data runs to."""
        if any(privacy.is_suppressed(frame) for frame in self._shown):
            st.caption(privacy.note(self.lang))
        st.divider()
        st.subheader(self.t("footer.sources"))
        for status in self._extracts:
            st.markdown(f"- {_extract_line(status, self.lang)}")
        source_ids = self.source_ids()
        if not source_ids and not self._extracts:
            st.caption(self.t("footer.no_sources"))
            return
        sources = self._run("sources", source_ids=source_ids)
        for source in sources.itertuples():
            details = [
                fmt.date(source.date_published, self.lang),
                self.t(f"footer.{source.kind}"),
                self.t("footer.accessed", date=fmt.date(source.date_accessed, self.lang)),
            ]
            line = self.t(
                "footer.source",
                publisher=source.publisher,
                title=source.title,
                details=markdown.join(", ", [detail for detail in details if detail]),
            )
            if not fmt.is_missing(source.notes):
                line += " " + markdown.escape(source.notes)
            if not fmt.is_missing(source.url):
                line += " " + markdown.link(source.url)
            st.markdown(f"- {line}")
        runs_to = [
            value
            for frame in self._shown
            for column in _AS_OF_COLUMNS
            if column in frame.columns
            for value in frame[column].dropna()
        ]
        if runs_to:
            st.caption(self.t("footer.runs_to", date=fmt.date(max(runs_to), self.lang)))


class PartnerPage(Page):
    """A page that passed the partner gate in page(): it may also run queries without suppression."""

    partner = True

    def unsuppressed(self, name: str, **params) -> pd.DataFrame:
        """Run a named query like `query`, but without its [suppress] section: counts below the public
        threshold are shown as they are. Still only the aggregates the query returns."""
        return self._show(name, _query_unsuppressed(self._db_path, self._stamp, name, params))


def _extract_key(status: pd.Series) -> str:
    """What an extract's rows are, as the last part of the keys of its texts: synthetic demonstration
    data, the events the police published (among its sources), or a partner's extract."""
    if status["is_synthetic"]:
        return "synthetic_extract"
    return "police_extract" if POLICE_SOURCE in str(status["sources"]) else "extract"


def _extract_line(status: pd.Series, lang: str) -> str:
    """The footer's line for an extract: what it is, who delivered it, and whether it is synthetic.

    The contact extract's line gives no count of contacts and no day: its total with the
    rounds' counts would give away a round shown as "fewer than 3", so only its years.
    """
    imported = status["last_imported_at"]
    values = {
        "dataset": t(f"extract.{status.name}", lang),
        "sources": status["sources"],
        "imported": fmt.date(imported, lang) if not fmt.is_missing(imported) else "–",
    }
    if status.name == "interventions":
        key = "footer.synthetic_contact_extract" if status["is_synthetic"] else "footer.contact_extract"
        years = fmt.year_range(status["first_date"].year, status["last_date"].year)
        return t(key, lang, years=years, **values)
    key = f"footer.{_extract_key(status)}"
    return t(
        key,
        lang,
        rows=privacy.count_text(status, "row_count", lang),
        first=fmt.date(status["first_date"], lang),
        last=fmt.date(status["last_date"], lang),
        **values,
    )


def _data_problems(problems, lang: str, stale: bool) -> None:
    message = t("notice.data_error_stale" if stale else "notice.data_error", lang)
    listing = "\n".join(f"- {markdown.escape(problem)}" for problem in problems)  # they quote the files
    (st.warning if stale else st.error)(f"{message}\n\n{listing}")


def _document_language(lang: str) -> None:
    """Set `<html lang>` to the page's language, so that a screen reader reads Swedish with a Swedish voice.

    Streamlit serves every page as `<html lang="en">`; `lang` is one of LANGUAGES, never the raw URL value.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"not a language of the dashboard: {lang!r}")
    st.sidebar.html(f"<script>document.documentElement.lang = '{lang}';</script>", unsafe_allow_javascript=True)


def _secrets() -> dict:
    """The secrets (.streamlit/secrets.toml or the files in secrets.files), or {} without any."""
    return st.secrets.to_dict() if st.secrets.load_if_toml_exists() else {}


def _account(user: dict) -> str:
    """How the signed-in account is named to its owner: the e-mail, else the name or subject."""
    return str(user.get("email") or user.get("name") or user.get("sub") or "?")


def _sign_in_button(lang: str, key: str, primary: bool = False) -> None:
    if st.button(
        t("partner.sign_in", lang), key=key, type="primary" if primary else "tertiary", icon=":material/login:"
    ):
        st.login()


def _sign_out_button(lang: str, key: str) -> None:
    if st.button(t("partner.sign_out", lang), key=key, icon=":material/logout:"):
        st.logout()


def _sidebar(lang: str, link_params: dict, access: Access, user: dict, bounds: YearBounds | None) -> None:
    """Language, years (when the page has data), the pages, and sign-in or sign-out for partners.

    Partner pages are listed only to a signed-in partner; without sign-in configured, nothing here
    mentions partners.
    """
    with st.sidebar:
        st.markdown(f"### {t('app.name', lang)}")
        st.radio(
            t("sidebar.language", lang),
            LANGUAGES,
            key="lang",
            format_func=_LANGUAGE_NAMES.get,
            horizontal=True,
            on_change=_write_url if bounds else _write_lang,
        )
        if bounds:
            st.slider(t("sidebar.years", lang), bounds.first, bounds.last, key="years", on_change=_write_url)
            st.caption(t("sidebar.share", lang))
        st.markdown(f"**{t('sidebar.pages', lang)}**")
        for page_key, script in PAGES.items():
            st.page_link(script, label=t(f"nav.{page_key}", lang), query_params=link_params)
        if access is Access.PARTNER:
            st.page_link(PARTNER_PAGE, label=t("nav.partner", lang), query_params=link_params, icon=":material/lock:")
        if access is Access.NO_SIGN_IN:
            return
        st.divider()
        if access is Access.SIGNED_OUT:
            _sign_in_button(lang, "partner_sign_in")
            return
        key = "partner.signed_in" if access is Access.PARTNER else "partner.signed_in_refused"
        st.caption(t(key, lang, account=_account(user)))
        _sign_out_button(lang, "partner_sign_out")


def _answer_as_no_page() -> NoReturn:
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


def _gate(lang: str, access: Access, user: dict, secrets: dict) -> NoReturn:
    """The partner page for anyone but a partner: a sign-in prompt or a refusal, then stop.

    Runs before the database is opened: no query runs for a visitor who is not a partner. The links
    keep the language and years of the URL as they are (the page they lead to checks them).
    """
    if access is Access.NO_SIGN_IN:
        _answer_as_no_page()
    title = "partner.sign_in_title" if access is Access.SIGNED_OUT else "partner.refused_title"
    st.set_page_config(page_title=f"{t(title, lang)} · Sluta skjut", layout="wide")
    _document_language(lang)
    st.session_state["lang"] = lang
    link_params = {name: value for name, value in st.query_params.to_dict().items() if name in ("from", "to")}
    _sidebar(lang, {"lang": lang, **link_params}, access, user, bounds=None)
    st.title(t(title, lang))
    if access is Access.SIGNED_OUT:
        st.write(t("partner.sign_in_text", lang))
        _sign_in_button(lang, "partner_sign_in_page", primary=True)
    else:
        st.warning(t("partner.refused", lang, account=_account(user)))
        try:
            partners.AllowList.from_secrets(secrets)
        except partners.ConfigError as problem:
            st.error(t("partner.config_error", lang, problem=str(problem)))
        _sign_out_button(lang, "partner_sign_out_page")
    st.stop()


def page(key: str, *, partner: bool = False) -> Page:
    """Set up the page: config, data, filters from the URL, sidebar, navigation.

    The partner page (`partner=True`, key "partner") is gated first: a `PartnerPage` for a signed-in,
    allowed partner; for anyone else `_gate` answers and stops the script.
    """
    if partner != (key == _PARTNER_KEY):
        raise ValueError(f"page {key!r}: partner={partner}, but the partner page is {_PARTNER_KEY!r}")
    url_lang = st.query_params.get("lang", DEFAULT_LANGUAGE)
    url_lang = url_lang if url_lang in LANGUAGES else DEFAULT_LANGUAGE
    secrets, user = _secrets(), st.user.to_dict()
    access = partners.access(user, secrets)
    if partner and access is not Access.PARTNER:
        _gate(url_lang, access, user, secrets)
    st.set_page_config(page_title=f"{t(f'nav.{key}', url_lang)} · Sluta skjut", layout="wide")
    _document_language(url_lang)

    data_dir, db_path = paths.data_dir(), paths.database_path()
    try:
        _ensure(str(data_dir), str(db_path), inputs_stamp(data_dir))
    except (DataError, store.WriteError) as error:  # invalid data files, or a rebuild that could not be written
        stale = stale_database_usable(db_path)
        _data_problems(error.problems if isinstance(error, DataError) else [str(error)], url_lang, stale=stale)
        if not stale:
            st.stop()
    db_stamp = store.stamp(db_path)

    span = _query(str(db_path), db_stamp, "year_span", {}, privacy.min_count()).iloc[0]
    bounds = YearBounds(
        int(span["first_year"]),
        int(span["last_year"]),
        int(span["first_headline_year"]),
        int(span["last_published_year"]),
    )
    view, notices = parse_view(st.query_params.to_dict(), bounds)
    if notices:
        st.query_params.update(view.as_params())
    st.session_state["lang"] = view.lang
    st.session_state["years"] = (view.year_from, view.year_to)

    _sidebar(view.lang, view.as_params(), access, user, bounds)

    if access is Access.REFUSED:
        st.warning(t("partner.refused", view.lang, account=_account(user)))
    for notice in notices:
        st.info(notice.text(view.lang))
    if partner:
        return PartnerPage(view, str(db_path), db_stamp)
    return Page(view, str(db_path), db_stamp)

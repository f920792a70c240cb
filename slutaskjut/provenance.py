"""Where a page's figures come from: the footer under every page, and the source and date lines of a chart image.

Every figure carries its provenance. The frames a page showed name their sources (columns ending in
source_id) and the date they run to (as_of, data_runs_to); a frame computed from an extract names
the extract (its `extracts` attribute, set from the query's tables). The sources' texts come in the
page's language (i18n.in_language), so bilingual notes and titles follow it.

`run` is the page's way to run a named query (frame.Page runs it through the chokepoint).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from slutaskjut import fmt, markdown, privacy, tables
from slutaskjut.extract_schema import DATASETS
from slutaskjut.i18n import t
from slutaskjut.queries import models, queries
from slutaskjut.readers import POLICE_SOURCE

Run = Callable[..., pd.DataFrame]
_AS_OF_COLUMNS = ("as_of", "data_runs_to")
# The columns of a source the footer reads, and of an extract's status a chart image's lines read
_SOURCE_COLUMNS = ("publisher", "title", "kind", "date_published", "date_accessed", "notes", "url")
_STATUS_COLUMNS = ("dataset", "is_synthetic", "sources", "last_date")


@functools.cache
def extracts_read(name: str) -> tuple[str, ...]:
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


def source_ids(frames: Sequence[pd.DataFrame]) -> list[str]:
    """Every value of every column ending in source_id. (A column is read as a list, what is missing
    skipped there: pandas 3's dropna takes a millisecond a call.)"""
    return sorted(
        {
            value
            for frame in frames
            for column in frame.columns
            if column.endswith("source_id")
            for value in frame[column].tolist()
            if not fmt.is_missing(value)
        }
    )


def runs_to(frames: Sequence[pd.DataFrame]):
    """The latest as_of or data_runs_to of the frames, or None."""
    return max(
        (
            value
            for frame in frames
            for column in _AS_OF_COLUMNS
            if column in frame.columns
            for value in frame[column].tolist()
            if not fmt.is_missing(value)
        ),
        default=None,
    )


def extract_key(status: pd.Series | dict) -> str:
    """What an extract's rows are, as the last part of the keys of its texts: synthetic demonstration
    data, the events the police published (among its sources), or a partner's extract. `status` is a
    row of `extract_status`, a Series or a dict (tables.rows)."""
    if status["is_synthetic"]:
        return "synthetic_extract"
    return "police_extract" if POLICE_SOURCE in str(status["sources"]) else "extract"


def chart_lines(frames: Sequence[pd.DataFrame], lang: str, run: Run) -> tuple[str, str]:
    """The source line and the date line of a chart image drawn from `frames`, in `lang`.

    The source line names the publishers of the sources behind the frames (their source_id
    columns) and the extracts they come from, as synthetic demonstration data when they are.
    The date line gives the date the data runs to: the frames' as_of or data_runs_to, else the
    incident extract's last date or, for the contact extract, whose days the footer keeps to
    itself, the end of the rounds drawn (period_end, in the chart's title already), else the
    publication date of the latest source.
    """
    ids = source_ids(frames)
    sources = tables.rows(run("sources", source_ids=ids), ("publisher", "date_published"), lang) if ids else []
    names = list(dict.fromkeys(source["publisher"] for source in sources))
    datasets = list(dict.fromkeys(dataset for frame in frames for dataset in frame.attrs.get("extracts", ())))
    statuses = _statuses(run, datasets)
    for dataset, status in statuses.items():
        key = f"image.{extract_key(status)}"
        names.append(t(key, lang, dataset=t(f"extract.{dataset}", lang), sources=status["sources"]))
    source_line = ""
    if names:
        source_line = t("image.source" if len(names) == 1 else "image.sources", lang, sources="; ".join(names))
    latest = runs_to(frames)
    if latest is None:
        ends = [status["last_date"] for dataset, status in statuses.items() if dataset != "interventions"]
        if "interventions" in datasets:
            ends += [end for frame in frames if "period_end" in frame.columns for end in frame["period_end"]]
        latest = max((pd.Timestamp(end) for end in ends if not fmt.is_missing(end)), default=None)
    if latest is not None:
        return source_line, t("image.runs_to", lang, date=fmt.date(latest, lang))
    published = [source["date_published"] for source in sources if not fmt.is_missing(source["date_published"])]
    return source_line, t("image.published", lang, date=fmt.date(max(published), lang)) if published else ""


def _statuses(run: Run, datasets: list[str]) -> dict[str, dict]:
    """The status of each of `datasets` (its row of `extract_status`); no query for none."""
    if not datasets:
        return {}
    by_dataset = {status["dataset"]: status for status in tables.rows(run("extract_status"), _STATUS_COLUMNS)}
    return {dataset: by_dataset[dataset] for dataset in datasets}


def footer(shown: Sequence[pd.DataFrame], extracts: Sequence[pd.Series], lang: str, run: Run) -> None:
    """The sources behind every frame the page showed and every extract it drew on, and the date the
    data runs to; a note first when any count was suppressed."""
    if any(privacy.is_suppressed(frame) for frame in shown):
        st.caption(privacy.note(lang))
    st.divider()
    st.header(t("footer.sources", lang))
    # one Markdown list for all the lines, extracts first: one element, not one a line (each costs a render)
    lines = [_extract_line(status, lang) for status in extracts]
    ids = source_ids(shown)
    if not ids and not extracts:
        st.caption(t("footer.no_sources", lang))
        return
    sources = tables.rows(run("sources", source_ids=ids), _SOURCE_COLUMNS, lang) if ids else []
    for source in sources:
        details = [
            fmt.date(source["date_published"], lang),
            t(f"footer.{source['kind']}", lang),
            t("footer.accessed", lang, date=fmt.date(source["date_accessed"], lang)),
        ]
        line = t(
            "footer.source",
            lang,
            publisher=source["publisher"],
            title=source["title"],
            details=markdown.join(", ", [detail for detail in details if detail]),
        )
        if not fmt.is_missing(source["notes"]):
            line += " " + markdown.escape(source["notes"])
        if not fmt.is_missing(source["url"]):
            line += " " + markdown.link(source["url"])
        lines.append(line)
    if lines:
        st.markdown("\n".join(f"- {line}" for line in lines))
    latest = runs_to(shown)
    if latest is not None:
        st.caption(t("footer.runs_to", lang, date=fmt.date(latest, lang)))


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
    return t(
        f"footer.{extract_key(status)}",
        lang,
        rows=privacy.count_text(status, "row_count", lang),
        first=fmt.date(status["first_date"], lang),
        last=fmt.date(status["last_date"], lang),
        **values,
    )

"""Press: every key figure as a ready sentence to copy, with source and date, a citation of the dashboard, every
table to download, and a press pack."""

import datetime as dt
import functools
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from slutaskjut import charts, exports, fmt, images, press_pack, sentences, tables
from slutaskjut.clipboard import copy_button, copy_cards
from slutaskjut.frame import page
from slutaskjut.i18n import in_language
from slutaskjut.schema import LANGUAGES

NEWEST = 10  # sentences shown first; the others under them, one click away
today = dt.datetime.now(ZoneInfo("Europe/Stockholm")).date()  # the day in Malmö, whatever the server's zone

view = page("press")
st.title(view.t("press.title"))
st.write(view.t("press.intro"))

years = {"from_year": view.year_from, "to_year": view.year_to}
yearly = view.query("incidents_by_year", **years)
provisional = view.query("provisional_figures", **years)
sweden = view.query("sweden_by_year", **years)
shares = view.query("malmo_share_of_sweden", **years)
change = view.query("change_between_years", base_year=view.year_from, year=view.year_to)
us_results = view.query("us_results")
city_series = view.query("shootings_index_by_city_and_year", **years)
us_city_counts = view.query("us_city_counts_by_year", **years)
outreach = view.query("outreach_by_round_and_stage", **years)
findings = view.query("evaluation_findings")
changes = view.query("changes_by_year", **years)
milestones = view.query("milestones", **years)
sources = view.query("sources", source_ids=view.source_ids())


def key_figures_in(lang: str) -> pd.DataFrame:
    """The key figures as sentences, their topic, source and date in `lang`."""
    return sentences.press_sentences(
        yearly=yearly,
        provisional=provisional,
        change=change,
        us_results=us_results,
        outreach=outreach,
        findings=findings,
        sources=sources,
        lang=lang,
        sweden=sweden,
        shares=shares,
    )


key_figures = key_figures_in(view.lang)  # the other language's only for the pack, made when it is clicked
sentence_columns = ["figure", "topic", "swedish", "english", "source", "source_date"]

downloads = {
    "table_name.sentences": (key_figures, sentence_columns),
    "table_name.yearly": (
        yearly,
        ["year", "measure", "count", "is_lower_bound", "status", "population", "rate_per_100k", "as_of"]
        + ["source_id", "note"],
    ),
    "table_name.provisional": (
        provisional,
        ["year", "measure", "count", "is_lower_bound", "rate_per_100k", "as_of", "source_id", "note"],
    ),
    "table_name.sweden": (
        sweden,
        ["year", "measure", "count", "population", "rate_per_100k", "as_of", "source_id", "population_source_id"]
        + ["note"],
    ),
    "table_name.malmo_share": (
        shares,
        ["year", "measure", "malmo_count", "national_count", "share_pct", "malmo_rate_per_100k"]
        + ["national_rate_per_100k", "as_of", "malmo_source_id", "source_id", "population_source_id"],
    ),
    "table_name.changes": (
        changes,
        ["year", "measure", "count", "previous_count", "change_count", "change_pct", "source_id"],
    ),
    "table_name.us_results": (
        us_results,
        [
            "city",
            "programme",
            "programme_start_year",
            "quoted_change_pct",
            "quoted_outcome",
            "metric",
            "study_period",
            "study",
            "design",
            "caveat",
            "source_id",
            "study_source_id",
        ],
    ),
    "table_name.us_city_series": (
        city_series,
        ["city", "year", "unit", "count", "base_year", "index_value", "population_for_rate", "population_year"]
        + ["rate_per_100k", "as_of", "source_id", "population_source_id", "programme_source_id"],
    ),
    "table_name.us_city_counts": (
        us_city_counts,
        ["city", "year", "unit", "fatal", "non_fatal", "total", "as_of", "source_id", "note"],
    ),
    "table_name.outreach": (
        outreach,
        [
            "label",
            "stage",
            "count",
            "is_lower_bound",
            "is_approximate",
            "unit",
            "share_of_first_step_pct",
            "period_start",
            "period_end",
            "as_of",
            "source_id",
        ],
    ),
    "table_name.milestones": (milestones, ["date", "when", "label", "source_id"]),
    "table_name.findings": (findings, ["published", "finding", "source_id"]),
    "table_name.sources": (
        sources,
        ["source_id", "kind", "publisher", "title", "date_published", "date_accessed", "url", "notes"],
    ),
}
span = f"{view.year_from}-{view.year_to}"
workbook_name = f"sluta-skjut-{span}.xlsx"
csv_names = {name: f"{name.removeprefix('table_name.')}-{span}.csv" for name in downloads}


def download_tables() -> list[press_pack.Table]:
    """The tables as downloaded, for the pack and the workbook: made when one of them is clicked."""
    return [
        press_pack.Table(csv_names[name], view.t(name), tables.for_download(frame, columns, view.lang))
        for name, (frame, columns) in downloads.items()
    ]


# The main charts as the Trends and US comparisons pages draw them (counts; shootings for Malmö).
years_text = fmt.year_range(view.year_from, view.year_to)
pack_charts = []
if len(yearly):
    milestones_shown = in_language(milestones, view.lang)
    trend = charts.trend_figure(
        yearly,
        provisional,
        milestones_shown,
        value_column="count",
        lang=view.lang,
        title=view.t("trends.chart_title", years=years_text),
    )
    lines = view.chart_lines([yearly, provisional, milestones])
    pack_charts.append(press_pack.Chart("malmo_by_year.png", trend, trend.layout.title.text, *lines))
shootings_change = change[change["measure"] == "shootings"]
malmo = {
    "label": view.t(
        "benchmarks.malmo_bar", measure=view.t("measure.shootings"), base_year=view.year_from, year=view.year_to
    ),
    "change_pct": shootings_change["change_pct"].iloc[0] if len(shootings_change) else None,
}
benchmark = charts.benchmark_figure(
    in_language(us_results, view.lang),
    malmo,
    lang=view.lang,
    title=view.t("benchmarks.chart_title", base_year=view.year_from, year=view.year_to),
)
lines = view.chart_lines([us_results, shootings_change])
pack_charts.append(press_pack.Chart("us_results.png", benchmark, benchmark.layout.title.text, *lines))

runs_to = view.runs_to()


def pack() -> bytes:
    return press_pack.build(
        lang=view.lang,
        years=years_text,
        sentences={lang: key_figures_in(lang) for lang in LANGUAGES},
        tables=download_tables(),
        workbook_name=workbook_name,
        charts=pack_charts,
        sources=sources,
        runs_to=runs_to,
    )


def workbook() -> bytes:
    return exports.excel_bytes({table.sheet: table.frame for table in download_tables()})


# The pack, the workbook and the CSV files are made when their button is clicked, not on every run.
st.download_button(  # charts rendered only then too
    view.t("press.pack"),
    pack,
    file_name=f"sluta-skjut-press-{span}.zip",
    mime="application/zip",
    key="download_press_pack",
    on_click="ignore",
    type="primary",
    icon=":material/folder_zip:",
    help=None if images.available() else images.NO_BROWSER,  # the charts need chromium
)
st.download_button(
    view.t("press.workbook"),
    workbook,
    file_name=workbook_name,
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="download_workbook",
    on_click="ignore",
)

# The dashboard as a source: its address without the page's own path, so it names the dashboard.
st.header(view.t("press.cite_title"))
address = st.context.url and st.context.url.removesuffix(Path(__file__).stem)
st.markdown(sentences.citation(view.lang, today, address, as_text=False))
copy_button(
    sentences.citation(view.lang, today, address, as_text=True),
    view.t("press.copy_citation"),
    "copy_citation",
    done_label=view.t("clipboard.copied"),
)


def sentence_cards(rows, key: str) -> None:
    """Each sentence, and under it a button that copies it beside its topic, source and date."""
    cards = [
        (row.sentence, view.t("press.sentence_source", topic=row.topic, source=row.source, date=row.source_date))
        for row in rows
    ]
    copy_cards(cards, view.t("clipboard.copy"), key, done_label=view.t("clipboard.copied"))


st.header(view.t("press.sentences"))
rows = sentences.records(key_figures, ["sentence", "topic", "source", "source_date"])
sentence_cards(rows[:NEWEST], "sentences_newest")
if len(rows) > NEWEST:
    with st.expander(view.t("press.more_sentences", count=fmt.count(len(rows) - NEWEST, view.lang))):
        sentence_cards(rows[NEWEST:], "sentences_more")
view.folded_table(
    key_figures, ["figure", "sentence", "publisher", "source_date"], "key_figures", view.t("press.sentences_table")
)

st.header(view.t("press.downloads"))
for name, (frame, columns) in downloads.items():
    st.download_button(
        f"{view.t('common.download_csv')}: {view.t(name)}",
        functools.partial(tables.csv_bytes, frame, columns, view.lang),
        file_name=csv_names[name],
        mime="text/csv",
        key=f"download_{name}",
        on_click="ignore",
    )

view.footer()

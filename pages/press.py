"""Press: every key figure as a ready sentence with source and date, and every table to download."""

import streamlit as st

from slutaskjut import exports, sentences, tables
from slutaskjut.frame import page

view = page("press")
st.title(view.t("press.title"))
st.write(view.t("press.intro"))

years = {"from_year": view.year_from, "to_year": view.year_to}
yearly = view.query("incidents_by_year", **years)
provisional = view.query("provisional_figures", **years)
change = view.query("change_between_years", base_year=view.year_from, year=view.year_to)
us_results = view.query("us_results")
outreach = view.query("outreach_by_round_and_stage", **years)
findings = view.query("evaluation_findings")
changes = view.query("changes_by_year", **years)
milestones = view.query("milestones", **years)
sources = view.query("sources", source_ids=view.source_ids())

key_figures = sentences.press_sentences(
    yearly=yearly,
    provisional=provisional,
    change=change,
    us_results=us_results,
    outreach=outreach,
    findings=findings,
    sources=sources,
    lang=view.lang,
)
st.subheader(view.t("press.sentences"))
sentence_columns = ["topic", "swedish", "english", "source", "source_date"]
view.table(key_figures, sentence_columns, "key_figures")

st.subheader(view.t("press.downloads"))
downloads = {
    "table_name.sentences": (key_figures, sentence_columns),
    "table_name.yearly": (
        yearly,
        ["year", "measure", "count", "status", "population", "rate_per_100k", "as_of", "source_id", "note"],
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
    "table_name.outreach": (
        outreach,
        [
            "label",
            "stage",
            "count",
            "is_lower_bound",
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
workbook = {
    view.t(name): tables.for_download(frame, columns, view.lang) for name, (frame, columns) in downloads.items()
}
st.download_button(
    view.t("press.workbook"),
    exports.excel_bytes(workbook),
    file_name=f"sluta-skjut-{view.year_from}-{view.year_to}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="download_workbook",
    on_click="ignore",
    type="primary",
)
for name, sheet in zip(downloads, workbook.values(), strict=True):
    st.download_button(
        f"{view.t('common.download_csv')}: {view.t(name)}",
        exports.csv_bytes(sheet),
        file_name=f"{name.removeprefix('table_name.')}-{view.year_from}-{view.year_to}.csv",
        mime="text/csv",
        key=f"download_{name}",
        on_click="ignore",
    )

view.footer()

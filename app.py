"""Overview: headline figures for the selected year against the earlier year, and help lines."""

import streamlit as st

from slutaskjut import fmt, markdown, sentences
from slutaskjut.frame import page
from slutaskjut.i18n import in_language
from slutaskjut.schema import MEASURES

view = page("overview")
st.title(view.t("overview.title"))
st.write(view.t("overview.intro"))

change = view.query("change_between_years", base_year=view.year_from, year=view.year_to).set_index("measure")
st.subheader(view.t("overview.headline", year=view.year_to, base_year=view.year_from))
for column, measure in zip(st.columns(len(MEASURES)), MEASURES, strict=True):
    row = change.loc[measure]
    delta = None
    if view.year_from != view.year_to and not fmt.is_missing(row["change_pct"]):
        # st.metric takes the arrow's direction from a leading ASCII "-", not the true minus sign
        pct = fmt.percent(row["change_pct"], view.lang, signed=True).replace(fmt.MINUS, "-")
        delta = view.t("overview.delta", pct=pct, base_year=view.year_from)
    column.metric(
        view.t("overview.metric_label", measure=view.t(f"measure.{measure}"), year=view.year_to),
        fmt.qualified(row["count_year"], view.lang, at_least=row["is_lower_bound_year"])
        or view.t("common.not_published"),
        delta,
        delta_color="inverse",
        border=True,
    )
if view.year_from == view.year_to:
    st.info(view.t("overview.same_year"))

# Part-year figures of the last year shown where it has no whole-year one, and of every later year:
# the newest figures are seen on the first page, each as provisional with its date, never as the year's.
later = view.query("provisional_figures", from_year=view.year_to, to_year=9999)
without_whole_year = set(change.index[change["count_year"].isna()])
later = later[(later["year"] > view.year_to) | later["measure"].isin(without_whole_year)]
if len(later):
    st.markdown(view.t("overview.part_year"))
    st.markdown(
        "\n".join(
            "- "
            + view.t(
                "trends.provisional_note",
                count=fmt.qualified(row.count, view.lang, at_least=fmt.flagged(row)),
                measure=view.t(f"measure_lower.{row.measure}"),
                year=row.year,
                date=fmt.date(row.as_of, view.lang),
            )
            for row in later.itertuples()
        )
    )

milestones = in_language(view.query("milestones", from_year=0, to_year=9999), view.lang)
project_start = milestones.set_index("milestone_id")["when"].get("project_start")
st.markdown(sentences.overview_summary(change.reset_index(), project_start, view.lang))

st.subheader(view.t("overview.help_title"))
help_lines = in_language(view.query("help_lines"), view.lang)
for purpose, lines in help_lines.groupby("purpose", sort=False):
    st.markdown(view.t("overview.help_line", purpose=purpose, contacts=markdown.join(" · ", lines["contact"])))

view.footer()

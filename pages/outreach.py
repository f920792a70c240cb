"""Outreach: custom-notification rounds as funnels, call-ins, and totals since the start."""

import streamlit as st

from slutaskjut import charts, fmt, sentences
from slutaskjut.frame import page
from slutaskjut.i18n import in_language

view = page("outreach")
st.title(view.t("outreach.title"))
st.write(view.t("outreach.intro"))

outreach = view.query("outreach_by_round_and_stage", from_year=view.year_from, to_year=view.year_to)
if outreach.empty:
    st.info(view.t("common.no_data", years=fmt.year_range(view.year_from, view.year_to)))
localised = in_language(outreach, view.lang)
columns = ["label", "stage", "count", "unit", "share_of_first_step_pct", "period_end", "as_of", "source_id"]

rounds = localised[localised["activity"] == "custom_notification_round"]
if len(rounds):
    st.subheader(view.t("outreach.rounds"))
for (round_id, label), stages in rounds.groupby(["round_id", "label"], sort=False):
    figure = charts.funnel_figure(stages, lang=view.lang, title=view.t("outreach.funnel_title", round=label))
    view.chart(
        figure,
        sentences.describe_funnel(outreach[outreach["round_id"] == round_id], view.lang),
        stages,
        columns,
        f"funnel_{round_id}",
    )

for activity in ("call_ins_and_notifications", "programme_total"):
    figures = localised[localised["activity"] == activity]
    if figures.empty:
        continue
    st.subheader(figures["label"].iloc[0])
    for column, row in zip(st.columns(len(figures)), figures.itertuples(), strict=True):
        column.metric(
            view.t(f"stage.{row.stage}"),
            f"{fmt.count(row.count, view.lang, lower_bound=row.is_lower_bound)} {view.t(f'unit.{row.unit}')}",
            border=True,
        )
    if figures["is_lower_bound"].any():
        st.caption(view.t("outreach.lower_bound"))
    with st.expander(view.t("common.table")):
        view.table(figures, columns, f"outreach_{activity}")

view.footer()

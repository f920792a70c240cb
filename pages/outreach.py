"""Outreach: custom-notification rounds as funnels, call-ins, and totals since the start.

Then, when a contact extract is loaded, each round's people and follow-ups from it, by month.
Counts of people from the contact extract come suppressed from the query (privacy.py): small ones
read "fewer than 3". Published figures are shown as published.
"""

import streamlit as st

from slutaskjut import charts, fmt, markdown, privacy, sections, sentences
from slutaskjut.frame import page
from slutaskjut.i18n import in_language

view = page("outreach")
st.title(view.t("outreach.title"))
st.write(view.t("outreach.intro"))

outreach = view.query("outreach_by_round_and_stage", from_year=view.year_from, to_year=view.year_to)
if outreach.empty:
    st.info(view.t("common.no_data", years=fmt.year_range(view.year_from, view.year_to)))
localised = in_language(outreach, view.lang)
# a table per round or report: what was counted and its figure first, the round's name after them
columns = ["stage", "count", "unit", "share_of_first_step_pct", "label", "period_end", "as_of", "source_id"]

rounds = localised[localised["activity"] == "custom_notification_round"]
if len(rounds):
    st.header(view.t("outreach.rounds"))
for (round_id, label), stages in rounds.groupby(["round_id", "label"], sort=False):
    figure = charts.funnel_figure(stages, lang=view.lang, title=view.t("outreach.funnel_title", round=label))
    # a round's stages are all of its rows: its activity and label come from outreach_rounds, one row a round
    view.chart(figure, sentences.describe_funnel(stages, view.lang), stages, columns, f"funnel_{round_id}")

# Reports and totals since the start, in the order they were published: how the outreach grew
reports = localised[localised["activity"].isin(["call_ins_and_notifications", "programme_total"])]
for (round_id, label), figures in reports.groupby(["round_id", "label"], sort=False):
    st.subheader(markdown.escape(label))
    cards = sentences.records(figures, ["stage", "count", "unit", "is_lower_bound", "is_approximate"])
    for column, row in zip(st.columns(len(figures)), cards, strict=True):
        count = sentences.stage_count(row, view.lang)
        # a card of its own, not st.metric: a metric cuts a long stage name or figure with an ellipsis
        column.container(border=True).markdown(
            view.t("outreach.card", stage=view.t(f"stage.{row.stage}"), count=count, unit=view.t(f"unit.{row.unit}"))
        )
    for flag, caption in (("is_lower_bound", "outreach.lower_bound"), ("is_approximate", "outreach.approximate")):
        if figures[flag].any():
            st.caption(view.t(caption))
    view.folded_table(figures, columns, f"outreach_{round_id}")

# From the contact extract: only when one is loaded (and then said plainly if it is synthetic).
if view.extract("interventions") is not None:
    st.header(view.t("outreach_extract.title"))
    st.write(view.t("outreach_extract.intro", threshold=privacy.min_count()))
    contacts = view.query("outreach_funnel_by_round_and_month", from_year=view.year_from, to_year=view.year_to)
    sections.contact_funnels(view, contacts)

view.footer()

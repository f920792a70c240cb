"""Sections that more than one page draws: the contact extract's funnels by round and month,
and the columns of the reconciliation table.

The public Outreach page draws them from the suppressed query, the partner page from the same
query without suppression (frame.PartnerPage.unsuppressed); the drawing is the same.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from slutaskjut import charts, fmt, sentences

# The reconciliation of the extract with the published figures, as Trends and the partner page show it.
RECONCILIATION_COLUMNS = [
    "year",
    "measure",
    "extract_count",
    "headline_count",
    "difference",
    "status",
    "period_start",
    "period_end",
    "source_id",
]


def contact_funnels(view, contacts: pd.DataFrame, prefix: str = "") -> None:
    """A funnel chart, its sentence and its table for each round of the contact extract, call-ins first.

    `contacts` is outreach_funnel_by_round_and_month; `prefix` starts the names of the downloads.
    """
    if contacts.empty:
        st.info(view.t("outreach_extract.no_rounds", years=fmt.year_range(view.year_from, view.year_to)))
    for kind, heading in (("call_in", "call_ins"), ("custom_notification", "custom_notifications")):
        of_kind = contacts[contacts["kind"] == kind]
        if of_kind.empty:
            continue
        st.subheader(view.t(f"outreach_extract.{heading}"))
        for round_id, rows in of_kind.groupby("round_id", sort=False):
            total = rows[rows["is_round_total"]].iloc[0]
            follow_ups = sentences.contact_follow_ups(total)
            period = fmt.date_range(total["period_start"], total["period_end"], view.lang)
            title = view.t(
                "outreach_extract.funnel_title",
                round=round_id,
                kind=view.t(f"outreach_extract.kind_{kind}"),
                period=period,
            )
            columns = ["month", "is_round_total", "contacts", "people"]
            columns += [column for follow_up in follow_ups for column in (follow_up, f"{follow_up}_unknown")]
            view.chart(
                charts.contact_funnel_figure(total, follow_ups, lang=view.lang, title=title),
                sentences.describe_contact_funnel(total, follow_ups, view.lang),
                rows,
                columns,
                f"{prefix}contacts_{round_id}_{kind}",
            )
            if not follow_ups:
                st.caption(view.t("outreach_extract.none_known"))

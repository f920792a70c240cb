"""Sections that more than one page draws: the contact extract's rounds and the chosen round's funnel,
and the columns of the reconciliation table.

The public Outreach page draws them from the suppressed query, the partner page from the same
query without suppression (frame.PartnerPage.unsuppressed); the drawing is the same.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from slutaskjut import charts, fmt, sentences
from slutaskjut.extract_schema import FOLLOW_UPS
from slutaskjut.i18n import in_language, t

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
# The contact extract's rounds, one row each, as the Outreach pages list them: the round and its people first.
ROUND_COLUMNS = [
    "round",
    "kind",
    "people",
    "contacts",
    *(column for follow_up in FOLLOW_UPS for column in (follow_up, f"{follow_up}_unknown")),
    "period_start",
    "period_end",
]


def _round_name(row, lang: str) -> str:
    """A round of the contact extract as a reader knows it: its published name (outreach_rounds) where the
    extract names it so, else its kind and days ("call-in 3–17 maj 2018"), never the extract's id for it."""
    if isinstance(row.round, str):
        return row.round
    period = fmt.date_range(row.period_start, row.period_end, lang)
    return t("outreach_extract.round_unnamed", lang, kind=t(f"outreach_extract.kind_{row.kind}", lang), period=period)


def contact_funnels(view, contacts: pd.DataFrame, prefix: str = "") -> None:
    """Every round of the contact extract in one table, then the chosen round's funnel, sentence and months.

    One table and one chart, however many rounds the extract holds: a funnel per round made the page
    draw 40 charts at 200,000 contacts (2 s a run). The round is a choice in the URL
    (?round=may_2020_custom_notification), the latest round by default. `contacts` is
    outreach_funnel_by_round_and_month; `prefix` starts the names of the downloads.
    """
    if contacts.empty:
        st.info(view.t("outreach_extract.no_rounds", years=fmt.year_range(view.year_from, view.year_to)))
        return
    totals = in_language(contacts[contacts["is_round_total"]].iloc[::-1], view.lang)  # the latest round first
    rounds = sentences.records(totals, ["round_id", "round", "kind", "period_start", "period_end"])
    names = [_round_name(row, view.lang) for row in rounds]
    named = totals.assign(round=names)
    st.subheader(view.t("outreach_extract.rounds"))
    view.table(named, ROUND_COLUMNS, f"{prefix}contact_rounds")

    # A round is its id and kind (an extract may use one id for both), as the downloads name it.
    keys = [f"{row.round_id}_{row.kind}" for row in rounds]
    titles = {
        key: view.t(
            "outreach_extract.funnel_title",
            round=name,
            kind=view.t(f"outreach_extract.kind_{row.kind}"),
            period=fmt.date_range(row.period_start, row.period_end, view.lang),
        )
        if isinstance(row.round, str)
        else name
        for key, name, row in zip(keys, names, rounds, strict=True)
    }
    chosen = view.choice(
        "round", keys, view.t("outreach_extract.choose_round"), format_func=titles.get, widget=st.selectbox
    )
    total = named.iloc[keys.index(chosen)]
    follow_ups = sentences.contact_follow_ups(total)
    columns = ["month", "people", "contacts"]
    columns += [column for follow_up in follow_ups for column in (follow_up, f"{follow_up}_unknown")]
    columns += ["is_round_total"]
    view.chart(
        charts.contact_funnel_figure(total, follow_ups, lang=view.lang, title=titles[chosen]),
        sentences.describe_contact_funnel(total, follow_ups, view.lang),
        contacts[(contacts["round_id"] == total["round_id"]) & (contacts["kind"] == total["kind"])],
        columns,
        f"{prefix}contacts_{chosen}",
    )
    if not follow_ups:
        st.caption(view.t("outreach_extract.none_known"))

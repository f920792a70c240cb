"""Trends: shootings, explosions, dead and injured by year, with milestones and changes."""

import streamlit as st

from slutaskjut import charts, fmt, sections, sentences
from slutaskjut.frame import page
from slutaskjut.i18n import in_language

view = page("trends")
st.title(view.t("trends.title"))
scale = view.choice(
    "scale",
    ["count", "rate_per_100k"],
    view.t("trends.scale"),
    format_func=lambda value: view.t("trends.scale_count" if value == "count" else "trends.scale_rate"),
)

years = {"from_year": view.year_from, "to_year": view.year_to}
yearly = view.query("incidents_by_year", **years)
provisional = view.query("provisional_figures", **years)
milestones = in_language(view.query("milestones", **years), view.lang)

if yearly.empty:  # years only an extract reaches (it can run past the published figures)
    st.info(view.t("common.no_data", years=fmt.year_range(view.year_from, view.year_to)))
else:
    figure = charts.trend_figure(
        yearly,
        provisional,
        milestones,
        value_column=scale,
        lang=view.lang,
        title=view.t("trends.chart_title", years=fmt.year_range(view.year_from, view.year_to)),
    )
    figures = [scale, *(other for other in ("count", "rate_per_100k") if other != scale)]  # the one drawn first
    columns = ["year", "measure", *figures, "status", "population", "as_of", "source_id"]
    description = sentences.describe_trend(yearly, scale, view.lang)
    # the image's source line also names the provisional figures' and the milestones' sources
    view.chart(figure, description, yearly, columns, "malmo_by_year", sources=[provisional, milestones])

if len(milestones):
    st.markdown(f"**{view.t('trends.milestones')}**")
    st.markdown(
        "\n".join(
            view.t("trends.milestone", number=number, when=milestone.when, label=milestone.label)
            for number, milestone in enumerate(milestones.itertuples(), start=1)
        )
    )
for row in provisional.itertuples():
    st.info(
        view.t(
            "trends.provisional_note",
            count=fmt.qualified(row.count, view.lang, at_least=fmt.flagged(row)),
            measure=view.t(f"measure_lower.{row.measure}"),
            year=row.year,
            date=fmt.date(row.as_of, view.lang),
        )
    )
st.caption(view.t("trends.definition_note"))

st.header(view.t("trends.changes_title"))
changes = view.query("changes_by_year", **years)
view.table(
    changes,
    ["year", "measure", "count", "previous_count", "change_count", "change_pct", "source_id"],
    "changes_by_year",
)

disagreements = view.query("source_disagreements", **years)
if len(disagreements):
    st.header(view.t("trends.disagree_title"))
    publishers = view.query(
        "sources", source_ids=sorted(set(disagreements["other_source_id"]) | set(disagreements["headline_source_id"]))
    )
    publisher = publishers.set_index("source_id")["publisher"]
    st.markdown(
        "\n".join(
            "- "
            + view.t(
                "trends.disagree",
                year=row.year,
                measure=view.t(f"measure_lower.{row.measure}"),
                other_count=fmt.qualified(
                    row.other_count, view.lang, at_least=fmt.flagged(row, "other_is_lower_bound")
                ),
                other_source=publisher[row.other_source_id],
                headline_count=fmt.qualified(
                    row.headline_count, view.lang, at_least=fmt.flagged(row, "headline_is_lower_bound")
                ),
                headline_source=publisher[row.headline_source_id],
            )
            for row in disagreements.itertuples()
        )
    )

# Sweden as a whole: every source beside the others, and Malmö's share of each
st.header(view.t("trends.sweden_title"))
st.markdown(view.t("trends.sweden_intro"))
year_span = fmt.year_range(view.year_from, view.year_to)
sweden = view.query("sweden_by_year", **years)
if sweden.empty:
    st.info(view.t("common.no_data", years=year_span))
else:
    title_key = "trends.sweden_chart_title_rate" if scale == "rate_per_100k" else "trends.sweden_chart_title"
    view.chart(
        charts.sweden_figure(
            sweden, yearly, value_column=scale, lang=view.lang, title=view.t(title_key, years=year_span)
        ),
        sentences.describe_sweden(sweden, scale, year_span, view.lang),
        sweden,
        ["year", "measure", "count", "population", "rate_per_100k", "as_of", "source_id", "population_source_id"],
        "sweden_by_year",
        sources=[yearly] if scale == "rate_per_100k" else (),
    )
    if scale == "rate_per_100k":
        st.caption(view.t("trends.rate_note"))
st.markdown(f"**{view.t('trends.share_title')}**")
shares = view.query("malmo_share_of_sweden", **years)
if shares.empty:
    st.info(view.t("trends.no_share", years=year_span))
else:
    st.markdown(view.t("trends.share_intro"))
    view.chart(
        charts.share_figure(shares, lang=view.lang, title=view.t("trends.share_chart_title", years=year_span)),
        sentences.describe_shares(shares, year_span, view.lang),
        shares,
        ["year", "measure", "share_pct", "malmo_count", "national_count", "malmo_rate_per_100k"]
        + ["national_rate_per_100k", "malmo_source_id", "source_id", "population_source_id"],
        "malmo_share_of_sweden",
    )

if view.extract("incidents") is not None:
    st.header(view.t("trends.extract_title"))
    st.markdown(view.t("trends.extract_intro"))
    grain = view.choice(
        "grain", ["month", "quarter"], view.t("trends.grain"), format_func=lambda value: view.t(f"trends.grain_{value}")
    )
    periods = view.query("incidents_by_period", grain=grain, **years)
    if periods.empty:
        st.info(view.t("trends.no_periods", years=year_span))
    else:
        view.chart(
            charts.period_figure(periods, lang=view.lang, title=view.t(f"trends.chart_title_{grain}", years=year_span)),
            sentences.describe_periods(periods, grain, year_span, view.lang),
            periods,
            ["period", "kind", "count", "dead", "injured", "is_partial"],
            f"incidents_by_{grain}",
        )
        st.caption(view.t("trends.unknown_note"))

    st.header(view.t("trends.reconciliation_title"))
    reconciliation = view.query("reconciliation_by_year", **years)
    if reconciliation.empty:
        st.info(view.t("trends.no_reconciliation", years=year_span))
    else:
        st.markdown(view.t("trends.reconciliation_intro"))
        st.markdown(f"**{sentences.reconciliation_summary(reconciliation, view.lang)}**")
        view.table(
            reconciliation,
            sections.RECONCILIATION_COLUMNS,
            "reconciliation_by_year",
        )

view.footer()

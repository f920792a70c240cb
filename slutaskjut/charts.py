"""Plotly figures from query results. Plain functions: no Streamlit, testable alone.

Colours are the Okabe-Ito palette, which stays distinguishable with colour-blindness.
Values that are not published leave a gap and a shaded band, never a point at zero.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from slutaskjut import fmt, privacy
from slutaskjut.extract_schema import INCIDENT_KINDS
from slutaskjut.i18n import t
from slutaskjut.schema import MEASURES

MEASURE_COLOURS = {"shootings": "#0072B2", "explosions": "#D55E00", "dead": "#000000", "injured": "#CC79A7"}
US_COLOUR, MALMO_COLOUR, FUNNEL_COLOUR = "#0072B2", "#E69F00", "#009E73"
NOT_PUBLISHED_COLOUR = "#999999"
_SEPARATORS = {"sv": ",\u00a0", "en": ".,"}


def _layout(figure: go.Figure, lang: str, title: str, height: int) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        template="plotly_white",
        separators=_SEPARATORS[lang],
        height=height,
        margin={"l": 60, "r": 20, "t": 90, "b": 50},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "xanchor": "left"},
        font={"size": 13},
    )
    return figure


def _value_text(value, lang: str, decimals: int) -> str:
    return fmt.number(value, lang, decimals) or ""


def trend_figure(
    yearly: pd.DataFrame,
    provisional: pd.DataFrame,
    milestones: pd.DataFrame,
    *,
    value_column: str,
    lang: str,
    title: str,
) -> go.Figure:
    """One panel per measure over the years; milestones as numbered dotted lines."""
    measures = [measure for measure in MEASURES if measure in set(yearly["measure"])]
    decimals = 1 if value_column == "rate_per_100k" else 0
    figure = make_subplots(
        rows=len(measures),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=[t(f"measure.{measure}", lang) for measure in measures],
    )
    for row, measure in enumerate(measures, start=1):
        rows = yearly[yearly["measure"] == measure].sort_values("year")
        values = [None if fmt.is_missing(v) else float(v) for v in rows[value_column]]
        figure.add_trace(
            go.Scatter(
                x=rows["year"],
                y=values,
                mode="lines+markers+text",
                text=[_value_text(v, lang, decimals) for v in values],
                textposition="top center",
                line={"color": MEASURE_COLOURS[measure], "width": 3},
                marker={"size": 8},
                name=t("trends.legend_published", lang),
                legendgroup="published",
                showlegend=row == 1,
                connectgaps=False,
            ),
            row=row,
            col=1,
        )
        for year, value in zip(rows["year"], values, strict=True):
            if value is None:
                figure.add_vrect(
                    x0=year - 0.5,
                    x1=year + 0.5,
                    fillcolor=NOT_PUBLISHED_COLOUR,
                    opacity=0.2,
                    line_width=0,
                    row=row,
                    col=1,
                )
        shown_provisional = provisional[provisional["measure"] == measure]
        if len(shown_provisional):
            figure.add_trace(
                go.Scatter(
                    x=shown_provisional["year"],
                    y=shown_provisional[value_column].astype(float),
                    mode="markers",
                    marker={
                        "symbol": "diamond-open",
                        "size": 13,
                        "color": MEASURE_COLOURS[measure],
                        "line": {"width": 2},
                    },
                    name=t("trends.legend_provisional", lang),
                    legendgroup="provisional",
                    showlegend=True,
                ),
                row=row,
                col=1,
            )
        peak = max(
            [v for v in values if v is not None] + shown_provisional[value_column].astype(float).tolist(), default=0
        )
        figure.update_yaxes(range=[0, peak * 1.3 or 1], row=row, col=1)  # room for the value labels

    figure.add_trace(  # a legend entry for the shaded not-published bands
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={"symbol": "square", "size": 14, "color": NOT_PUBLISHED_COLOUR, "opacity": 0.4},
            name=t("trends.legend_not_published", lang),
        )
    )
    for number, milestone in enumerate(milestones.itertuples(), start=1):
        position = fmt.fractional_year(milestone.date)
        figure.add_vline(x=position, line_dash="dot", line_color="#555555", line_width=1)
        figure.add_annotation(
            x=position,
            y=1,
            xref="x",
            yref="y domain",
            text=str(number),
            showarrow=False,
            yanchor="bottom",
            font={"size": 12, "color": "#333333"},
            bgcolor="#FFFFFF",
            bordercolor="#555555",
            borderwidth=1,
        )
    years = sorted(set(yearly["year"]))
    figure.update_xaxes(tickmode="array", tickvals=years, ticktext=[str(year) for year in years])
    return _layout(figure, lang, title, height=230 * len(measures) + 140)


def benchmark_figure(us_results: pd.DataFrame, malmo: dict | None, *, lang: str, title: str) -> go.Figure:
    """The US results as quoted beside Malmö's raw change (hatched, in another colour).

    `malmo` has `label` and `change_pct`; None or a missing change leaves Malmö's bar out.
    """
    figure = go.Figure()
    labels = [
        t("benchmarks.us_bar", lang, city=row.city, outcome=row.quoted_outcome) for row in us_results.itertuples()
    ]
    figure.add_trace(
        go.Bar(
            y=labels,
            x=us_results["quoted_change_pct"].astype(float),
            orientation="h",
            marker={"color": US_COLOUR},
            text=[fmt.percent(v, lang) for v in us_results["quoted_change_pct"]],
            textposition="outside",
            name=t("benchmarks.legend_us", lang),
        )
    )
    if malmo is not None and not fmt.is_missing(malmo["change_pct"]):
        figure.add_trace(
            go.Bar(
                y=[malmo["label"]],
                x=[float(malmo["change_pct"])],
                orientation="h",
                marker={"color": MALMO_COLOUR, "pattern": {"shape": "/", "fgcolor": "#000000"}},
                text=[fmt.percent(malmo["change_pct"], lang)],
                textposition="outside",
                name=t("benchmarks.legend_malmo", lang),
            )
        )
    figure.add_vline(x=0, line_color="#333333", line_width=1)
    values = [value for trace in figure.data for value in trace.x]
    # room for the value labels written outside the bars' ends
    figure.update_xaxes(range=[min(0.0, *values) * 1.3 - 5, max(0.0, *values) * 1.3 + 5])
    figure.update_xaxes(title=t("benchmarks.axis_change", lang), ticksuffix="\u00a0%" if lang == "sv" else "%")
    figure.update_yaxes(autorange="reversed", automargin=True)
    return _layout(figure, lang, title, height=140 + 60 * (len(labels) + 1))


def funnel_figure(stages: pd.DataFrame, *, lang: str, title: str) -> go.Figure:
    """One round's stages as a funnel, each with its count and share of the first stage.

    A count hidden for privacy shows its marker ("fewer than 3") on a bar of no width.
    """
    stages = stages.sort_values("step")
    texts = []
    for row in stages.itertuples():
        text = privacy.count_text(row, "count", lang, lower_bound=row.is_lower_bound)
        if not privacy.flag_of(row, "count") and not fmt.is_missing(row.share_of_first_step_pct) and row.step > 1:
            text += f" ({fmt.percent(row.share_of_first_step_pct, lang)})"
        texts.append(text)
    labels = [t(f"stage.{stage}", lang) for stage in stages["stage"]]
    return _funnel(labels, stages["count"].tolist(), texts, lang=lang, title=title)


def _funnel(labels: list[str], values: list, texts: list[str], *, lang: str, title: str) -> go.Figure:
    """A funnel; a missing value (hidden or unknown) is a bar of no width with its text beside it."""
    missing = [fmt.is_missing(value) for value in values]
    figure = go.Figure(
        go.Funnel(
            y=labels,
            x=[0.0 if gap else float(value) for value, gap in zip(values, missing, strict=True)],
            text=texts,
            textinfo="text",
            textposition=["outside" if gap else "auto" for gap in missing],
            hovertemplate="%{y}: %{text}<extra></extra>",
            marker={"color": FUNNEL_COLOUR},
            connector={"fillcolor": "#D9EFE8"},
        )
    )
    figure.update_yaxes(automargin=True)
    return _layout(figure, lang, title, height=120 + 70 * len(labels))


def contact_funnel_figure(round_total: pd.Series, follow_ups: list[str], *, lang: str, title: str) -> go.Figure:
    """A round's people and, for each follow-up the extract gives, how many had it (share of the people).

    `round_total` is the whole-round row of outreach_funnel_by_round_and_month, suppressed;
    `follow_ups` those it gives (sentences.contact_follow_ups).
    """
    labels, values, texts = [], [], []
    for stage in ("people", *follow_ups):
        flag = privacy.flag_of(round_total, stage)
        value = None if flag else round_total[stage]
        text = privacy.count_text(round_total, stage, lang)
        people = round_total["people"]
        if stage != "people" and not flag and not fmt.is_missing(people) and people > 0:
            text = t("outreach_extract.share", lang, count=text, share=fmt.percent(100 * value / people, lang))
        if stage != "people":
            unknown = f"{stage}_unknown"
            if privacy.flag_of(round_total, unknown) or round_total[unknown]:
                count = privacy.count_text(round_total, unknown, lang)
                text = t("outreach_extract.unknown_for", lang, text=text, count=count)
        labels.append(t(f"outreach_extract.stage_{stage}", lang))
        values.append(value)
        texts.append(text)
    return _funnel(labels, values, texts, lang=lang, title=title)


# Incidents from the extract -----------------------------------------------------------------

KIND_COLOURS = {"shooting": "#0072B2", "suspected_shooting": "#56B4E9", "explosion": "#D55E00"}
KIND_DASHES = {"shooting": "solid", "suspected_shooting": "dash", "explosion": "solid"}


def _break_gaps(rows: pd.DataFrame) -> pd.DataFrame:
    """The periods of one kind in order, with an empty row (no count) where periods are missing between two."""
    records, previous_end = [], None
    for row in rows.sort_values("period_start").to_dict("records"):
        start = pd.Timestamp(row["period_start"])
        if previous_end is not None and start > previous_end + pd.Timedelta(days=1):
            records.append({"period_start": previous_end + pd.Timedelta(days=1), "count": None, "is_partial": False})
        records.append(row)
        previous_end = pd.Timestamp(row["period_end"])
    return pd.DataFrame.from_records(records, columns=rows.columns)


def period_figure(periods: pd.DataFrame, *, lang: str, title: str) -> go.Figure:
    """Incidents of the extract per month or quarter (incidents_by_period), one panel per kind.

    Suspected shootings get a panel, a lighter colour and a dashed line of their own, apart
    from the confirmed shootings. A period without incidents is a point at 0; periods outside
    the extract, or in a gap between its sources, are not in the frame and so not drawn: the
    line breaks over a gap rather than join its ends. A period the extract covers only in part
    (is_partial) has an open marker.
    """
    kinds = [kind for kind in INCIDENT_KINDS if kind in set(periods["kind"])]
    figure = make_subplots(
        rows=max(len(kinds), 1),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        subplot_titles=[t(f"incident_kind.{kind}", lang) for kind in kinds],
    )
    for row, kind in enumerate(kinds, start=1):
        rows = _break_gaps(periods[periods["kind"] == kind])
        partial = rows["is_partial"].fillna(False).astype(bool).tolist()
        figure.add_trace(
            go.Scatter(
                x=rows["period_start"],
                y=[None if fmt.is_missing(count) else int(count) for count in rows["count"]],
                customdata=rows["period"],
                mode="lines+markers",
                line={"color": KIND_COLOURS[kind], "width": 2, "dash": KIND_DASHES[kind]},
                marker={"size": 6, "symbol": ["circle-open" if p else "circle" for p in partial]},
                name=t(f"incident_kind.{kind}", lang),
                showlegend=False,  # the panel's title names the kind
                hovertemplate="%{customdata}: %{y}<extra>" + t(f"incident_kind.{kind}", lang) + "</extra>",
            ),
            row=row,
            col=1,
        )
        peak = int(pd.to_numeric(rows["count"]).max()) if rows["count"].notna().any() else 0
        # whole numbers only: a tick every 1 for small counts, plotly's own steps above
        figure.update_yaxes(range=[0, max(peak, 1) * 1.15], dtick=1 if peak <= 5 else None, row=row, col=1)
    if periods["is_partial"].fillna(False).astype(bool).any():
        figure.add_trace(  # a legend entry for the open markers
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"symbol": "circle-open", "size": 9, "color": "#555555"},
                name=t("trends.legend_partial", lang),
            )
        )
    figure.update_yaxes(title=t("trends.axis_count", lang))
    return _layout(figure, lang, title, height=200 * max(len(kinds), 1) + 140)

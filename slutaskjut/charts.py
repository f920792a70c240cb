"""Plotly figures from query results. Plain functions: no Streamlit, testable alone.

Colours are the Okabe-Ito palette, which stays distinguishable with colour-blindness.
Values that are not published leave a gap and a shaded band, never a point at zero.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from slutaskjut import fmt, markdown, privacy
from slutaskjut.extract_schema import INCIDENT_KINDS
from slutaskjut.i18n import t
from slutaskjut.schema import MEASURES

MEASURE_COLOURS = {"shootings": "#0072B2", "explosions": "#D55E00", "dead": "#000000", "injured": "#CC79A7"}
US_COLOUR, MALMO_COLOUR, FUNNEL_COLOUR = "#0072B2", "#E69F00", "#009E73"
NOT_PUBLISHED_COLOUR = "#999999"
_SEPARATORS = {"sv": ",\u00a0", "en": ".,"}
_TEXT_COLOUR, _GRID_COLOUR = "#2a3f5f", "#EBF0F8"
_AXIS = {
    "gridcolor": _GRID_COLOUR,
    "linecolor": _GRID_COLOUR,
    "zerolinecolor": _GRID_COLOUR,
    "zerolinewidth": 2,
    "ticks": "",
    "automargin": True,
    "title": {"standoff": 15},
}
# What the charts take from plotly's "plotly_white" template, with the Okabe-Ito colours as the colour
# sequence. Naming "plotly_white" costs 40 ms a figure: plotly validates its styles for every kind of trace.
_TEMPLATE = {
    "layout": {
        "font": {"color": _TEXT_COLOUR},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hovermode": "closest",
        "hoverlabel": {"align": "left"},
        "xaxis": _AXIS,
        "yaxis": _AXIS,
        "shapedefaults": {"line": {"color": _TEXT_COLOUR}},
        "annotationdefaults": {"arrowcolor": _TEXT_COLOUR, "arrowhead": 0, "arrowwidth": 1},
        "colorway": ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"],
    },
    "data": {"bar": [{"marker": {"pattern": {"fillmode": "overlay", "size": 10, "solidity": 0.2}}}]},
}


# The keys under which a figure holds text a reader sees (titles, annotations, trace names, value labels, the
# periods its hover labels quote); plotly renders them as a subset of HTML (<a href>, <b>, <br>).
_TEXT_KEYS = frozenset({"text", "name", "ticktext", "customdata"})


def _plotly_text(value):
    """A text as plotly shows it: what the Markdown text (i18n.t) shows, with HTML's special characters escaped."""
    return html.escape(markdown.plain(value), quote=False) if isinstance(value, str) else value


def _texts_escaped(node):
    """The figure's dicts with every text a reader sees escaped (_TEXT_KEYS), whatever a value put in it."""
    if isinstance(node, dict):
        return {
            key: [_plotly_text(item) for item in value]
            if key in _TEXT_KEYS and isinstance(value, list)
            else _plotly_text(value)
            if key in _TEXT_KEYS
            else _texts_escaped(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_texts_escaped(item) for item in node]
    return node


def _figure(data: list[dict], layout: dict, *, lang: str, title: str, height: int) -> go.Figure:
    """A figure from plain dicts, validated once, its texts escaped for plotly.

    Charts are written as dicts rather than built up with add_trace, update_layout, add_vline and
    make_subplots: each of those re-validates what the figure holds so far, which made the trend
    chart take 0.3 s; the same figure as one dict takes about 20 ms.
    """
    base = {
        "title": {"text": title, "x": 0, "xanchor": "left"},
        "template": _TEMPLATE,
        "separators": _SEPARATORS[lang],
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 90, "b": 50},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "xanchor": "left"},
        "font": {"size": 13},
    }
    return go.Figure(_texts_escaped({"data": data, "layout": {**base, **layout}}))


def _axis(row: int) -> str:
    """The suffix of a panel's axes: "" for the first, "2" for the second, ..."""
    return "" if row == 1 else str(row)


def _panels(titles: list[str], spacing: float) -> tuple[dict, list[dict]]:
    """Panels stacked in one column over a shared x axis, as make_subplots(shared_xaxes=True) lays
    them out: the layout's axes, and each panel's title as an annotation above it."""
    rows = max(len(titles), 1)
    height = (1 - spacing * (rows - 1)) / rows
    axes, annotations = {}, []
    for row in range(1, rows + 1):
        top = 1 - (row - 1) * (height + spacing)
        axes[f"xaxis{_axis(row)}"] = {"anchor": f"y{_axis(row)}", "domain": [0, 1]}
        if row < rows:  # tick labels only under the bottom panel, which the others follow
            axes[f"xaxis{_axis(row)}"] |= {"matches": f"x{_axis(rows)}", "showticklabels": False}
        axes[f"yaxis{_axis(row)}"] = {"anchor": f"x{_axis(row)}", "domain": [max(top - height, 0), top]}
        if row > len(titles):
            continue
        annotations.append(
            {
                "text": titles[row - 1],
                "x": 0,  # left, clear of the milestones' numbers at the panel's top
                "xanchor": "left",
                "xref": "paper",
                "y": top,
                "yanchor": "bottom",
                "yref": "paper",
                "showarrow": False,
                "font": {"size": 16},
            }
        )
    return axes, annotations


def _band(x0: float, x1: float, row: int) -> dict:
    """A shaded band over one panel: a year not published."""
    return {
        "type": "rect",
        "x0": x0,
        "x1": x1,
        "xref": f"x{_axis(row)}",
        "y0": 0,
        "y1": 1,
        "yref": f"y{_axis(row)} domain",
        "fillcolor": NOT_PUBLISHED_COLOUR,
        "opacity": 0.2,
        "line": {"width": 0},
    }


def _milestone_line(x: float, row: int) -> dict:
    """A dotted vertical line over one panel at a milestone's date."""
    return {
        "type": "line",
        "x0": x,
        "x1": x,
        "xref": f"x{_axis(row)}",
        "y0": 0,
        "y1": 1,
        "yref": f"y{_axis(row)} domain",
        "line": {"dash": "dot", "color": "#555555", "width": 1},
    }


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
    layout, annotations = _panels([t(f"measure.{measure}", lang) for measure in measures], spacing=0.08)
    data, shapes = [], []
    milestone_positions = [fmt.fractional_year(milestone.date) for milestone in milestones.itertuples()]
    years = sorted(set(yearly["year"]))
    for row, measure in enumerate(measures, start=1):
        axes = {"xaxis": f"x{_axis(row)}", "yaxis": f"y{_axis(row)}"}
        rows = yearly[yearly["measure"] == measure].sort_values("year")
        values = [None if fmt.is_missing(v) else float(v) for v in rows[value_column]]
        data.append(
            {
                "type": "scatter",
                "x": rows["year"].tolist(),
                "y": values,
                "mode": "lines+markers+text",
                "text": [_value_text(v, lang, decimals) for v in values],
                "textposition": "top center",
                "line": {"color": MEASURE_COLOURS[measure], "width": 3},
                "marker": {"size": 8},
                "name": t("trends.legend_published", lang),
                "legendgroup": "published",
                "showlegend": row == 1,
                "connectgaps": False,
                **axes,
            }
        )
        shapes += [
            _band(year - 0.5, year + 0.5, row)
            for year, value in zip(rows["year"], values, strict=True)
            if value is None
        ]
        shapes += [_milestone_line(position, row) for position in milestone_positions]
        shown_provisional = provisional[provisional["measure"] == measure]
        provisional_values = shown_provisional[value_column].astype(float).tolist()
        if provisional_values:
            data.append(
                {
                    "type": "scatter",
                    "x": shown_provisional["year"].tolist(),
                    "y": provisional_values,
                    "mode": "markers",
                    "marker": {
                        "symbol": "diamond-open",
                        "size": 13,
                        "color": MEASURE_COLOURS[measure],
                        "line": {"width": 2},
                    },
                    "name": t("trends.legend_provisional", lang),
                    "legendgroup": "provisional",
                    "showlegend": True,
                    **axes,
                }
            )
        peak = max([v for v in values if v is not None] + provisional_values, default=0)
        layout[f"yaxis{_axis(row)}"]["range"] = [0, peak * 1.3 or 1]  # room for the value labels
        layout[f"xaxis{_axis(row)}"] |= {"tickmode": "array", "tickvals": years, "ticktext": [str(y) for y in years]}
    data.append(  # a legend entry for the shaded not-published bands
        {
            "type": "scatter",
            "x": [None],
            "y": [None],
            "mode": "markers",
            "marker": {"symbol": "square", "size": 14, "color": NOT_PUBLISHED_COLOUR, "opacity": 0.4},
            "name": t("trends.legend_not_published", lang),
        }
    )
    for number, position in enumerate(milestone_positions, start=1):
        annotations.append(
            {
                "x": position,
                "y": 1,
                "xref": "x",
                "yref": "y domain",
                "text": str(number),
                "showarrow": False,
                "yanchor": "bottom",
                "font": {"size": 12, "color": "#333333"},
                "bgcolor": "#FFFFFF",
                "bordercolor": "#555555",
                "borderwidth": 1,
            }
        )
    layout |= {"shapes": shapes, "annotations": annotations}
    return _figure(data, layout, lang=lang, title=title, height=230 * len(measures) + 140)


def benchmark_figure(us_results: pd.DataFrame, malmo: dict | None, *, lang: str, title: str) -> go.Figure:
    """The US results as quoted beside Malmö's raw change (hatched, in another colour).

    `malmo` has `label` and `change_pct`; None or a missing change leaves Malmö's bar out.
    """
    labels = [
        t("benchmarks.us_bar", lang, city=row.city, outcome=row.quoted_outcome) for row in us_results.itertuples()
    ]
    us_changes = us_results["quoted_change_pct"].astype(float).tolist()
    changes = list(us_changes)  # the US cities' and Malmö's, for the axis range
    data = [
        {
            "type": "bar",
            "y": labels,
            "x": us_changes,
            "orientation": "h",
            "marker": {"color": US_COLOUR},
            "text": [fmt.percent(v, lang) for v in us_changes],
            "textposition": "outside",
            "name": t("benchmarks.legend_us", lang),
        }
    ]
    if malmo is not None and not fmt.is_missing(malmo["change_pct"]):
        changes.append(float(malmo["change_pct"]))
        data.append(
            {
                "type": "bar",
                "y": [malmo["label"]],
                "x": [changes[-1]],
                "orientation": "h",
                "marker": {"color": MALMO_COLOUR, "pattern": {"shape": "/", "fgcolor": "#000000"}},
                "text": [fmt.percent(changes[-1], lang)],
                "textposition": "outside",
                "name": t("benchmarks.legend_malmo", lang),
            }
        )
    zero_line = {"type": "line", "x0": 0, "x1": 0, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain"}
    layout = {
        "shapes": [zero_line | {"line": {"color": "#333333", "width": 1}}],
        "xaxis": {
            # room for the value labels written outside the bars' ends
            "range": [min(0.0, *changes) * 1.3 - 5, max(0.0, *changes) * 1.3 + 5],
            "title": {"text": t("benchmarks.axis_change", lang)},
            "ticksuffix": "\u00a0%" if lang == "sv" else "%",
        },
        "yaxis": {"autorange": "reversed", "automargin": True},
    }
    return _figure(data, layout, lang=lang, title=title, height=140 + 60 * (len(labels) + 1))


def funnel_figure(stages: pd.DataFrame, *, lang: str, title: str) -> go.Figure:
    """One round's published stages as a funnel, each with its count and share of the first stage."""
    stages = stages.sort_values("step")
    texts = []
    for row in stages.itertuples():
        text = fmt.count(row.count, lang, lower_bound=row.is_lower_bound)
        if not fmt.is_missing(row.share_of_first_step_pct) and row.step > 1:
            text += f" ({fmt.percent(row.share_of_first_step_pct, lang)})"
        texts.append(text)
    labels = [t(f"stage.{stage}", lang) for stage in stages["stage"]]
    return _funnel(labels, stages["count"].tolist(), texts, lang=lang, title=title)


def _funnel(labels: list[str], values: list, texts: list[str], *, lang: str, title: str) -> go.Figure:
    """A funnel; a missing value (hidden or unknown) is a bar of no width with its text beside it."""
    missing = [fmt.is_missing(value) for value in values]
    funnel = {
        "type": "funnel",
        "y": labels,
        "x": [0.0 if gap else float(value) for value, gap in zip(values, missing, strict=True)],
        "text": texts,
        "textinfo": "text",
        "textposition": ["outside" if gap else "auto" for gap in missing],
        "insidetextfont": {"color": "#000000"},  # 6.1 : 1 on the green; white would be 3.4 : 1
        "hovertemplate": "%{y}: %{text}<extra></extra>",
        "marker": {"color": FUNNEL_COLOUR},
        "connector": {"fillcolor": "#D9EFE8"},
    }
    layout = {"yaxis": {"automargin": True}}
    return _figure([funnel], layout, lang=lang, title=title, height=120 + 70 * len(labels))


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
    layout, annotations = _panels([t(f"incident_kind.{kind}", lang) for kind in kinds], spacing=0.1)
    data = []
    for row, kind in enumerate(kinds, start=1):
        rows = _break_gaps(periods[periods["kind"] == kind])
        partial = rows["is_partial"].fillna(False).astype(bool).tolist()
        counts = [None if fmt.is_missing(count) else int(count) for count in rows["count"]]
        data.append(
            {
                "type": "scatter",
                "x": rows["period_start"].tolist(),
                "y": counts,
                "customdata": rows["period"].tolist(),
                "mode": "lines+markers",
                "line": {"color": KIND_COLOURS[kind], "width": 2, "dash": KIND_DASHES[kind]},
                "marker": {"size": 6, "symbol": ["circle-open" if p else "circle" for p in partial]},
                "name": t(f"incident_kind.{kind}", lang),
                "showlegend": False,  # the panel's title names the kind
                "hovertemplate": "%{customdata}: %{y}<extra>" + t(f"incident_kind.{kind}", lang) + "</extra>",
                "xaxis": f"x{_axis(row)}",
                "yaxis": f"y{_axis(row)}",
            }
        )
        peak = max((count for count in counts if count is not None), default=0)
        # whole numbers only: a tick every 1 for small counts, plotly's own steps above
        layout[f"yaxis{_axis(row)}"] |= {
            "range": [0, max(peak, 1) * 1.15],
            "dtick": 1 if peak <= 5 else None,
            "title": {"text": t("trends.axis_count", lang)},
        }
    if periods["is_partial"].fillna(False).astype(bool).any():
        data.append(  # a legend entry for the open markers
            {
                "type": "scatter",
                "x": [None],
                "y": [None],
                "mode": "markers",
                "marker": {"symbol": "circle-open", "size": 9, "color": "#555555"},
                "name": t("trends.legend_partial", lang),
            }
        )
    layout["annotations"] = annotations
    return _figure(data, layout, lang=lang, title=title, height=200 * max(len(kinds), 1) + 140)

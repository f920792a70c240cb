"""Plotly figures from query results. Plain functions: no Streamlit, testable alone.

Colours are the Okabe-Ito palette, which stays distinguishable with colour-blindness.
Values that are not published leave a gap and a shaded band, never a point at zero.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from slutaskjut import fmt, markdown, privacy, sentences
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


def _value_text(value, lang: str, decimals: int, at_least: bool = False) -> str:
    return fmt.qualified(value, lang, decimals=decimals, at_least=at_least) or ""


def _gaps(values) -> list[float | None]:
    """Values for a chart's y: a missing one is None, a gap in the line, never 0."""
    return [None if fmt.is_missing(value) else float(value) for value in values]


def _panel_line(
    row: int, rows: pd.DataFrame, values: list, texts: list[str], *, colour: str, name: str, group: str, marker: dict
) -> dict:
    """A line over the years of one panel (its `row`), with a label over each point."""
    return {
        "type": "scatter",
        "x": rows["year"].tolist(),
        "y": values,
        "mode": "lines+markers+text",
        "text": texts,
        "textposition": "top center",
        "line": {"color": colour, "width": 3},
        "marker": marker,
        "name": name,
        "legendgroup": group,
        "showlegend": row == 1,
        "connectgaps": False,
        "xaxis": f"x{_axis(row)}",
        "yaxis": f"y{_axis(row)}",
    }


def _lower_bounds(rows: pd.DataFrame) -> list[bool]:
    """Per row, whether its figure is a lower bound ("at least 23"); rows without the flag are exact."""
    return [fmt.flagged(row) for row in rows.to_dict("records")]


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
        values = _gaps(rows[value_column])
        texts = [
            _value_text(v, lang, decimals, at_least) for v, at_least in zip(values, _lower_bounds(rows), strict=True)
        ]
        data.append(
            _panel_line(
                row,
                rows,
                values,
                texts,
                colour=MEASURE_COLOURS[measure],
                name=t("trends.legend_published", lang),
                group="published",
                marker={"size": 8},
            )
        )
        shapes += [
            _band(year - 0.5, year + 0.5, row)
            for year, value in zip(rows["year"], values, strict=True)
            if value is None
        ]
        shapes += [_milestone_line(position, row) for position in milestone_positions]
        shown_provisional = provisional[provisional["measure"] == measure]
        provisional_values = _gaps(shown_provisional[value_column])
        if provisional_values:
            data.append(
                {
                    "type": "scatter",
                    "x": shown_provisional["year"].tolist(),
                    "y": provisional_values,
                    # a lower bound is labelled "at least", so its point is never read as the count
                    "mode": "markers+text",
                    "text": [
                        _value_text(v, lang, decimals, at_least=True) if at_least else ""
                        for v, at_least in zip(provisional_values, _lower_bounds(shown_provisional), strict=True)
                    ],
                    "textposition": "bottom center",
                    "marker": {
                        "symbol": "diamond-open",
                        "size": 13,
                        "color": MEASURE_COLOURS[measure],
                        "line": {"width": 2},
                    },
                    "name": t("trends.legend_provisional", lang),
                    "legendgroup": "provisional",
                    "showlegend": not any(trace.get("legendgroup") == "provisional" for trace in data),  # once
                    **axes,
                }
            )
        peak = max((v for v in values + provisional_values if v is not None), default=0)
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


MALMO = "Malmö"  # the city of Malmö's series in shootings_index_by_city_and_year
# The US cities' lines, in the order they come: a colour and a dash each, so they part without colour too.
US_CITY_COLOURS = ("#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
US_CITY_DASHES = ("dash", "dot", "dashdot", "longdash", "longdashdot")


def city_series_legend(rows: pd.DataFrame, value_column: str, lang: str) -> str:
    """A city's legend entry: the city, what it counts and, for the index, its base year and why that year."""
    first = rows.iloc[0]
    values = {"city": first["city"], "unit": t(f"unit.{first['unit']}", lang)}
    if value_column == "index_value":
        before = first["base_year"] == first["programme_start_year"] - 1
        base = t(
            "benchmarks.base_before_programme" if before else "benchmarks.base_first_year",
            lang,
            year=first["programme_start_year"],
        )
        return t("benchmarks.legend_index_value", lang, base_year=first["base_year"], base=base, **values)
    with_rate = rows[rows["rate_per_100k"].notna()]
    if (with_rate["population_year"] == with_rate["year"]).all():
        population = t("benchmarks.population_same_year", lang)
    else:
        years = sorted(set(with_rate["population_year"]))
        population = t("benchmarks.population_of_year", lang, year=", ".join(str(year) for year in years))
    return t("benchmarks.legend_rate_per_100k", lang, population=population, **values)


def city_series_figure(series: pd.DataFrame, *, value_column: str, lang: str, title: str) -> go.Figure:
    """Malmö and the US cities year by year (shootings_index_by_city_and_year), as `value_column`:
    index_value (each city's base year = 100) or rate_per_100k.

    One line per city over its own years, Malmö in its own colour; a year without a figure is a gap,
    never 0. A city with no value at all (no sourced population, for the rate) is left out; the page
    says which. The legend names what each city counts.
    """
    data, us_cities, peak = [], 0, 0.0
    for city, rows in series.groupby("city", sort=False):
        if rows[value_column].isna().all():
            continue
        years = range(int(rows["year"].min()), int(rows["year"].max()) + 1)
        by_year = rows.set_index("year")[value_column].reindex(years)  # a missing year becomes a gap
        values = _gaps(by_year)
        peak = max([peak, *(value for value in values if value is not None)])
        is_malmo = city == MALMO
        colour = MALMO_COLOUR if is_malmo else US_CITY_COLOURS[us_cities % len(US_CITY_COLOURS)]
        dash = "solid" if is_malmo else US_CITY_DASHES[us_cities % len(US_CITY_DASHES)]
        us_cities += 0 if is_malmo else 1
        data.append(
            {
                "type": "scatter",
                "x": list(years),
                "y": values,
                "mode": "lines+markers",
                "line": {"color": colour, "width": 3, "dash": dash},
                "marker": {"size": 7, "color": colour},
                "name": city_series_legend(rows, value_column, lang),
                "connectgaps": False,
            }
        )
    all_years = sorted(set(series["year"]))
    layout = {
        "xaxis": {"tickmode": "array", "tickvals": all_years, "ticktext": [str(year) for year in all_years]},
        "yaxis": {"range": [0, peak * 1.15 or 1], "title": {"text": t(f"benchmarks.axis_{value_column}", lang)}},
        "legend": {"orientation": "h", "y": -0.12, "yanchor": "top", "x": 0, "xanchor": "left"},
        "margin": {"l": 60, "r": 20, "t": 70, "b": 60},
    }
    if value_column == "index_value":  # the base years' level
        layout["shapes"] = [
            {
                "type": "line",
                "x0": 0,
                "x1": 1,
                "xref": "paper",
                "y0": 100,
                "y1": 100,
                "yref": "y",
                "line": {"color": "#555555", "width": 1, "dash": "dot"},
            }
        ]
    return _figure(data, layout, lang=lang, title=title, height=420 + 30 * len(data))


def funnel_figure(stages: pd.DataFrame, *, lang: str, title: str) -> go.Figure:
    """One round's published stages as a funnel, each with its count and share of the first stage."""
    stages = stages.sort_values("step")
    texts = []
    for row in stages.itertuples():
        text = sentences.stage_count(row, lang)
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


# Sweden as a whole, whose sources disagree ----------------------------------------------------

SWEDEN_COLOUR, SPREAD_COLOUR = "#56B4E9", "#555555"


def _sources_spread(rows: pd.DataFrame, column: str) -> tuple[list, list]:
    """A vertical line from the lowest to the highest source in each year where sources differ,
    as one trace's x and y (None between the years' lines)."""
    xs, ys = [], []
    for year, values in rows.groupby("year")[column]:
        values = values.dropna().astype(float)
        if values.nunique() > 1:
            xs += [year, year, None]
            ys += [values.min(), values.max(), None]
    return xs, ys


def _sources_panels(
    frame: pd.DataFrame, column: str, *, years: list[int], lang: str, dots: dict
) -> tuple[list[dict], dict, list[str]]:
    """One panel per measure of `frame`, over `years`: a dot per source (`dots`: the dots' colour, legend and
    axis settings) and the line of their spread. Returns the traces, the layout and the measures drawn."""
    measures = [measure for measure in MEASURES if frame.loc[frame["measure"] == measure, column].notna().any()]
    layout, annotations = _panels([t(f"measure.{measure}", lang) for measure in measures], spacing=0.1)
    data = []
    for row, measure in enumerate(measures, start=1):
        axes = {"xaxis": f"x{_axis(row)}", "yaxis": f"y{_axis(row)}"}
        rows = frame[(frame["measure"] == measure) & frame[column].notna()]
        spread_x, spread_y = _sources_spread(rows, column)
        data.append(
            {
                "type": "scatter",
                "x": spread_x,
                "y": spread_y,
                "mode": "lines",
                "line": {"color": SPREAD_COLOUR, "width": 2},
                "name": t("trends.legend_sources_range", lang),
                "legendgroup": "spread",
                "showlegend": row == 1,
                "hoverinfo": "skip",
                **axes,
            }
        )
        values = rows[column].astype(float).tolist()
        data.append(
            {
                "type": "scatter",
                "x": rows["year"].tolist(),
                "y": values,
                "mode": "markers",
                "marker": {"color": dots["colour"], "size": 9, "opacity": 0.8},
                "name": dots["name"],
                "legendgroup": "sources",
                "showlegend": row == 1,
                **axes,
            }
        )
        layout[f"yaxis{_axis(row)}"] |= {"range": [0, max(values) * 1.15 or 1], **dots.get("axis", {})}
        layout[f"xaxis{_axis(row)}"] |= {"tickmode": "array", "tickvals": years, "ticktext": [str(y) for y in years]}
    layout["annotations"] = annotations
    return data, layout, measures


def sweden_figure(sweden: pd.DataFrame, malmo: pd.DataFrame, *, value_column: str, lang: str, title: str) -> go.Figure:
    """Sweden as a whole by year (sweden_by_year), one panel per measure: a dot per source's figure and a
    line from the lowest to the highest where sources differ, so that no source is chosen.

    With `value_column` rate_per_100k, Malmö's rate (its headline figures, incidents_by_year) is drawn
    beside Sweden's; as counts the two are not put on one axis (their share has a chart of its own).
    A year without a figure is a gap, never 0.
    """
    with_malmo = value_column == "rate_per_100k"
    years = sorted(set(sweden["year"]) | (set(malmo["year"]) if with_malmo else set()))
    dots = {"colour": SWEDEN_COLOUR, "name": t("trends.legend_sweden", lang)}
    data, layout, measures = _sources_panels(sweden, value_column, years=years, lang=lang, dots=dots)
    for row, measure in enumerate(measures if with_malmo else [], start=1):
        rows = malmo[malmo["measure"] == measure].sort_values("year")
        values = _gaps(rows[value_column])
        texts = [  # a lower bound is labelled "at least"
            _value_text(value, lang, 1, at_least=True) if at_least else ""
            for value, at_least in zip(values, _lower_bounds(rows), strict=True)
        ]
        data.append(
            _panel_line(
                row,
                rows,
                values,
                texts,
                colour=MALMO_COLOUR,
                name=t("trends.legend_malmo", lang),
                group="malmo",
                marker={"size": 7, "color": MALMO_COLOUR},
            )
        )
        axis = layout[f"yaxis{_axis(row)}"]
        axis["range"] = [0, max([axis["range"][1], *(value * 1.15 for value in values if value is not None)])]
    return _figure(data, layout, lang=lang, title=title, height=200 * max(len(measures), 1) + 140)


def share_figure(shares: pd.DataFrame, *, lang: str, title: str) -> go.Figure:
    """Malmö's share of Sweden as a whole (malmo_share_of_sweden), one panel per measure: a dot per national
    source and a line from the lowest to the highest share where sources differ."""
    dots = {
        "colour": MALMO_COLOUR,
        "name": t("trends.legend_share", lang),
        "axis": {"ticksuffix": "\u00a0%" if lang == "sv" else "%", "title": {"text": t("trends.axis_share", lang)}},
    }
    data, layout, measures = _sources_panels(
        shares, "share_pct", years=sorted(set(shares["year"])), lang=lang, dots=dots
    )
    return _figure(data, layout, lang=lang, title=title, height=200 * max(len(measures), 1) + 140)

"""Plotly figures from query results. Plain functions: no Streamlit, testable alone.

Colours are the Okabe-Ito palette, which stays distinguishable with colour-blindness.
Values that are not published leave a gap and a shaded band, never a point at zero.

A chart is drawn as wide as the page's column, from a phone's 358 pixels to a desktop's 820, so every
layout holds at both: the title is wrapped to fit the narrower, the legend sits below the plot (a legend
placed against the page, not the plot, takes the room it needs there however many rows it wraps to), long
labels are wrapped, and a year axis labels no more years than fit.

Yearly figures are drawn on a time axis: a year's figure sits in the middle of its year (1 July), under
the year's label, and faint lines mark where the years begin. A milestone sits at its date: February
2018 just after the start of 2018, before 2018's point, never on 2017's side. A provisional figure for
part of a year sits at the date it runs to.

A chart's image (images.py) is landscape: `landscape` lays a figure's panels out two to a row, and the
lines the image adds beneath the chart (milestones named, caveats, measures without figures) travel in the
figure's layout.meta["notes"], so an image needs nothing but the figure and its source and date lines.
"""

from __future__ import annotations

import html
import math
import textwrap

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
_YEAR_BOUND_COLOUR = "#C8D1DE"  # where a year begins: a milestone's side of it shows its year
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
    "data": {"bar": [{"type": "bar", "marker": {"pattern": {"fillmode": "overlay", "size": 10, "solidity": 0.2}}}]},
}


# The keys under which a figure holds text a reader sees (titles, annotations, trace names, value labels, the
# periods its hover labels quote); plotly renders them as a subset of HTML (<a href>, <b>, <br>).
_TEXT_KEYS = frozenset({"text", "name", "ticktext", "customdata"})


# Sizes in pixels, and in characters where plotly cannot wrap a text itself.
_TITLE_SIZE, _TITLE_LINE = 16, 21
_TITLE_PAD = 8  # above the title and between it and what follows
TITLE_CHARS = 40  # a title's line that fits a phone's 358 pixels
LABEL_CHARS = 40  # a legend entry's or a bar label's line, at 12 or 13 pixels, beside its symbol
_PANEL_TITLE = 26  # the room above a panel for its title
_PANEL_GAP = 60  # between two panels, one above the other: the lower one's title and some air
_MILESTONE_ROW = 22  # a row of milestone numbers above the panels
_MILESTONES_APART = 300  # days: two milestones closer than this get a row each, so their numbers never overlap
_MAX_YEAR_LABELS = 8  # year labels that fit under a phone's plot (about 300 pixels) without turning


def wrap(text: str, width: int) -> str:
    """A text broken at spaces into lines of at most `width` characters (a longer word keeps a line of its own),
    joined by newlines, which the figure draws as line breaks."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def _plotly_text(value):
    """A text as plotly shows it: what the Markdown text (i18n.t) shows, with HTML's special characters escaped
    and its lines (wrap) broken."""
    if not isinstance(value, str):
        return value
    return html.escape(markdown.plain(value), quote=False).replace("\n", "<br>")


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


def _title_height(title: str) -> int:
    """The pixels a wrapped title takes above the plot."""
    return 2 * _TITLE_PAD + _TITLE_LINE * (title.count("\n") + 1)


def _title_layout(title: str, chars: int, above_plot: int) -> dict:
    """The layout's title, wrapped to `chars` a line (not yet escaped: _plotly_text), with `above_plot` pixels
    (panel titles, milestones) between it and the plot. Plotly widens the top margin to hold them (automargin),
    however many lines."""
    return {
        "text": wrap(title, chars),
        "x": 0,
        "xref": "container",
        "xanchor": "left",
        "y": 1,
        "yref": "paper",
        "yanchor": "bottom",
        "pad": {"b": above_plot + _TITLE_PAD, "l": 4},
        "automargin": True,
        "font": {"size": _TITLE_SIZE},
    }


# A legend below the plot, at the figure's left edge: placed against the figure (container), it reserves
# the room its rows take at the bottom, so it never covers the title, the plot or the axis labels.
_LEGEND = {
    "orientation": "h",
    "xref": "container",
    "x": 0,
    "xanchor": "left",
    "yref": "container",
    "y": 0,
    "yanchor": "bottom",
    "font": {"size": 12},
}


def _figure(
    data: list[dict],
    layout: dict,
    *,
    lang: str,
    title: str,
    height: int,
    above_plot: int = 0,
    meta: dict | None = None,
) -> go.Figure:
    """A figure from plain dicts, its texts escaped for plotly, not validated on a page run.

    `height` is the plot's with what lies below it (axis labels, legend); the title, wrapped for a phone,
    and the `above_plot` pixels under it (panel titles, milestones) are added above. `meta` is what an
    image of the chart needs (`landscape`, images.py): "notes", lines it adds beneath the chart.

    Charts are written as dicts rather than built up with add_trace, update_layout, add_vline and
    make_subplots: each of those re-validates what the figure holds so far, which made the trend
    chart take 0.3 s. Validating even the one dict took 15 ms of the trend chart's 50 on every run, for
    dicts this module writes: the tests validate every chart the pages draw (test_pages.py) instead.
    """
    escaped = _texts_escaped(
        {"data": data, "layout": {"title": _title_layout(title, TITLE_CHARS, above_plot), **layout}}
    )
    base = {
        "template": _TEMPLATE,
        "separators": _SEPARATORS[lang],
        "height": height + _title_height(wrap(title, TITLE_CHARS)) + above_plot,
        "legend": _LEGEND,
        "font": {"size": 13},
        "meta": {"title": title, "above_plot": above_plot, "notes": [], **(meta or {})},
    }
    # the title and the axes' labels widen the margins they need (automargin)
    margin = {"l": 10, "r": 16, "t": _TITLE_PAD, "b": 10, **escaped["layout"].pop("margin", {})}
    # no empty lists (of shapes, annotations) in the spec the browser gets, as validating left them out
    layout = {key: value for key, value in escaped["layout"].items() if value != []}
    spec = {"data": escaped["data"], "layout": base | layout | {"margin": margin}}
    return go.Figure(spec, _validate=False)  # plotly's own switch (BaseFigure), not in its documented signature


def _axis(row: int) -> str:
    """The suffix of a panel's axes: "" for the first, "2" for the second, ..."""
    return "" if row == 1 else str(row)


def _panel_domains(count: int, columns: int, row_gap: float, column_gap: float) -> list[tuple[list, list]]:
    """Each panel's x and y domains (fractions of the plot), row by row, `columns` to a row."""
    rows = max(math.ceil(count / columns), 1)
    height = (1 - row_gap * (rows - 1)) / rows
    width = (1 - column_gap * (columns - 1)) / columns
    domains = []
    for index in range(count):
        row, column = divmod(index, columns)
        top = 1 - row * (height + row_gap)
        left = column * (width + column_gap)
        domains.append(([left, left + width], [max(top - height, 0), top]))
    return domains


def _panel_axes(count: int, columns: int, plot_height: int) -> tuple[dict, list[dict]]:
    """The axes of `count` panels over one shared x axis, `columns` to a row, in a plot `plot_height`
    pixels high, and where each panel's title goes (x, y in the plot's fractions)."""
    rows = max(math.ceil(count / columns), 1)
    row_gap = _PANEL_GAP / plot_height if rows > 1 else 0
    axes, corners = {}, []
    for index, (x_domain, y_domain) in enumerate(_panel_domains(count, columns, row_gap, 0.08), start=1):
        axes[f"xaxis{_axis(index)}"] = {"anchor": f"y{_axis(index)}", "domain": x_domain}
        if index != count:  # every panel follows the last one's x axis
            axes[f"xaxis{_axis(index)}"]["matches"] = f"x{_axis(count)}"
        # tick labels only under the lowest panel of each column
        axes[f"xaxis{_axis(index)}"]["showticklabels"] = index + columns > count
        axes[f"yaxis{_axis(index)}"] = {"anchor": f"x{_axis(index)}", "domain": y_domain}
        corners.append((x_domain[0], y_domain[1]))
    return axes, corners


def _panel_title(text: str, corner: tuple[float, float]) -> dict:
    """A panel's title, above the panel at its left."""
    return {
        "name": "panel_title",
        "text": text,
        "x": corner[0],
        "xanchor": "left",
        "xref": "paper",
        "y": corner[1],
        "yanchor": "bottom",
        "yref": "paper",
        "showarrow": False,
        "font": {"size": 15},
    }


def _panels(titles: list[str], panel_height: int) -> tuple[dict, list[dict], int]:
    """Panels stacked in one column over a shared x axis, each `panel_height` pixels high with its title
    above it: the layout's axes, the titles as annotations, and the plot's height."""
    plot_height = len(titles) * panel_height + (len(titles) - 1) * _PANEL_GAP
    axes, corners = _panel_axes(len(titles), 1, plot_height)
    return axes, [_panel_title(title, corner) for title, corner in zip(titles, corners, strict=True)], plot_height


def _band(x0, x1, row: int) -> dict:
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


def _milestone_line(x, row: int) -> dict:
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


def _milestone_rows(dates: list[str]) -> list[int]:
    """The row of each milestone's number above the panels: the lowest whose last number is far enough
    before it (_MILESTONES_APART), so that two numbers never overlap."""
    last_in_row: list[pd.Timestamp] = []
    rows = []
    for date in map(pd.Timestamp, dates):
        row = next((n for n, last in enumerate(last_in_row) if (date - last).days >= _MILESTONES_APART), None)
        if row is None:
            row = len(last_in_row)
            last_in_row.append(date)
        last_in_row[row] = date
        rows.append(row)
    return rows


def _milestone_numbers(dates: list[str], top_panels: list[int]) -> list[dict]:
    """The milestones' numbers at their dates above each of the top panels, clear of the panels' titles."""
    numbers = []
    for number, (date, row) in enumerate(zip(dates, _milestone_rows(dates), strict=True), start=1):
        numbers += [
            {
                "name": "milestone",
                "x": date,
                "xref": f"x{_axis(panel)}",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "yshift": _PANEL_TITLE + row * _MILESTONE_ROW,
                "text": str(number),
                "showarrow": False,
                "font": {"size": 12, "color": "#333333"},
                "bgcolor": "#FFFFFF",
                "bordercolor": "#555555",
                "borderwidth": 1,
            }
            for panel in top_panels
        ]
    return numbers


def _milestones_height(dates: list[str]) -> int:
    """The pixels the milestones' numbers take above the panels' titles."""
    return _MILESTONE_ROW * (max(_milestone_rows(dates), default=-1) + 1)


_IMAGE_CHAR = 10  # pixels of a title's character in an image, a generous average
_AXIS_LABELS, _AXIS_TITLE = 30, 24  # pixels under a plot for the x axis's labels, and for its title
_LEGEND_ROW, _LEGEND_LINE, _LEGEND_CHAR = 10, 16, 7  # pixels: a legend row's padding, line and character


def _legend_height(figure: go.Figure, width: int) -> int:
    """The pixels the figure's legend takes below a plot `width` pixels wide: its entries side by side,
    wrapped into rows as plotly wraps them (0 when there is no legend)."""
    names = [trace.name for trace in figure.data if trace.name and trace.showlegend is not False]
    if not names or figure.layout.showlegend is False or (figure.layout.showlegend is None and len(figure.data) < 2):
        return 0
    height, used, row_lines = 0, 0, 0
    for name in names:
        lines = html.unescape(name).split("<br>")
        entry = 50 + _LEGEND_CHAR * max(len(line) for line in lines)
        if used and used + entry > width:
            height += _LEGEND_ROW + _LEGEND_LINE * row_lines
            used, row_lines = 0, 0
        used += entry
        row_lines = max(row_lines, len(lines))
    return height + _LEGEND_ROW + _LEGEND_LINE * row_lines


def landscape(figure: go.Figure, title: str, *, width: int, height: int, reserved: int) -> tuple[go.Figure, int]:
    """A copy of the figure laid out as an image `width` by `height` pixels with `reserved` pixels free at its
    bottom (for the image's own lines), and how far below the plot they begin.

    The title (the figure's own, else `title`) is wrapped to the width; panels (meta "panels") stand two to
    a row, the milestones' numbers above the top row; the legend lies under the axis labels.
    """
    copy = go.Figure(figure)
    meta = copy.layout.meta or {}
    own_title = meta.get("title") or html.unescape((copy.layout.title.text or "").replace("<br>", " "))
    heading = _title_layout(own_title or title, width // _IMAGE_CHAR, meta.get("above_plot", 0))
    layout = copy.layout.to_plotly_json()
    x_axes = [name for name in layout if name.startswith("xaxis")]
    axis_labels = _AXIS_LABELS + (
        _AXIS_TITLE if any(layout[name].get("title", {}).get("text") for name in x_axes) else 0
    )
    below_plot = axis_labels + _legend_height(copy, width)
    top = _title_height(heading["text"]) + meta.get("above_plot", 0)
    plot_height = max(height - top - below_plot - reserved, 100)  # a plot, however long the lines beneath
    count = meta.get("panels", 0)
    if count > 2:
        axes, corners = _panel_axes(count, 2, plot_height)
        copy.update_layout(axes)
        titles = [annotation for annotation in copy.layout.annotations if annotation.name == "panel_title"]
        for annotation, corner in zip(titles, corners, strict=True):
            annotation.update(x=corner[0], y=corner[1])
        others = [a for a in copy.layout.annotations if a.name not in ("panel_title", "milestone")]
        copy.layout.annotations = [*titles, *others, *_milestone_numbers(meta.get("milestones", []), [1, 2])]
    copy.update_layout(
        width=width,
        height=height,
        title=heading | {"text": _plotly_text(heading["text"])},
        margin={"b": below_plot + reserved},
        # under the axis labels, in the plot's fractions: the image's own lines take the figure's bottom
        legend={"xref": "paper", "yref": "paper", "y": -axis_labels / plot_height, "yanchor": "top"},
    )
    return copy, below_plot


def _year_axis(years: list[int]) -> dict:
    """A date axis over whole years, a year's figure in its middle: a label under each year's point, or under
    every other year's (or fewer) when more than fit a phone, always the last; the years' bounds as faint lines."""
    first, last = min(years), max(years)
    step = math.ceil((last - first + 1) / _MAX_YEAR_LABELS)
    labelled = list(range(last, first - 1, -step))[::-1]
    return {
        "type": "date",
        "range": [_year_start(first), _year_start(last + 1)],
        "tickmode": "array",
        "tickvals": [_mid_year(year) for year in labelled],
        "ticktext": [str(year) for year in labelled],
        "showgrid": False,
        "minor": {
            "tickmode": "array",
            "tickvals": [_year_start(year) for year in range(first + 1, last + 1)],
            "showgrid": True,
            "gridcolor": _YEAR_BOUND_COLOUR,
            "ticks": "outside",
            "ticklen": 6,
            "tickcolor": _YEAR_BOUND_COLOUR,
        },
    }


def _mid_year(year: int) -> str:
    """Where a year's figure sits on a date axis: the middle of the year."""
    return f"{int(year)}-07-01"


def _year_start(year: int) -> str:
    return f"{int(year)}-01-01"


def _value_text(value, lang: str, decimals: int, at_least: bool = False) -> str:
    return fmt.qualified(value, lang, decimals=decimals, at_least=at_least) or ""


def _gaps(values) -> list[float | None]:
    """Values for a chart's y: a missing one is None, a gap in the line, never 0."""
    return [None if fmt.is_missing(value) else float(value) for value in values]


def _hover(labels, texts) -> dict:
    """A trace's hover label: each point's label and figure as the language writes them ("2018: 47")."""
    return {
        "customdata": [f"{label}: {text}" if text else "" for label, text in zip(labels, texts, strict=True)],
        "hovertemplate": "%{customdata}<extra></extra>",
    }


def _lower_bounds(rows: pd.DataFrame) -> list[bool]:
    """Per row, whether its figure is a lower bound ("at least 23"); rows without the flag are exact.
    (The column as a list: a dict per row took 4 ms a call on small frames.)"""
    if "is_lower_bound" not in rows:
        return [False] * len(rows)
    return [not fmt.is_missing(flag) and bool(flag) for flag in rows["is_lower_bound"].tolist()]


def _by_measure(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The frame's rows of each measure, split once (a filter per measure costs about 1 ms each)."""
    return dict(tuple(frame.groupby("measure", sort=False)))


def _panel_line(
    row: int,
    rows: pd.DataFrame,
    values: list,
    texts: list[str],
    *,
    colour: str,
    name: str,
    group: str,
    marker: dict,
    hover_texts: list[str] | None = None,
) -> dict:
    """A line over the years of one panel (its `row`) on a date axis, with a label over each point; the hover
    label gives `hover_texts`, by default the labels."""
    years = rows["year"].tolist()
    return {
        "type": "scatter",
        "x": [_mid_year(year) for year in years],
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
        **_hover(years, texts if hover_texts is None else hover_texts),
    }


def _legend_entry(name: str, marker: dict) -> dict:
    """A legend entry of its own, for what a chart draws as shapes or in several traces."""
    return {"type": "scatter", "x": [None], "y": [None], "mode": "markers", "marker": marker, "name": name}


def _measures_list(measures: list[str], lang: str) -> str:
    return markdown.join(", ", [t(f"measure_lower.{measure}", lang) for measure in measures])


def trend_figure(
    yearly: pd.DataFrame,
    provisional: pd.DataFrame,
    milestones: pd.DataFrame,
    *,
    value_column: str,
    lang: str,
    title: str,
) -> go.Figure:
    """One panel per measure with a figure in the years, on a time axis; milestones (their `date`, `when`
    and `label` in the language) as numbered dotted lines at their dates, named in the chart's image.

    A measure without any figure in the years draws no panel; the image says which (the page's description
    does too). A provisional figure, for part of a year, is an open diamond at the date it runs to (as_of),
    apart from the middle of the year, where the year's full-year figure sits.
    """

    yearly_by_measure, provisional_by_measure = _by_measure(yearly.sort_values("year")), _by_measure(provisional)
    none = yearly.iloc[:0]

    def has_figure(by_measure: dict[str, pd.DataFrame], measure: str) -> bool:
        return measure in by_measure and bool(by_measure[measure][value_column].notna().any())

    measures = [m for m in MEASURES if has_figure(yearly_by_measure, m) or has_figure(provisional_by_measure, m)]
    without = [m for m in MEASURES if m in yearly_by_measure and m not in measures]
    decimals = 1 if value_column == "rate_per_100k" else 0
    years = sorted(set(yearly["year"]) | set(provisional["year"]))
    notes = []
    if len(milestones):
        key = markdown.join(
            "; ",
            [
                t("chart.milestone", lang, number=number, label=label, when=when)
                for number, (label, when) in enumerate(
                    zip(milestones["label"].tolist(), milestones["when"].tolist(), strict=True), start=1
                )
            ],
        )
        notes.append(t("chart.milestones", lang, milestones=key))
    if without:
        notes.append(
            t(
                "chart.no_figures",
                lang,
                measures=_measures_list(without, lang),
                years=fmt.year_range(years[0], years[-1]),
            )
        )
    dates = [pd.Timestamp(date).strftime("%Y-%m-%d") for date in milestones["date"].tolist()]
    meta = {"notes": notes, "panels": len(measures), "milestones": dates}
    if not measures:
        return _nothing_published(without, years, lang=lang, title=title, meta=meta)
    layout, annotations, plot_height = _panels([t(f"measure.{m}", lang) for m in measures], panel_height=170)
    data, shapes = [], []
    for row, measure in enumerate(measures, start=1):
        axes = {"xaxis": f"x{_axis(row)}", "yaxis": f"y{_axis(row)}"}
        rows = yearly_by_measure.get(measure, none)
        values = _gaps(rows[value_column].tolist())
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
            _band(_year_start(year), _year_start(year + 1), row)
            for year, value in zip(rows["year"], values, strict=True)
            if value is None
        ]
        shapes += [_milestone_line(date, row) for date in dates]
        shown_provisional = provisional_by_measure.get(measure, provisional.iloc[:0])
        provisional_values = _gaps(shown_provisional[value_column].tolist())
        if provisional_values:
            provisional_lower_bounds = _lower_bounds(shown_provisional)
            provisional_texts = [
                _value_text(v, lang, decimals, at_least)
                for v, at_least in zip(provisional_values, provisional_lower_bounds, strict=True)
            ]
            as_of = shown_provisional["as_of"].tolist()
            data.append(
                {
                    "type": "scatter",
                    "x": [pd.Timestamp(date).strftime("%Y-%m-%d") for date in as_of],
                    "y": provisional_values,
                    # a lower bound is labelled "at least", so its point is never read as the count
                    "mode": "markers+text",
                    "text": [
                        text if at_least else ""
                        for text, at_least in zip(provisional_texts, provisional_lower_bounds, strict=True)
                    ],
                    "textposition": "bottom center",
                    "marker": {
                        "symbol": "diamond-open",
                        "size": 12,
                        "color": MEASURE_COLOURS[measure],
                        "line": {"width": 2},
                    },
                    "name": t("trends.legend_provisional", lang),
                    "legendgroup": "provisional",
                    "showlegend": not any(trace.get("legendgroup") == "provisional" for trace in data),  # once
                    **_hover(
                        [
                            t("chart.up_to", lang, year=year, date=fmt.date(date, lang))
                            for year, date in zip(shown_provisional["year"].tolist(), as_of, strict=True)
                        ],
                        provisional_texts,
                    ),
                    **axes,
                }
            )
        peak = max((v for v in values + provisional_values if v is not None), default=0)
        layout[f"yaxis{_axis(row)}"]["range"] = [0, peak * 1.3 or 1]  # room for the value labels
        layout[f"xaxis{_axis(row)}"] |= _year_axis(years)
    if any(shape["type"] == "rect" for shape in shapes):
        data.append(
            _legend_entry(
                t("trends.legend_not_published", lang),
                {"symbol": "square", "size": 14, "color": NOT_PUBLISHED_COLOUR, "opacity": 0.4},
            )
        )
    above_plot = _PANEL_TITLE + _milestones_height(dates)
    layout |= {"shapes": shapes, "annotations": annotations + _milestone_numbers(dates, [1])}
    return _figure(data, layout, lang=lang, title=title, height=plot_height + 90, above_plot=above_plot, meta=meta)


def _nothing_published(measures: list[str], years: list[int], *, lang: str, title: str, meta: dict) -> go.Figure:
    """A figure that says no measure has a figure in the years, instead of empty panels."""
    text = t(
        "chart.no_figures", lang, measures=_measures_list(measures, lang), years=fmt.year_range(years[0], years[-1])
    )
    layout = {
        "xaxis": {"visible": False},
        "yaxis": {"visible": False},
        "annotations": [_note_in_place(wrap(text, LABEL_CHARS))],
    }
    return _figure([], layout, lang=lang, title=title, height=120, meta=meta | {"notes": []})


def _note_in_place(text: str, **font) -> dict:
    """A line of text where a chart's lines would be: a figure with nothing to draw says why in words."""
    note = {"text": text, "x": 0, "xanchor": "left", "xref": "paper", "y": 0.5, "yref": "paper", "showarrow": False}
    return note | ({"font": font} if font else {})


_BAR_ROW = 34  # pixels per bar, with its label's lines above it at _BAR_LABEL_LINE each
_BAR_LABEL_LINE = 17


def _percent_axis(low: float, high: float, lang: str) -> dict:
    """An axis of changes in per cent from `low` to `high`: at most six labels, a rise with its plus sign."""
    steps = [base * 10**power for power in range(4) for base in (1, 2, 2.5, 5)]
    step = next((step for step in steps if (high - low) / step <= 5), steps[-1])
    ticks = [step * n for n in range(math.ceil(low / step), math.floor(high / step) + 1)]
    return {
        "range": [low, high],
        "tickmode": "array",
        "tickvals": ticks,
        "ticktext": [fmt.percent(tick, lang, signed=True) for tick in ticks],
    }


def benchmark_figure(us_results: pd.DataFrame, malmo: dict | None, *, lang: str, title: str) -> go.Figure:
    """The US results as quoted beside Malmö's raw change (hatched, in another colour).

    `us_results` has its texts in the language (i18n.in_language); `malmo` has `label` and `change_pct`;
    None or a missing change leaves Malmö's bar out. Each bar's label is written above it, wrapped, so
    that the bars keep the chart's width on a phone. The image carries the caveat, the page's and each
    study's own (meta "notes").
    """
    labels = [
        t("benchmarks.us_bar", lang, city=row.city, outcome=row.quoted_outcome) for row in us_results.itertuples()
    ]
    changes = us_results["quoted_change_pct"].astype(float).tolist()
    bars = [("us", label, change) for label, change in zip(labels, changes, strict=True)]
    if malmo is not None and not fmt.is_missing(malmo["change_pct"]):
        bars.append(("malmo", malmo["label"], float(malmo["change_pct"])))
    colours = {
        "us": {"color": US_COLOUR},
        "malmo": {"color": MALMO_COLOUR, "pattern": {"shape": "/", "fgcolor": "#000000"}},
    }
    names = {"us": t("benchmarks.legend_us", lang), "malmo": t("benchmarks.legend_malmo", lang)}
    data = []
    for kind in ("us", "malmo"):
        positions = [n for n, bar in enumerate(bars) if bar[0] == kind]
        if not positions:
            continue
        texts = [fmt.percent(bars[n][2], lang, signed=True) for n in positions]
        data.append(
            {
                "type": "bar",
                "y": positions,
                "x": [bars[n][2] for n in positions],
                "orientation": "h",
                "width": 0.45,
                "marker": colours[kind],
                "text": texts,
                "textposition": "outside",
                "cliponaxis": False,
                "name": names[kind],
                **_hover([bars[n][1] for n in positions], texts),
            }
        )
    wrapped = [wrap(label, LABEL_CHARS) for _, label, _ in bars]
    label_lines = max((label.count("\n") + 1 for label in wrapped), default=1)
    row_height = _BAR_ROW + _BAR_LABEL_LINE * label_lines
    label_room = (_BAR_LABEL_LINE * label_lines + 6) / row_height  # of a row, above its bar
    everything = [0.0, *(change for _, _, change in bars)]
    zero_line = {"type": "line", "x0": 0, "x1": 0, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain"}
    layout = {
        "shapes": [zero_line | {"line": {"color": "#333333", "width": 1}}],
        "annotations": [
            {
                "text": label,
                "x": 0,
                "xref": "paper",
                "xanchor": "left",
                "y": n - 0.25,
                "yref": "y",
                "yanchor": "bottom",
                "align": "left",
                "showarrow": False,
                "font": {"size": 12},
            }
            for n, label in enumerate(wrapped)
        ],
        # room for the value labels written outside the bars' ends
        "xaxis": _percent_axis(min(everything) * 1.3 - 5, max(everything) * 1.3 + 5, lang)
        | {"title": {"text": t("benchmarks.axis_change", lang)}, "fixedrange": True},
        # the first bar at the top, with its label's lines above it
        "yaxis": {
            "range": [len(bars) - 0.5, -0.25 - label_room - 0.05],
            "visible": False,
            "fixedrange": True,
        },
        "bargap": 0,
    }
    notes = [t("benchmarks.caveat", lang)] + [
        t("chart.study_caveat", lang, city=row.city, caveat=row.caveat)
        for row in us_results.itertuples()
        if not fmt.is_missing(row.caveat)
    ]
    return _figure(data, layout, lang=lang, title=title, height=row_height * len(bars) + 110, meta={"notes": notes})


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
    says which. The legend, below the plot, names what each city counts; the image carries the caveat.
    """
    decimals = 1 if value_column == "rate_per_100k" else 0
    data, us_cities, peak = [], 0, 0.0
    for city, rows in series.groupby("city", sort=False):
        if rows[value_column].isna().all():
            continue
        years = list(range(int(rows["year"].min()), int(rows["year"].max()) + 1))
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
                "x": [_mid_year(year) for year in years],
                "y": values,
                "mode": "lines+markers",
                "line": {"color": colour, "width": 3, "dash": dash},
                "marker": {"size": 7, "color": colour},
                "name": wrap(city_series_legend(rows, value_column, lang), LABEL_CHARS),
                "connectgaps": False,
                **_hover([f"{city} {year}" for year in years], [_value_text(v, lang, decimals) for v in values]),
            }
        )
    layout = {
        "xaxis": _year_axis(sorted(set(series["year"]))) if len(series) else {},
        "yaxis": {"range": [0, peak * 1.15 or 1], "title": {"text": t(f"benchmarks.axis_{value_column}", lang)}},
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
    legend_lines = sum(trace["name"].count("\n") + 1 for trace in data)
    meta = {"notes": [t("benchmarks.series_caveat", lang)]}
    return _figure(data, layout, lang=lang, title=title, height=340 + 20 * legend_lines, meta=meta)


_STAGE_CHARS = 20  # a funnel stage's label's line: the labels sit beside the bars, which need the width


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
    wrapped = [_plotly_text(wrap(label, _STAGE_CHARS)) for label in labels]  # an axis's labels are not escaped
    funnel = {
        "type": "funnel",
        "y": wrapped,
        "x": [0.0 if gap else float(value) for value, gap in zip(values, missing, strict=True)],
        "text": texts,
        "textinfo": "text",
        "textposition": ["outside" if gap else "auto" for gap in missing],
        "insidetextfont": {"color": "#000000"},  # 6.1 : 1 on the green; white would be 3.4 : 1
        "cliponaxis": False,
        **_hover(labels, texts),
        "marker": {"color": FUNNEL_COLOUR},
        "connector": {"fillcolor": "#D9EFE8"},
    }
    lines = sum(label.count("<br>") + 1 for label in wrapped)
    layout = {"yaxis": {"automargin": True}, "showlegend": False, "margin": {"r": 60}}
    return _figure([funnel], layout, lang=lang, title=title, height=40 + 40 * len(labels) + 16 * lines)


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


def _break_gaps(rows: list[dict]) -> list[dict]:
    """The periods of one kind in order, with an empty row (no count) where periods are missing between two."""
    records, previous_end = [], None
    for row in sorted(rows, key=lambda row: row["period_start"]):
        start = pd.Timestamp(row["period_start"])
        if previous_end is not None and start > previous_end + pd.Timedelta(days=1):
            gap_start = previous_end + pd.Timedelta(days=1)
            records.append({"period_start": gap_start, "period": None, "count": None, "is_partial": False})
        records.append(row)
        previous_end = pd.Timestamp(row["period_end"])
    return records


def period_figure(periods: pd.DataFrame, *, lang: str, title: str) -> go.Figure:
    """Incidents of the extract per month or quarter (incidents_by_period), one panel per kind.

    Suspected shootings get a panel, a lighter colour and a dashed line of their own, apart
    from the confirmed shootings. A period without incidents is a point at 0; periods outside
    the extract, or in a gap between its sources, are not in the frame and so not drawn: the
    line breaks over a gap rather than join its ends. A period the extract covers only in part
    (is_partial) has an open marker.
    """
    by_kind: dict[str, list[dict]] = {}
    for record in periods.to_dict("records"):  # one conversion: a filter per kind costs more than all the rows
        by_kind.setdefault(record["kind"], []).append(record)
    kinds = [kind for kind in INCIDENT_KINDS if kind in by_kind]
    layout, annotations, plot_height = _panels([t(f"incident_kind.{kind}", lang) for kind in kinds], panel_height=150)
    data = []
    for row, kind in enumerate(kinds, start=1):
        rows = _break_gaps(by_kind[kind])
        partial = [fmt.flagged(record, "is_partial") for record in rows]
        counts = [None if fmt.is_missing(record["count"]) else int(record["count"]) for record in rows]
        data.append(
            {
                "type": "scatter",
                "x": [record["period_start"] for record in rows],
                "y": counts,
                "customdata": [record["period"] for record in rows],
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
            "title": {"text": t("trends.axis_count", lang)},
        } | ({"dtick": 1} if peak <= 5 else {})
        # plotly's own date labels, which name months in English, only as numbers: 2020 or 2020-04
        layout[f"xaxis{_axis(row)}"] |= {
            "tickformatstops": [
                {"dtickrange": [None, "M6"], "value": "%Y-%m"},
                {"dtickrange": ["M12", None], "value": "%Y"},
            ]
        }
    if periods["is_partial"].fillna(False).astype(bool).any():
        data.append(  # a legend entry for the open markers
            _legend_entry(t("trends.legend_partial", lang), {"symbol": "circle-open", "size": 9, "color": "#555555"})
        )
    layout["annotations"] = annotations
    meta = {"panels": len(kinds)}
    return _figure(data, layout, lang=lang, title=title, height=plot_height + 70, above_plot=_PANEL_TITLE, meta=meta)


# Sweden as a whole, whose sources disagree ----------------------------------------------------

SWEDEN_COLOUR, SPREAD_COLOUR = "#56B4E9", "#555555"


def _sources_spread(rows: pd.DataFrame, column: str) -> tuple[list, list]:
    """A vertical line from the lowest to the highest source in each year where sources differ,
    as one trace's x and y (None between the years' lines)."""
    by_year: dict[int, list[float]] = {}
    for year, value in zip(rows["year"].tolist(), rows[column].tolist(), strict=True):
        if not fmt.is_missing(value):
            by_year.setdefault(year, []).append(float(value))
    xs, ys = [], []
    for year in sorted(by_year):
        if len(set(by_year[year])) > 1:
            xs += [_mid_year(year), _mid_year(year), None]
            ys += [min(by_year[year]), max(by_year[year]), None]
    return xs, ys


def _sources_panels(
    frame: pd.DataFrame, column: str, *, years: list[int], lang: str, dots: dict
) -> tuple[list[dict], dict, list[str], int]:
    """One panel per measure of `frame` with a figure, over `years`: a dot per source (`dots`: the dots'
    colour, legend, decimals and axis settings) and the line of their spread. Returns the traces, the
    layout, the measures drawn and the plot's height."""
    by_measure = _by_measure(frame[frame[column].notna()])
    measures = [measure for measure in MEASURES if measure in by_measure]
    layout, annotations, plot_height = _panels([t(f"measure.{m}", lang) for m in measures], panel_height=150)
    data = []
    for row, measure in enumerate(measures, start=1):
        axes = {"xaxis": f"x{_axis(row)}", "yaxis": f"y{_axis(row)}"}
        rows = by_measure[measure]
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
        texts = [dots["format"](value) for value in values]
        data.append(
            {
                "type": "scatter",
                "x": [_mid_year(year) for year in rows["year"]],
                "y": values,
                "mode": "markers",
                "marker": {"color": dots["colour"], "size": 9, "opacity": 0.8},
                "name": dots["name"],
                "legendgroup": "sources",
                "showlegend": row == 1,
                **_hover(rows["year"].tolist(), texts),
                **axes,
            }
        )
        layout[f"yaxis{_axis(row)}"] |= {"range": [0, max(values) * 1.15 or 1], **dots.get("axis", {})}
        layout[f"xaxis{_axis(row)}"] |= _year_axis(years)
    layout["annotations"] = annotations
    return data, layout, measures, plot_height


def sweden_figure(sweden: pd.DataFrame, malmo: pd.DataFrame, *, value_column: str, lang: str, title: str) -> go.Figure:
    """Sweden as a whole by year (sweden_by_year), one panel per measure: a dot per source's figure and a
    line from the lowest to the highest where sources differ, so that no source is chosen.

    With `value_column` rate_per_100k, Malmö's rate (its headline figures, incidents_by_year) is drawn
    beside Sweden's; as counts the two are not put on one axis (their share has a chart of its own).
    A year without a figure is a gap, never 0.
    """
    with_malmo = value_column == "rate_per_100k"
    decimals = 1 if with_malmo else 0
    years = sorted(set(sweden["year"]) | (set(malmo["year"]) if with_malmo else set()))
    dots = {
        "colour": SWEDEN_COLOUR,
        "name": t("trends.legend_sweden", lang),
        "format": lambda value: _value_text(value, lang, decimals),
    }
    data, layout, measures, plot_height = _sources_panels(sweden, value_column, years=years, lang=lang, dots=dots)
    malmo_by_measure = _by_measure(malmo.sort_values("year")) if with_malmo else {}
    for row, measure in enumerate(measures if with_malmo else [], start=1):
        rows = malmo_by_measure.get(measure, malmo.iloc[:0])
        values = _gaps(rows[value_column].tolist())
        lower_bounds = _lower_bounds(rows)
        texts = [_value_text(value, lang, 1, at_least) for value, at_least in zip(values, lower_bounds, strict=True)]
        # a lower bound is labelled "at least" on the chart; the hover label gives every figure
        data.append(
            _panel_line(
                row,
                rows,
                values,
                [text if at_least else "" for text, at_least in zip(texts, lower_bounds, strict=True)],
                colour=MALMO_COLOUR,
                name=t("trends.legend_malmo", lang),
                group="malmo",
                marker={"size": 7, "color": MALMO_COLOUR},
                hover_texts=texts,
            )
        )
        axis = layout[f"yaxis{_axis(row)}"]
        axis["range"] = [0, max([axis["range"][1], *(value * 1.15 for value in values if value is not None)])]
    meta = {"panels": len(measures)}
    return _figure(data, layout, lang=lang, title=title, height=plot_height + 80, above_plot=_PANEL_TITLE, meta=meta)


def share_figure(shares: pd.DataFrame, *, lang: str, title: str) -> go.Figure:
    """Malmö's share of Sweden as a whole (malmo_share_of_sweden), one panel per measure: a dot per national
    source and a line from the lowest to the highest share where sources differ."""
    dots = {
        "colour": MALMO_COLOUR,
        "name": t("trends.legend_share", lang),
        "format": lambda value: fmt.percent(value, lang, decimals=1),
        "axis": {"ticksuffix": "\u00a0%" if lang == "sv" else "%", "title": {"text": t("trends.axis_share", lang)}},
    }
    data, layout, measures, plot_height = _sources_panels(
        shares, "share_pct", years=sorted(set(shares["year"])), lang=lang, dots=dots
    )
    meta = {"panels": len(measures)}
    return _figure(data, layout, lang=lang, title=title, height=plot_height + 80, above_plot=_PANEL_TITLE, meta=meta)


# Small trend charts for the overview ----------------------------------------------------------

SPARKLINE_HEIGHT = 120  # pixels


def sparkline_figure(yearly: pd.DataFrame, measure: str, lang: str, title: str) -> go.Figure:
    """A small trend chart of one measure's counts over the years of `yearly` (incidents_by_year's rows).

    No axes but the first and the last year, and one label: the latest figure. A year without a figure,
    in the rows as not published or missing from them, is a gap in the line and a shaded band, never 0.
    Hovering a point gives its year and figure as the language writes them. A measure without any figure
    says so in words.
    """
    years = list(range(int(yearly["year"].min()), int(yearly["year"].max()) + 1)) if len(yearly) else []
    by_year = {}  # a year's count and whether it is a lower bound, from its first row of the measure
    columns = (yearly[column].tolist() for column in ("year", "measure", "count"))
    for year, row_measure, count, at_least in zip(*columns, _lower_bounds(yearly), strict=True):
        if row_measure == measure:
            by_year.setdefault(year, (count, at_least))
    values = _gaps(by_year.get(year, (None, False))[0] for year in years)  # a year without a row is a gap
    lower_bounds = [by_year.get(year, (None, False))[1] for year in years]
    texts = [_value_text(value, lang, 0, at_least) for value, at_least in zip(values, lower_bounds, strict=True)]
    published = [index for index, value in enumerate(values) if value is not None]
    layout = {
        "title": _title_layout(title, TITLE_CHARS, 0) | {"font": {"size": 14}, "pad": {"b": 4}},
        "height": SPARKLINE_HEIGHT,
        "showlegend": False,
        "xaxis": {"visible": False},
        "yaxis": {"visible": False, "range": [0, 1], "fixedrange": True},
        "margin": {"l": 8, "r": 8, "t": 4, "b": 22},
    }
    if not published:
        layout["annotations"] = [_note_in_place(t("common.not_published", lang), size=13, color="#555555")]
        return _figure([], layout, lang=lang, title=title, height=SPARKLINE_HEIGHT)
    colour, latest = MEASURE_COLOURS[measure], published[-1]
    dates = [_mid_year(year) for year in years]
    data = [
        {
            "type": "scatter",
            "x": dates,
            "y": values,
            "mode": "lines+markers",
            "line": {"color": colour, "width": 2},
            "marker": {"size": 4, "color": colour},
            "connectgaps": False,
            **_hover(years, texts),
        },
        {  # the latest figure, labelled
            "type": "scatter",
            "x": [dates[latest]],
            "y": [values[latest]],
            "mode": "markers+text",
            "marker": {"size": 7, "color": colour},
            "text": [texts[latest]],
            "textposition": "top center",
            "textfont": {"size": 12, "color": _TEXT_COLOUR},
            "cliponaxis": False,
            "hoverinfo": "skip",
        },
    ]
    ends = years[:1] + years[-1:] if len(years) > 1 else years
    layout["xaxis"] = _year_axis(years) | {
        "tickvals": [_mid_year(year) for year in ends],
        "ticktext": [str(year) for year in ends],
        "minor": {"showgrid": False, "ticks": ""},
        "tickfont": {"size": 11},
        "fixedrange": True,
    }
    layout["yaxis"]["range"] = [0, max(v for v in values if v is not None) * 1.45]  # room for the label
    layout["shapes"] = [
        _band(_year_start(year), _year_start(year + 1), 1)
        for year, value in zip(years, values, strict=True)
        if value is None
    ]
    # room beside the label when the latest figure is at an end of the line
    label_room = 8 + 4 * len(texts[latest])
    layout["margin"] |= {"l": label_room if latest == 0 else 8, "r": label_room if latest == len(years) - 1 else 8}
    return _figure(data, layout, lang=lang, title=title, height=SPARKLINE_HEIGHT)

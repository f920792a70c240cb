"""The shared widgets: a table with its CSV download, an expander drawn only once opened (a table under it), and
a chart with its description and images.

Streamlit's and plotly's own toolbars are not offered (plotly's modebar is off here, the dataframe's
toolbar is hidden by style.css): they speak English, and plotly's images lack the source line. The
CSV, PNG and SVG buttons here take their place.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from slutaskjut import images, markdown, tables
from slutaskjut.i18n import t


def table(frame: pd.DataFrame, columns: list[str], name: str, lang: str, sources: pd.DataFrame | None) -> None:
    """A table in the reader's language, with a CSV download of the same rows.

    `sources` holds the rows of the `sources` query for the table's source ids: the table names each by its
    publisher and date (tables.on_screen). The CSV is made when the button is clicked (its data is a callable),
    not on every run.
    """
    shown = tables.on_screen(frame, columns, lang, sources)
    st.dataframe(shown.frame, hide_index=True, column_config=shown.column_config, row_height=shown.row_height)
    st.download_button(
        t("common.download_csv", lang),
        functools.partial(tables.csv_bytes, frame, columns, lang),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"download_{name}",
        on_click="ignore",
    )


def plot(figure: go.Figure, key: str, description: str) -> None:
    """A plotly figure as every chart of the dashboard is drawn: `description` as its alt text, no toolbar."""
    st.plotly_chart(
        figure,
        key=key,
        alt=markdown.plain(description),
        # the chart's own colours (charts.py), as in its images: Streamlit's theme greys the axis labels
        # to a contrast of 3.7 on white, under the 4.5 WCAG asks for
        theme=None,
        config={"displayModeBar": False, "displaylogo": False},
    )


def folded(label: str, key: str, draw: Callable[[], None]) -> None:
    """An expander headed `label`, whose content `draw` draws only while the reader has it open.

    Streamlit runs what is in a closed expander on every run of the page; a table's texts took a fifth of
    the Trends page's run. Opening it runs the page once more (`on_change="rerun"`), and it stays open, by
    `key`, as the reader changes the view.
    """
    with st.expander(label, key=key, on_change="rerun") as expander:
        if expander.open:
            draw()


def chart(
    figure: go.Figure,
    description: str,
    name: str,
    lang: str,
    lines: tuple[str, str],
) -> None:
    """A chart, its one-line description, and PNG and SVG downloads (its table goes beneath: frame.Page.chart).

    The images carry the chart's title and `lines`, its source line and date line
    (provenance.chart_lines). They are rendered only when a button is clicked: the button's data
    is a callable (images.py).
    """
    plot(figure, f"chart_{name}", description)
    st.caption(description)
    source_line, date_line = lines
    # Without chromium a click fails ("Failed to generate file"): the tooltip says why.
    missing = None if images.available() else images.NO_BROWSER
    with st.container(horizontal=True):
        for kind, scale in (("png", 2), ("svg", 1)):
            st.download_button(
                t(f"image.{kind}", lang),
                functools.partial(images.chart_image, figure, kind, description, source_line, date_line, scale=scale),
                file_name=f"{name}.{kind}",
                mime=images.MIME_TYPES[kind],
                key=f"download_{name}_{kind}",
                on_click="ignore",
                icon=":material/image:",
                help=missing,
            )

"""Charts as PNG and SVG files, with their title, sources and date. Plain functions: no Streamlit.

An image is landscape (16:9), for an article: the chart is laid out for it (charts.landscape, panels two
to a row) and the lines beneath it name what the chart alone does not: its notes (the figure's
layout.meta["notes"]: the milestones, caveats, measures without figures), then its sources and date.

Rendered by plotly's kaleido on Debian's chromium (`apt-get install chromium`), never on a
downloaded browser: the browser is BROWSER_PATH, else /usr/bin/chromium, else `chromium` on the
PATH. One browser is started on the first image and kept for the next ones (about 3 s for the
first image, 0.3 to 0.5 s for each after it). It loads nothing from the internet: plotly.js
comes from the plotly package and MathJax is off.
"""

from __future__ import annotations

import asyncio
import atexit
import html
import os
import shutil
import threading
from pathlib import Path

import plotly.graph_objects as go

from slutaskjut import charts, markdown

DEBIAN_CHROMIUM = "/usr/bin/chromium"
NO_BROWSER = "Chart images need Debian's chromium: apt-get install chromium"
MIME_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
# Pixels, landscape at 16:9; the page draws charts as wide as its column, a file needs a size of its own.
WIDTH, HEIGHT = 1200, 675
_NOTE_FONT_SIZE = 12
_NOTE_LINE_HEIGHT = 17  # pixels per line of the note at _NOTE_FONT_SIZE
_NOTE_CHAR_WIDTH = 7  # pixels, a generous average, so a wrapped line fits the width
_NOTE_LEFT = 20  # pixels from the image's left edge to the lines beneath the chart
_TIMEOUT = 60  # seconds for the browser to start or to render one image


class NoBrowserError(RuntimeError):
    """There is no chromium to render chart images with."""


def browser_path() -> str:
    """The chromium to render with: BROWSER_PATH, else Debian's, else `chromium` on the PATH.

    Sets BROWSER_PATH when it was not set, so kaleido never looks for (or offers) a download.
    """
    path = os.environ.get("BROWSER_PATH")
    if path:
        if not Path(path).is_file():
            raise NoBrowserError(f"{NO_BROWSER} (BROWSER_PATH={path!r} is not a file)")
        return path
    found = DEBIAN_CHROMIUM if Path(DEBIAN_CHROMIUM).is_file() else shutil.which("chromium")
    if found is None:
        raise NoBrowserError(NO_BROWSER)
    os.environ["BROWSER_PATH"] = found
    return found


def available() -> bool:
    """Whether there is a chromium to render with (nothing is started)."""
    try:
        browser_path()
    except NoBrowserError:
        return False
    return True


class _Renderer:
    """One kaleido (one chromium) kept running, with an event loop in a thread of its own.

    Callers in any thread (Streamlit runs a download's callable in a thread) take turns. A
    failed render closes the browser, so the next image starts a fresh one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido = None

    def render(self, figure: dict, opts: dict) -> bytes:
        with self._lock:
            if self._kaleido is None:
                self._start()
            try:
                return self._run(self._kaleido.calc_fig(figure, opts=opts))
            except Exception:
                self._stop()
                raise

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(_TIMEOUT)

    def _start(self) -> None:
        path = browser_path()
        import kaleido  # imported here: a page run that renders nothing never loads it
        from choreographer.errors import ChromeNotFoundError

        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="chart-images", daemon=True)
        self._thread.start()

        async def open_browser():
            browser = kaleido.Kaleido(path=path, mathjax=False, timeout=_TIMEOUT)
            await browser.open()
            return browser

        try:
            self._kaleido = self._run(open_browser())
        except ChromeNotFoundError as error:
            self._stop()
            raise NoBrowserError(f"{NO_BROWSER} ({error})") from error
        except Exception:
            self._stop()
            raise

    def _stop(self) -> None:
        if self._loop is None:
            return
        try:
            if self._kaleido is not None:
                self._run(self._kaleido.close())
        except Exception:  # noqa: BLE001 - a browser that is already gone needs no closing
            pass
        finally:
            self._kaleido = None
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(_TIMEOUT)
            self._loop.close()
            self._loop = self._thread = None


_renderer = _Renderer()
atexit.register(_renderer.close)


def close() -> None:
    """Close the browser kept for images (it also closes when Python exits)."""
    _renderer.close()


def with_note(
    figure: go.Figure, title: str, source_line: str, date_line: str, width: int = WIDTH, height: int = HEIGHT
) -> go.Figure:
    """A copy of the figure as a landscape image `width` by `height` pixels (charts.landscape), with its
    title (`title` when it has none) and, beneath the chart, its notes and the source and date lines."""
    notes = (figure.layout.meta or {}).get("notes", [])
    right = 80 if figure.layout.margin.r is None else figure.layout.margin.r
    block = width - right - _NOTE_LEFT  # the lines' box, from near the image's left edge to the plot's right
    lines = [
        wrapped
        for line in (*notes, source_line, date_line)
        if line
        for wrapped in charts.wrap(markdown.plain(line), max(20, (block - 10) // _NOTE_CHAR_WIDTH)).split("\n")
    ]
    note_height = _NOTE_LINE_HEIGHT * len(lines) + 10
    copy, below_plot = charts.landscape(figure, title, width=width, height=height, reserved=note_height)
    # Placed from the plot's right edge, which stays put, while labels on the left may widen the left
    # margin (automargin) by an amount not known before the browser draws them.
    copy.add_annotation(
        text="<br>".join(html.escape(line) for line in lines),
        xref="paper",
        yref="paper",
        x=1,
        y=0,
        xanchor="right",
        yanchor="top",
        yshift=-below_plot,  # below the axis labels and the legend
        width=block,
        align="left",
        showarrow=False,
        font={"size": _NOTE_FONT_SIZE, "color": "#333333"},
    )
    return copy


def chart_image(
    figure: go.Figure,
    fmt: str,
    title: str,
    source_line: str,
    date_line: str,
    *,
    width: int = WIDTH,
    height: int = HEIGHT,
    scale: float = 1,
) -> bytes:
    """The figure as a landscape PNG or SVG image, with its title, notes, source line and date line; the figure
    is not changed. A PNG is `width` x `height` times `scale` pixels. Raises NoBrowserError when there is no
    chromium."""
    if fmt not in MIME_TYPES:
        raise ValueError(f"chart images are {' or '.join(MIME_TYPES)}, not {fmt!r}")
    noted = with_note(figure, title, source_line, date_line, width, height)
    opts = {"format": fmt, "width": width, "height": height, "scale": scale}
    return _renderer.render(noted.to_dict(), opts)

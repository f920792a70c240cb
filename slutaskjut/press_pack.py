"""The press pack: one ZIP with the key figures as sentences, every table, the main charts and the sources.

A plain function, no Streamlit: the Press page hands it the frames it shows and calls it only
when the pack is downloaded, since the charts are rendered then (images.py). Its files, in this
order:

    README.md                 what is in the pack, the date the data runs to, every source
    key-figures-sv.md         the key figures as sentences in Swedish, each with source and date
    key-figures-en.md         the same in English
    <workbook>.xlsx           every table, one sheet each, the sources among them
    tables/<name>.csv         every table as CSV, as the page's CSV downloads
    charts/<name>.png         the main charts, with title, sources and date
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from slutaskjut import exports, fmt, images, markdown
from slutaskjut.i18n import t
from slutaskjut.schema import LANGUAGES

_SENTENCE_COLUMNS = {"sv": "swedish", "en": "english"}


@dataclass(frozen=True)
class Table:
    file_name: str  # the CSV's name, as the page's CSV download
    sheet: str  # the table's name in the reader's language: its sheet in the workbook
    frame: pd.DataFrame  # the rows as downloaded (tables.for_download)


@dataclass(frozen=True)
class Chart:
    file_name: str  # the PNG's name
    figure: go.Figure
    title: str
    source_line: str
    date_line: str


def sentences_markdown(sentences: pd.DataFrame, lang: str, years: str, runs_to) -> str:
    """The key figures as Markdown in one language, by topic, each with its source and date.

    `sentences` is sentences.press_sentences(..., lang=lang): its topic, source and date are in
    that language, and it has the sentence in both.
    """
    lines = [f"# {t('press_pack.key_figures', lang, years=years)}", ""]
    if not fmt.is_missing(runs_to):
        lines += [t("press_pack.runs_to", lang, date=fmt.date(runs_to, lang)), ""]
    for topic, rows in sentences.groupby("topic", sort=False):
        lines += [f"## {markdown.escape(topic)}", ""]
        for row in rows.itertuples():
            source = t("press_pack.sentence_source", lang, source=row.source, date=row.source_date)
            lines.append(f"- {markdown.escape(getattr(row, _SENTENCE_COLUMNS[lang]))} {source}")
        lines.append("")
    return "\n".join(lines)


def _source_line(source, lang: str) -> str:
    published = fmt.date(source.date_published, lang)
    accessed = fmt.date(source.date_accessed, lang)
    date = t("press_pack.source_published", lang, date=published) if published else None
    date = date or t("sentence.undated", lang, accessed=accessed)
    line = t("footer.source", lang, publisher=source.publisher, title=source.title, details=date)
    if not fmt.is_missing(source.url):
        line += " " + markdown.link(source.url)
    return f"- {line}"


def readme(*, lang: str, years: str, files: list[tuple[str, str]], sources: pd.DataFrame, runs_to) -> str:
    """The pack's README.md in the reader's language: its files, the date the data runs to, the sources."""
    lines = [f"# {t('press_pack.title', lang, years=years)}", "", t("press_pack.intro", lang), ""]
    if not fmt.is_missing(runs_to):
        lines += [t("press_pack.runs_to", lang, date=fmt.date(runs_to, lang)), ""]
    lines += [f"## {t('press_pack.contents', lang)}", ""]
    lines += [f"- `{name}`: {what}" for name, what in files]
    lines += ["", f"## {t('press_pack.sources', lang)}", ""]
    lines += [_source_line(source, lang) for source in sources.itertuples()]
    return "\n".join(lines) + "\n"


def build(
    *,
    lang: str,
    years: str,
    sentences: dict[str, pd.DataFrame],
    tables: list[Table],
    workbook_name: str,
    charts: list[Chart],
    sources: pd.DataFrame,
    runs_to,
) -> bytes:
    """The press pack as ZIP bytes, its files in a fixed order (see the module's description).

    `sentences` maps each language to sentences.press_sentences(..., lang=that language);
    `sources` is the sources query for every source behind the pack; `runs_to` the date the
    data runs to (None when unknown). Rendering the charts needs chromium (images.py).
    """
    files: list[tuple[str, bytes, str]] = []  # name, contents, what it is (for the README)
    for language in LANGUAGES:
        files.append(
            (
                f"key-figures-{language}.md",
                sentences_markdown(sentences[language], language, years, runs_to).encode(),
                t("press_pack.file_sentences", lang, language=t(f"press_pack.language_{language}", lang)),
            )
        )
    workbook = exports.excel_bytes({table.sheet: table.frame for table in tables})
    files.append((workbook_name, workbook, t("press_pack.file_workbook", lang)))
    for table in tables:
        files.append(
            (
                f"tables/{table.file_name}",
                exports.csv_bytes(table.frame),
                t("press_pack.file_table", lang, table=table.sheet),
            )
        )
    for chart in charts:
        image = images.chart_image(chart.figure, "png", chart.title, chart.source_line, chart.date_line, scale=2)
        files.append((f"charts/{chart.file_name}", image, t("press_pack.file_chart", lang, title=chart.title)))

    text = readme(
        lang=lang, years=years, files=[(name, what) for name, _, what in files], sources=sources, runs_to=runs_to
    )
    stamp = _zip_time(runs_to)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        for name, contents in [("README.md", text.encode()), *((name, contents) for name, contents, _ in files)]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            pack.writestr(info, contents)
    return buffer.getvalue()


def _zip_time(runs_to) -> tuple[int, int, int, int, int, int]:
    """The files' time in the ZIP: the day the data runs to, so the same data gives the same times."""
    if fmt.is_missing(runs_to):
        return (1980, 1, 1, 0, 0, 0)
    day = pd.Timestamp(runs_to).date() if not isinstance(runs_to, dt.date) else runs_to
    return (max(day.year, 1980), day.month, day.day, 0, 0, 0)

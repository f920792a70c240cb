"""Plain-language text made from query results: chart descriptions, summaries, press lines.

Every figure in a sentence comes from the frame it is given; the wording comes from
texts.toml, so each sentence exists in Swedish and English.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
from types import SimpleNamespace

import pandas as pd

from slutaskjut import fmt, maps, markdown, privacy, tables
from slutaskjut.extract_schema import FOLLOW_UPS, INCIDENT_KINDS
from slutaskjut.i18n import t
from slutaskjut.schema import LANGUAGES, MEASURES


def records(frame: pd.DataFrame, columns) -> list[SimpleNamespace]:
    """The rows of a small frame (tables.rows: a column read at a time), each with `columns` as attributes
    (those the frame lacks left out), as the sentences read rows."""
    return [SimpleNamespace(**row) for row in tables.rows(frame, columns)]


def year_spans(years) -> str:
    """[2021, 2022, 2024] -> '2021–2022, 2024'."""
    spans: list[list[int]] = []
    for year in sorted(years):
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(fmt.year_range(first, last) for first, last in spans)


def describe_trend(yearly: pd.DataFrame, value_column: str, lang: str) -> str:
    """One line per chart: first and last published value of each measure, and gaps."""
    decimals = 1 if value_column == "rate_per_100k" else 0
    # each measure's rows in year order (sorted is stable): filtering the frame once per measure cost more
    by_measure: dict[str, list[SimpleNamespace]] = {}
    rows = records(yearly, ["year", "measure", value_column, "is_lower_bound"])
    for row in sorted(rows, key=lambda row: row.year):
        by_measure.setdefault(row.measure, []).append(row)
    parts = []
    for measure in MEASURES:
        rows = by_measure.get(measure)
        if not rows:
            continue
        label = t(f"measure.{measure}", lang)
        published = [row for row in rows if not fmt.is_missing(getattr(row, value_column))]
        missing = [row.year for row in rows if fmt.is_missing(getattr(row, value_column))]
        if not published:
            parts.append(t("trends.describe_none", lang, measure=label))
            continue
        first, last = published[0], published[-1]
        values = {
            "measure": label,
            "first": fmt.qualified(getattr(first, value_column), lang, decimals=decimals, at_least=fmt.flagged(first)),
            "first_year": first.year,
            "last": fmt.qualified(getattr(last, value_column), lang, decimals=decimals, at_least=fmt.flagged(last)),
            "last_year": last.year,
        }
        text = t("trends.describe_measure" if len(published) > 1 else "trends.describe_measure_one", lang, **values)
        if missing:
            text += f" ({t('trends.describe_missing', lang, years=year_spans(missing))})"
        parts.append(text)
    return "; ".join(parts) + "."


def describe_benchmarks(
    us_results: pd.DataFrame, malmo_change, measure: str, base_year: int, year: int, lang: str
) -> str:
    us = markdown.join(
        ", ",
        (
            t("benchmarks.describe_us", lang, city=row.city, pct=fmt.percent(row.quoted_change_pct, lang))
            for row in records(us_results, ["city", "quoted_change_pct"])
        ),
    )
    label = t(f"measure_lower.{measure}", lang)
    if fmt.is_missing(malmo_change):
        return f"{us}. " + t("benchmarks.malmo_missing", lang, measure=label, base_year=base_year, year=year)
    return t(
        "benchmarks.describe",
        lang,
        us=us,
        malmo=fmt.percent(malmo_change, lang),
        measure=label,
        base_year=base_year,
        year=year,
    )


def describe_city_series(series: pd.DataFrame, value_column: str, lang: str) -> str:
    """The city series chart in one line: each city's first and last value, what it counts, missing years."""
    by_city: dict[str, list[SimpleNamespace]] = {}  # in the order of each city's first row
    for row in records(series, ["city", "year", "unit", value_column]):
        by_city.setdefault(row.city, []).append(row)
    parts = []
    for city, rows in by_city.items():
        shown = [row for row in rows if not fmt.is_missing(getattr(row, value_column))]
        if not shown:
            continue
        first, last = shown[0], shown[-1]
        values = {
            "city": city,
            "unit": t(f"unit.{first.unit}", lang),
            "first": fmt.number(getattr(first, value_column), lang, 1),
            "first_year": first.year,
            "last": fmt.number(getattr(last, value_column), lang, 1),
            "last_year": last.year,
        }
        text = t("benchmarks.describe_city" if len(shown) > 1 else "benchmarks.describe_city_one", lang, **values)
        missing = set(range(first.year, last.year + 1)) - {row.year for row in shown}
        if missing:  # both catalogue texts, their values escaped already
            text = markdown.Markdown(f"{text} ({t('benchmarks.describe_missing', lang, years=year_spans(missing))})")
        parts.append(text)
    scale = t(f"benchmarks.scale_{value_column}", lang)
    if not parts:
        return t("benchmarks.describe_series_none", lang, scale=scale)
    return t("benchmarks.describe_series", lang, scale=scale, cities=markdown.join("; ", parts))


def source_comparison_summary(comparison: pd.DataFrame, lang: str) -> str:
    """How many of the other sources' figures differ from those shown, and in which cities and years."""
    if comparison.empty:
        return t("benchmarks.comparison_none", lang)
    total = fmt.count(len(comparison), lang)
    differs = [
        row
        for row in records(comparison, ["city", "year", "other_minus_shown"])
        if fmt.is_missing(row.other_minus_shown) or row.other_minus_shown != 0  # no figure shown: differs too
    ]
    if not differs:
        return t("benchmarks.comparison_same", lang, total=total)
    years_by_city: dict[str, set] = {}
    for row in differs:
        years_by_city.setdefault(row.city, set()).add(row.year)
    where = markdown.join(
        "; ",
        (
            t("benchmarks.comparison_where", lang, city=city, years=year_spans(years))
            for city, years in sorted(years_by_city.items())
        ),
    )
    return t("benchmarks.comparison_summary", lang, differs=fmt.count(len(differs), lang), total=total, where=where)


def stage_count(row, lang: str) -> str:
    """A published stage's count as published: "just over 100" is "at least 100", "omkring 250" is "about 250"."""
    return fmt.qualified(row.count, lang, at_least=fmt.flagged(row), about=fmt.flagged(row, "is_approximate"))


# What a published stage's sentence reads of its row (stage_count reads count and the flags).
_STAGE_COLUMNS = ["step", "stage", "count", "is_lower_bound", "is_approximate", "share_of_first_step_pct"]


def describe_funnel(stages: pd.DataFrame, lang: str) -> str:
    """A round's funnel in one line: each stage's count and share of the first, in step order."""
    # the round's name: label_sv or label_en, or label in a frame in one language already (i18n.in_language)
    label = next(column for column in (f"label_{lang}", "label") if column in stages.columns)
    rows = sorted(records(stages, [*_STAGE_COLUMNS, label]), key=lambda row: row.step)
    steps = []
    for row in rows:
        values = {"stage": t(f"stage.{row.stage}", lang), "count": stage_count(row, lang)}
        if row.step > 1 and not fmt.is_missing(row.share_of_first_step_pct):
            steps.append(
                t("outreach.describe_share", lang, share=fmt.percent(row.share_of_first_step_pct, lang), **values)
            )
        else:
            steps.append(t("outreach.describe_step", lang, **values))
    return t("outreach.describe_funnel", lang, round=getattr(rows[0], label), steps=markdown.join(", ", steps))


def contact_follow_ups(round_total: pd.Series) -> list[str]:
    """The follow-ups the extract gives for a round: known for someone (shown or hidden)."""
    return [follow_up for follow_up in FOLLOW_UPS if privacy.is_given(round_total, follow_up)]


def describe_contact_funnel(round_total: pd.Series, follow_ups: list[str], lang: str) -> str:
    """The text of a contact-extract funnel: its people, follow-ups and contacts, hidden ones as markers."""

    def count(column: str) -> str:
        return privacy.count_text(round_total, column, lang, unknown=t("outreach_extract.unknown", lang))

    steps = [
        t("outreach_extract.describe_step", lang, stage=t(f"outreach_extract.stage_{stage}", lang), count=count(stage))
        for stage in ("people", *follow_ups)
    ]
    period = fmt.date_range(round_total["period_start"], round_total["period_end"], lang)
    return t(
        "outreach_extract.describe",
        lang,
        round=round_total["round"],  # its name (sections.contact_funnels), never the extract's id
        kind=t(f"outreach_extract.kind_{round_total['kind']}", lang),
        period=period,
        steps=markdown.join("; ", steps),
        contacts=t("outreach_extract.contacts", lang, count=count("contacts")),
    )


def latest_figures(latest: pd.DataFrame, last_published, lang: str) -> str:
    """Which year is the latest with a published whole-year figure, per measure where they differ, and when
    the figures were last updated. `latest` is change_to_latest_year's rows up to the last year,
    `last_published` figures_last_published's date (None when unknown)."""
    measures_by_year: dict[int, set[str]] = {}
    for row in records(latest, ["year", "measure"]):
        if not fmt.is_missing(row.year):
            measures_by_year.setdefault(int(row.year), set()).add(row.measure)
    years = sorted(measures_by_year, reverse=True)
    if len(years) == 1:
        text = t("overview.latest_year", lang, year=years[0])
    else:
        parts = []
        for year in years:
            measures = measures_by_year[year]
            names = [t(f"measure_lower.{measure}", lang) for measure in MEASURES if measure in measures]
            parts.append(t("overview.latest_for", lang, year=year, measures=markdown.join(", ", names)))
        text = t("overview.latest_years", lang, years=markdown.join("; ", parts))
    if fmt.is_missing(last_published):
        return text
    return markdown.Markdown(f"{text} {t('overview.updated', lang, date=fmt.date(last_published, lang))}")


def headline_card(row: pd.Series, year_to: int, lang: str) -> dict:
    """The overview's card of a measure (a row of change_to_latest_year) as st.metric's arguments.

    Short texts that fit a card a quarter of the page wide: a figure not published is a dash with the words
    under it, never cut off, and a card without a change says why in words. The change keeps its sign as fmt
    writes it ("−38 %", "+12 %"): a fall is green and points down, a rise red and up (fewer shootings are
    better), with the base year beside it.
    """
    year = year_to if fmt.is_missing(row["year"]) else int(row["year"])
    card = {
        "label": t("overview.metric_label", lang, measure=t(f"measure.{row.name}", lang), year=year),
        "value": fmt.qualified(row["count_year"], lang, at_least=fmt.flagged(row, "is_lower_bound_year"))
        or t("common.no_change", lang),
        "delta": None,
        "delta_description": None,
    }
    if fmt.is_missing(row["count_year"]):
        return card | {"delta_description": t("common.not_published", lang)}
    if not fmt.is_missing(row["change_pct"]):
        direction = "off" if row["change_count"] == 0 else ("down" if row["change_count"] < 0 else "up")
        return card | {
            "delta": fmt.percent(row["change_pct"], lang, signed=True),
            "delta_arrow": direction,
            "delta_color": {"off": "gray", "down": "green", "up": "red"}[direction],
            "delta_description": t("overview.delta_description", lang, base_year=row["base_year"]),
        }
    if year <= row["base_year"]:
        why = t("overview.not_after_base", lang, base_year=row["base_year"])
    elif fmt.is_missing(row["count_base"]):
        why = t("overview.base_missing", lang, base_year=row["base_year"])
    else:  # a lower bound, or none in the base year
        why = t("overview.not_comparable", lang)
    return card | {"delta_description": why}


def overview_summary(change: pd.DataFrame, project_start: str | None, lang: str) -> str:
    """Two sentences: the change in shootings, and what it can and cannot tell."""
    columns = ["measure", "year", "base_year", "change_pct", "change_count", "count_year", "count_base"]
    columns += ["is_lower_bound_year", "is_lower_bound_base"]
    shootings = [row for row in records(change, columns) if row.measure == "shootings"]
    first = t("overview.summary_missing", lang, year="?", base_year="?")
    if shootings:
        row = shootings[0]
        values = {"year": row.year, "base_year": row.base_year}
        if fmt.is_missing(row.change_pct):
            first = t("overview.summary_missing", lang, **values)
        else:
            key = (
                "summary_same"
                if row.change_count == 0
                else ("summary_fewer" if row.change_count < 0 else "summary_more")
            )
            first = t(
                f"overview.{key}",
                lang,
                count=fmt.qualified(row.count_year, lang, at_least=fmt.flagged(row, "is_lower_bound_year")),
                count_base=fmt.qualified(row.count_base, lang, at_least=fmt.flagged(row, "is_lower_bound_base")),
                pct=fmt.percent(abs(row.change_pct), lang),
                **values,
            )
    if project_start is None:
        return first
    return f"{first} {t('overview.summary_cause', lang, start=project_start)}"


def _source_fields(source, lang: str) -> tuple[str, str]:
    """A source's name and date as a sentence cites them; `source` is a row of the sources query (records)."""
    name = t("sentence.source", lang, publisher=source.publisher, title=source.title)
    date = fmt.date(source.date_published, lang) or t(
        "sentence.undated", lang, accessed=fmt.date(source.date_accessed, lang)
    )
    return name, date


def _yearly_sentence(row, lang: str) -> str:
    count = fmt.qualified(row.count, lang, at_least=fmt.flagged(row))
    return t(f"sentence.yearly_{row.measure}", lang, year=row.year, count=count)


def _provisional_sentence(row, lang: str) -> str:
    # incidents "take place"; the dead and injured are counted, and none is said in words, as the source says it
    key = "sentence.provisional"
    if row.measure in ("dead", "injured"):
        key = "sentence.provisional_none" if row.count == 0 else "sentence.provisional_people"
    return t(
        key,
        lang,
        date=fmt.date(row.as_of, lang),
        count=fmt.qualified(row.count, lang, at_least=fmt.flagged(row)),
        measure=t(f"measure_lower.{row.measure}", lang),
        year=row.year,
    )


def _change_sentence(row, lang: str) -> str:
    key = "change_same" if row.change_count == 0 else ("change_fewer" if row.change_count < 0 else "change_more")
    return t(
        f"sentence.{key}",
        lang,
        measure=t(f"measure_lower.{row.measure}", lang),
        pct=fmt.percent(abs(row.change_pct), lang),
        year=row.year,
        base_year=row.base_year,
        count_year=fmt.count(row.count_year, lang),
        count_base=fmt.count(row.count_base, lang),
    )


def _us_sentence(row, lang: str) -> str:
    return t(
        "sentence.us_result",
        lang,
        city=row.city,
        pct=fmt.percent(abs(row.quoted_change_pct), lang),
        outcome=getattr(row, f"quoted_outcome_{lang}"),
        study=row.study,
        metric=getattr(row, f"metric_{lang}").lower(),
    )


def _outreach_sentence(row, lang: str) -> str:
    values = {
        "round": getattr(row, f"label_{lang}"),
        "stage": t(f"stage.{row.stage}", lang),
        "count": stage_count(row, lang),
        "unit": t(f"unit.{row.unit}", lang),
    }
    if row.step > 1 and not fmt.is_missing(row.share_of_first_step_pct):
        first = round(row.count * 100 / row.share_of_first_step_pct)
        return t("sentence.stage_of", lang, first=fmt.count(first, lang), **values)
    return t("sentence.stage", lang, **values)


def _finding_sentence(row, lang: str) -> str:
    return markdown.escape(getattr(row, f"finding_{lang}"))


def _sweden_sentence(row, lang: str) -> str:
    return t(f"sentence.sweden_{row.measure}", lang, year=row.year, count=fmt.count(row.count, lang))


def _share_sentence(row, lang: str) -> str:
    return t(
        "sentence.share",
        lang,
        year=row.year,
        share=fmt.percent(row.share_pct, lang, decimals=1),
        measure=t(f"measure_lower.{row.measure}", lang),
        malmo_count=fmt.count(row.malmo_count, lang),
        national_count=fmt.count(row.national_count, lang),
    )


def _count_figure(row, lang: str) -> str:
    return fmt.qualified(row.count, lang, at_least=fmt.flagged(row))


def _change_figure(row, lang: str) -> str:
    return fmt.percent(row.change_pct, lang, signed=True)


def _us_figure(row, lang: str) -> str:
    return fmt.percent(row.quoted_change_pct, lang, signed=True)


def _no_figure(row, lang: str) -> None:
    return None


def _share_figure(row, lang: str) -> str:
    return fmt.percent(row.share_pct, lang, decimals=1)


# What the press sentences, their figures and days (_figure_day) read of a row: a row has only these (records).
_PRESS_COLUMNS = [
    *_STAGE_COLUMNS,
    *("source_id", "malmo_source_id", "as_of", "period_end", "year", "published", "measure", "unit"),
    *("base_year", "count_year", "count_base", "change_count", "change_pct", "share_pct", "malmo_count"),
    *("national_count", "city", "quoted_change_pct", "study"),
    *(f"{column}_{lang}" for column in ("quoted_outcome", "metric", "label", "finding") for lang in LANGUAGES),
]


def _figure_day(row, source) -> str:
    """The day a sentence's figure runs to, as ISO text to sort by: its as_of, the end of its period or year,
    else when the finding or, for a US result, its source was published ("" when undated)."""
    for column in ("as_of", "period_end"):
        value = getattr(row, column, None)
        if not fmt.is_missing(value):
            return pd.Timestamp(value).strftime("%Y-%m-%d")
    year = getattr(row, "year", None)
    if not fmt.is_missing(year):
        return f"{int(year)}-12-31"
    for published in (getattr(row, "published", None), source.date_published):
        if not fmt.is_missing(published):
            return str(published)
    return ""


def press_sentences(
    *,
    yearly: pd.DataFrame,
    provisional: pd.DataFrame,
    change: pd.DataFrame,
    us_results: pd.DataFrame,
    outreach: pd.DataFrame,
    findings: pd.DataFrame,
    sources: pd.DataFrame,
    lang: str,
    sweden: pd.DataFrame | None = None,
    shares: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every key figure as a sentence in both languages, with its figure, source and date, as plain text (they
    are table cells and downloads; the press pack's Markdown escapes them again). `sentence` is the sentence in
    `lang`, `figure` the number it turns on ("65", "−69 %"), empty for a finding in words; `source` names the
    source in full, `publisher` only its publisher, for a narrow table.

    Newest first, by the day the figure runs to; figures of the same day in the order of the groups, Malmö's first.

    `sweden` (sweden_by_year) and `shares` (malmo_share_of_sweden) add Sweden's figures, every source's,
    and Malmö's share of them; a share names the national source and Malmö's."""
    # topic, frame, sentence, figure, and the column without which a row makes no sentence (a year not published,
    # a change not computed)
    groups = [
        ("press.topic_yearly", yearly, _yearly_sentence, _count_figure, "count"),
        ("press.topic_provisional", provisional, _provisional_sentence, _count_figure, None),
        ("press.topic_change", change, _change_sentence, _change_figure, "change_pct"),
        ("press.topic_us", us_results, _us_sentence, _us_figure, None),
        ("press.topic_outreach", outreach, _outreach_sentence, stage_count, None),
        ("press.topic_finding", findings, _finding_sentence, _no_figure, None),
    ]
    if sweden is not None:
        groups.append(("press.topic_sweden", sweden, _sweden_sentence, _count_figure, None))
    if shares is not None:
        groups.append(("press.topic_share", shares, _share_sentence, _share_figure, None))
    source_columns = ["source_id", "publisher", "title", "date_published", "date_accessed"]
    by_id = {source.source_id: source for source in records(sources, source_columns)}

    @functools.cache  # a few sources are cited many times
    def cited(source_id: str, malmo_source_id: str | None) -> dict[str, str]:
        """A sentence's source, publisher and source_date as plain text; a share cites Malmö's source beside it."""
        source, date = _source_fields(by_id[source_id], lang)
        publisher = by_id[source_id].publisher
        if malmo_source_id:
            malmo, _ = _source_fields(by_id[malmo_source_id], lang)
            source = t("sentence.two_sources", lang, national=source, malmo=malmo)
            publisher = t("sentence.two_sources", lang, national=publisher, malmo=by_id[malmo_source_id].publisher)
        texts = {"source": source, "publisher": publisher, "source_date": date}
        return {column: markdown.plain(text) for column, text in texts.items()}

    table_rows, days = [], []
    for topic, frame, sentence, figure, needed in groups:
        topic = markdown.plain(t(topic, lang))
        for row in records(frame, _PRESS_COLUMNS):
            if needed and fmt.is_missing(getattr(row, needed)):
                continue
            by_language = {language: markdown.plain(sentence(row, language)) for language in LANGUAGES}
            table_rows.append(
                {
                    "topic": topic,
                    "figure": markdown.plain(figure(row, lang) or ""),
                    "sentence": by_language[lang],
                    "swedish": by_language["sv"],
                    "english": by_language["en"],
                }
                | cited(row.source_id, getattr(row, "malmo_source_id", None))
                | {"source_id": row.source_id}
            )
            days.append(_figure_day(row, by_id[row.source_id]))
    newest_first = sorted(range(len(days)), key=days.__getitem__, reverse=True)  # stable: ties keep their order
    columns = ["topic", "figure", "sentence", "swedish", "english", "source", "publisher", "source_date", "source_id"]
    return pd.DataFrame.from_records([table_rows[index] for index in newest_first], columns=columns)


def citation(lang: str, day: dt.date, url: str | None, *, as_text: bool) -> str:
    """The dashboard as a source, as a reader cites it: its name and publisher, the day it was read, in words,
    and its address when known. As Markdown to show (the address a link), or `as_text` to copy."""
    values = {"name": t("app.name", lang), "date": fmt.date(day, lang)}
    if not url:
        text = t("press.citation_no_url", lang, **values)
    else:
        text = t("press.citation", lang, url=url if as_text else markdown.link(url), **values)
    return markdown.plain(text) if as_text else text


def _spreads(values_by_year: dict, text, lang: str) -> str:
    """Each year's value, or the range from the lowest to the highest source where several give one:
    "2017 281–324 (2 sources)". `values_by_year` holds each year's values given, `text` formats one value."""
    parts = []
    for year, values in sorted(values_by_year.items()):
        low, high = min(values), max(values)
        if low == high:
            parts.append(t("trends.describe_one_source", lang, year=year, value=text(low)))
        else:
            count = fmt.count(len(values), lang)
            parts.append(t("trends.describe_sources", lang, year=year, low=text(low), high=text(high), sources=count))
    return markdown.join(", ", parts)


def _by_measure(frame: pd.DataFrame, column: str, text, lang: str) -> str:
    """Per measure with a value given, the spreads of its years (_spreads), in the order of MEASURES."""
    # each measure's values given by year, read in one pass rather than a filter of the frame per measure
    given: dict[str, dict] = {}
    for row in records(frame, ["measure", "year", column]):
        value = getattr(row, column)
        if not fmt.is_missing(value):
            given.setdefault(row.measure, {}).setdefault(row.year, []).append(value)
    return markdown.join(
        "; ",
        (
            t(
                "trends.describe_sweden_measure",
                lang,
                measure=t(f"measure.{measure}", lang),
                years=_spreads(given[measure], text, lang),
            )
            for measure in MEASURES
            if measure in given
        ),
    )


def describe_sweden(sweden: pd.DataFrame, value_column: str, years: str, lang: str) -> str:
    """The chart of Sweden as a whole in one line: per measure and year, its one figure or the
    sources' range, so the disagreement is in the text as in the chart."""
    decimals = 1 if value_column == "rate_per_100k" else 0
    measures = _by_measure(sweden, value_column, lambda value: fmt.number(value, lang, decimals), lang)
    return t("trends.describe_sweden", lang, years=years, measures=measures)


def describe_shares(shares: pd.DataFrame, years: str, lang: str) -> str:
    """The chart of Malmö's share of Sweden in one line: per measure and year, the share or the range of shares."""
    measures = _by_measure(shares, "share_pct", lambda value: fmt.percent(value, lang, decimals=1), lang)
    return t("trends.describe_share", lang, years=years, measures=measures)


# Views fed by the incident extract ------------------------------------------------------------


def describe_periods(periods: pd.DataFrame, grain: str, years: str, lang: str) -> str:
    """One line for the chart of incidents_by_period: per kind its total, peak and empty periods."""
    # each kind's periods, read once rather than a filter per kind (a count is never missing: none is 0)
    by_kind: dict[str, list[SimpleNamespace]] = {}
    for row in records(periods, ["kind", "period", "count"]):
        by_kind.setdefault(row.kind, []).append(row)
    parts = []
    for kind in INCIDENT_KINDS:
        rows = by_kind.get(kind)
        if not rows:
            continue
        counts = [row.count for row in rows]
        if max(counts) == 0:  # no peak to name
            parts.append(t("trends.describe_kind_none", lang, kind=t(f"incident_kind.{kind}", lang)))
            continue
        peak = rows[counts.index(max(counts))]  # the first period with the most
        parts.append(
            t(
                "trends.describe_kind",
                lang,
                kind=t(f"incident_kind.{kind}", lang),
                total=fmt.count(sum(counts), lang),
                peak=fmt.count(peak.count, lang),
                period=peak.period,
                zero=fmt.count(counts.count(0), lang),
            )
        )
    return t(f"trends.describe_periods_{grain}", lang, years=years) + ": " + "; ".join(parts) + "."


def reconciliation_summary(reconciliation: pd.DataFrame, lang: str) -> str:
    """'2 of 20 yearly figures differ and 18 match.', and what could not be compared."""
    statuses = collections.Counter(reconciliation["status"])  # value_counts costs a millisecond
    text = t(
        "trends.reconciliation_summary",
        lang,
        differs=fmt.count(statuses.get("differs", 0), lang),
        total=fmt.count(len(reconciliation), lang),
        matches=fmt.count(statuses.get("matches", 0), lang),
    )
    for status in ("extract_incomplete", "not_published"):
        if statuses.get(status, 0):
            text += " " + t(f"trends.reconciliation_{status}", lang, count=fmt.count(statuses[status], lang))
    return text


def name_merged_rows(frame: pd.DataFrame, column: str, threshold: int, lang: str) -> pd.DataFrame:
    """incidents_by_cell or incidents_by_district with `column` naming every row for a table.

    A cell keeps its id and a district its name; the merged rows, which have none, get a label
    saying what they hold (small cells, no coordinates, other districts, no district).
    """
    labels = {
        "small_cells": t("map.row_small_cells", lang, min_count=fmt.count(threshold, lang)),
        "no_coordinates": t("map.row_no_coordinates", lang),
        "other_districts": t("map.row_other_districts", lang),
        "no_district": t("map.row_no_district", lang),
    }
    labels = {row_type: markdown.plain(label) for row_type, label in labels.items()}  # table cells: plain text
    names = [labels.get(row_type, name) for row_type, name in zip(frame["row_type"], frame[column], strict=True)]
    return frame.assign(**{column: names})


def describe_map(cells: pd.DataFrame, kind: str, years: str, threshold: int, lang: str) -> str:
    """The map's text alternative: how many cells it shows, the incidents in them, the largest."""
    shown = maps.shown_cells(cells, threshold)
    values = {"kind": t(f"incident_kind_lower.{kind}", lang), "years": years, "min_count": threshold}
    if shown.empty:
        return t("map.describe_none", lang, **values)
    return t(
        "map.describe",
        lang,
        cells=fmt.count(len(shown), lang),
        on_map=fmt.count(shown["count"].sum(), lang),
        peak=fmt.count(shown["count"].max(), lang),
        **values,
    )


def reconciliation_differences(reconciliation: pd.DataFrame, coverage: pd.DataFrame, lang: str) -> list[str]:
    """One line per year and measure where the extract and the published figure do not match.

    Each names both counts and the difference, or why there is no difference (the extract's total
    unknown, or the year only partly covered), and the sources that cover the year (coverage is
    incident_coverage_by_year).
    """

    def sources(year: int) -> str:
        rows = coverage[coverage["year"] == year]
        return markdown.join(
            "; ",
            (
                t(
                    "partner_reconciliation.source_span",
                    lang,
                    source=row.source or t("partner_reconciliation.no_source", lang),
                    span=fmt.date_range(row.period_start, row.period_end, lang),
                )
                for row in rows.itertuples()
            ),
        ) or t("partner_reconciliation.no_source", lang)

    lines = []
    for row in reconciliation[reconciliation["status"].isin(["differs", "extract_incomplete"])].itertuples():
        if fmt.is_missing(row.extract_count):
            key = "partner_reconciliation.unknown"
        elif row.status == "differs":
            key = "partner_reconciliation.differs"
        else:
            key = "partner_reconciliation.incomplete"
        lines.append(
            t(
                key,
                lang,
                year=row.year,
                measure=t(f"measure_lower.{row.measure}", lang),
                extract=fmt.count(row.extract_count, lang) or "",
                published=fmt.count(row.headline_count, lang),
                difference=fmt.number(row.difference, lang, signed=True) or "",
                sources=sources(row.year),
            )
        )
    return lines

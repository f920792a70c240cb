"""The figures published after 2022: part-year figures, lower bounds, approximations, and Sweden as a whole.

What is checked is how the dashboard shows such figures, on fixture frames and data copies built here or on
what data/ holds (tests/shipped.py); no shipped figure is restated. That each shipped figure equals its source
is checked next to the data, in data/source_quotes.csv.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import shipped
from conftest import run_page
from test_pages import texts_of
from test_press_page import sentence_cards

from slutaskjut import charts, fmt, markdown, sentences, tables
from slutaskjut.i18n import t
from slutaskjut.load import build_database
from slutaskjut.queries import run_query
from slutaskjut.schema import MEASURES


def edit_rows(path: Path, change) -> None:
    """Apply `change` to the rows of a CSV file, each a dict by column."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, list(reader)
    rows = change(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def with_lower_bound_headline(rows: list[dict]) -> list[dict]:
    """The last year's explosions published as a whole-year lower bound ("at least 23") instead of not published."""
    last = max(int(row["year"]) for row in rows)
    for row in rows:
        if (int(row["year"]), row["measure"], row["is_headline"]) == (last, "explosions", "true"):
            row |= {"count": "23", "status": "published", "is_lower_bound": "true"}
    return rows


@pytest.fixture
def lower_bound_data(data_copy, tmp_path, monkeypatch) -> tuple[Path, int]:
    """Pages and queries on a copy of data/ whose last year has a lower bound as its explosions headline:
    the copy and that year."""
    last = int(shipped.tables()["malmo_yearly"]["year"].max())  # read (and cached) from data/ before the switch
    edit_rows(data_copy / "malmo_yearly.csv", with_lower_bound_headline)
    monkeypatch.setenv("SLUTASKJUT_DATA", str(data_copy))
    monkeypatch.setenv("SLUTASKJUT_DB", str(tmp_path / "lower-bound.duckdb"))
    return data_copy, last


# Words: "at least", "about" -------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "at_least", "about"), [("sv", "minst", "omkring"), ("en", "at least", "about")])
def test_a_lower_bound_reads_at_least_and_an_approximation_about(lang, at_least, about):
    assert fmt.qualified(23, lang, at_least=True) == f"{at_least} 23"
    assert fmt.qualified(250, lang, about=True) == f"{about} 250"
    assert fmt.qualified(1234, lang) == fmt.number(1234, lang)
    assert fmt.qualified(None, lang, at_least=True) is None, "missing is never a number"


def test_tables_word_lower_bounds_and_approximations_and_keep_them_apart_from_exact_counts():
    frame = pd.DataFrame(
        {
            "count": [23, 250, 8, None],
            "is_lower_bound": [True, False, False, False],
            "is_approximate": [False, True, False, False],
            "rate_per_100k": [6.29, None, 2.19, None],
        }
    )
    shown = tables.for_display(frame, ["count", "rate_per_100k"], "sv")
    assert shown.iloc[:, 0].tolist() == ["minst 23", "omkring 250", "8", t("common.not_published", "sv")]
    assert shown.iloc[0, 1] == "minst 6,3", "the rate of a lower bound is one too"
    download = tables.for_download(frame, ["count", "is_lower_bound"], "en")
    assert download.iloc[:, 0].tolist()[:3] == [23, 250, 8], "downloads keep numbers, with the flag beside them"


def test_a_frame_without_the_flags_is_shown_as_exact():
    shown = tables.for_display(pd.DataFrame({"count": [23]}), ["count"], "en")
    assert shown.iloc[0, 0] == "23"


# Charts ---------------------------------------------------------------------------------------


def test_the_trend_chart_labels_a_lower_bound_at_least_wherever_it_is_drawn():
    yearly = pd.DataFrame(
        {
            "year": [2024, 2025, 2024, 2025],
            "measure": ["explosions", "explosions", "shootings", "shootings"],
            "count": [None, 23, 40, None],
            "is_lower_bound": [False, True, False, False],
        }
    )
    provisional = pd.DataFrame(
        {
            "year": [2025, 2025],
            "measure": ["shootings", "explosions"],
            "count": [7, 19],
            "is_lower_bound": [True, False],
            "as_of": ["2025-06-30", "2025-06-30"],  # the day the part-year figures run to, where the chart draws them
        }
    )
    figure = charts.trend_figure(
        yearly, provisional, pd.DataFrame({"date": []}), value_column="count", lang="en", title="x"
    )
    explosions = next(trace for trace in figure.data if trace.line.color == charts.MEASURE_COLOURS["explosions"])
    assert list(explosions.text) == ["", "at least 23"]
    part_year = [trace for trace in figure.data if trace.marker.symbol == "diamond-open"]
    assert [list(trace.text) for trace in part_year] == [["at least 7"], [""]], "an exact part-year point is unlabelled"
    assert sum(trace.showlegend for trace in part_year) == 1, "one legend entry for all part-year points"


def sweden_rows(counts: dict[tuple[int, str], list[int]]) -> pd.DataFrame:
    """Rows as sweden_by_year gives them: several sources' counts per year and measure."""
    rows = [
        {"year": year, "measure": measure, "count": count, "rate_per_100k": count / 100, "source_id": f"s{n}"}
        for (year, measure), values in counts.items()
        for n, count in enumerate(values)
    ]
    return pd.DataFrame(rows)


def test_the_sweden_chart_shows_every_source_and_their_spread_and_chooses_none():
    sweden = sweden_rows({(2019, "shootings"): [320, 334, 360], (2020, "shootings"): [366], (2020, "dead"): [47]})
    figure = charts.sweden_figure(sweden, pd.DataFrame(), value_column="count", lang="en", title="x")
    dots = [trace for trace in figure.data if trace.mode == "markers"]
    assert sorted(value for trace in dots for value in trace.y) == [47, 320, 334, 360, 366]
    spread = next(trace for trace in figure.data if trace.mode == "lines")
    assert list(spread.x) == ["2019-07-01", "2019-07-01", None], "one vertical line at the year, on a date axis"
    assert list(spread.y) == [320, 360, None]
    assert not any(trace.name == t("trends.legend_malmo", "en") for trace in figure.data), "counts: Sweden alone"


def test_the_sweden_chart_as_rates_draws_malmo_beside_sweden_with_gaps_for_missing_years():
    sweden = sweden_rows({(2019, "shootings"): [320, 360], (2021, "shootings"): [344]})
    malmo = pd.DataFrame({"year": [2019, 2020, 2021], "measure": ["shootings"] * 3, "rate_per_100k": [9.9, None, 6.0]})
    figure = charts.sweden_figure(sweden, malmo, value_column="rate_per_100k", lang="sv", title="x")
    (line,) = [trace for trace in figure.data if trace.name == t("trends.legend_malmo", "sv")]
    assert list(line.y) == [9.9, None, 6.0] and line.connectgaps is False
    assert figure.layout.yaxis.range[1] >= 9.9


def test_descriptions_give_one_figure_or_the_range_of_the_sources():
    sweden = sweden_rows({(2019, "shootings"): [320, 360], (2021, "shootings"): [344]})
    text = sentences.describe_sweden(sweden, "count", "2019–2021", "en")
    assert "2019 320–360 (2 sources)" in text and "2021 344" in text
    shares = pd.DataFrame({"year": [2019, 2019], "measure": ["shootings"] * 2, "share_pct": [10.625, 9.444]})
    assert "2019 9.4%–10.6% (2 sources)" in sentences.describe_shares(shares, "2019", "en")


# Queries on the shipped data ------------------------------------------------------------------


def test_the_default_years_end_at_the_last_year_with_a_whole_year_figure(con):
    span = run_query(con, "year_span").iloc[0]
    yearly = shipped.tables()["malmo_yearly"]
    published = yearly[yearly["is_headline"] & (yearly["status"] == "published")]
    assert span["last_published_year"] == published["year"].max()
    assert span["last_year"] >= yearly["year"].max(), "years with part-year figures only stay selectable"


def test_a_year_with_part_year_figures_only_does_not_move_the_default_years(data_copy, tmp_path):
    def add_a_part_year(rows: list[dict]) -> list[dict]:
        year = str(max(int(row["year"]) for row in rows) + 1)
        source = {"source_id": rows[0]["source_id"], "note_sv": "", "note_en": "", "is_lower_bound": "false"}
        empty = {"count": "", "status": "not_published", "is_headline": "true", "as_of": f"{year}-12-31"}
        part = {"count": "5", "status": "provisional", "is_headline": "false", "as_of": f"{year}-03-31"}
        rows += [{"year": year, "measure": measure} | empty | source for measure in MEASURES]
        other = next(row["source_id"] for row in rows if row["source_id"] != source["source_id"])
        return [*rows, {"year": year, "measure": "shootings"} | part | source | {"source_id": other}]

    edit_rows(data_copy / "malmo_yearly.csv", add_a_part_year)
    build_database(data_copy, tmp_path / "db.duckdb")
    with duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True) as con:
        span = run_query(con, "year_span").iloc[0]
    yearly = shipped.tables()["malmo_yearly"]
    assert span["last_published_year"] == yearly.loc[yearly["status"] == "published", "year"].max()


def test_a_change_from_or_to_a_lower_bound_is_left_empty(lower_bound_data, tmp_path):
    data, last = lower_bound_data
    build_database(data, tmp_path / "db.duckdb")
    with duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True) as con:
        change = run_query(con, "change_between_years", base_year=2016, year=last).set_index("measure")
        by_year = run_query(con, "changes_by_year", from_year=last, to_year=last).set_index("measure")
    explosions = change.loc["explosions"]
    assert explosions["count_year"] == 23 and explosions["is_lower_bound_year"]
    assert pd.isna(explosions["change_count"]) and pd.isna(explosions["change_pct"])
    assert by_year.loc["explosions", "is_lower_bound"] and pd.isna(by_year.loc["explosions", "change_pct"])


def test_sweden_keeps_every_source_and_a_missing_year_is_missing(con):
    data = shipped.tables()["sweden_yearly"]
    first, last = int(data["year"].min()), int(data["year"].max())
    sweden = run_query(con, "sweden_by_year", from_year=first, to_year=last)
    assert len(sweden) == len(data), "no source is dropped or chosen"
    assert (sweden["count"] >= 0).all()
    population = shipped.tables()["sweden_population"]
    without = sweden[~sweden["year"].isin(population["year"])]
    assert without["rate_per_100k"].isna().all(), "a rate only where Sweden's population is sourced"
    assert sweden.loc[sweden["year"].isin(population["year"]), "rate_per_100k"].notna().all()


def test_malmos_share_is_given_only_where_both_are_published_and_exact(con):
    yearly = shipped.tables()["malmo_yearly"]
    first, last = int(yearly["year"].min()), int(yearly["year"].max())
    shares = run_query(con, "malmo_share_of_sweden", from_year=first, to_year=last)
    assert len(shares)
    for row in shares.itertuples():
        assert shipped.headline(row.year, row.measure) == row.malmo_count
        assert row.share_pct == pytest.approx(100 * row.malmo_count / row.national_count)
    exact = yearly[yearly["is_headline"] & (yearly["status"] == "published") & ~yearly["is_lower_bound"].fillna(False)]
    assert set(zip(shares["year"], shares["measure"], strict=True)) <= set(
        zip(exact["year"], exact["measure"], strict=True)
    ), "never a share of a year Malmö has not published"


def test_every_source_after_2022_and_of_sweden_gives_its_address():
    frames = shipped.tables()
    yearly = frames["malmo_yearly"]
    used = set(yearly.loc[(yearly["year"] > 2022) & yearly["count"].notna(), "source_id"])
    used |= set(frames["sweden_yearly"]["source_id"]) | set(frames["sweden_population"]["source_id"])
    sources = frames["sources"].set_index("source_id")
    assert sources.loc[sorted(used), "url"].str.startswith("https://").all()
    assert (sources.loc[sorted(used), "date_accessed"].astype(str) >= "2026-12-02").all()


# Pages ----------------------------------------------------------------------------------------


def part_year_rows(after: int) -> pd.DataFrame:
    yearly = shipped.tables()["malmo_yearly"]
    return yearly[(yearly["status"] == "provisional") & (yearly["year"] > after)]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_overview_shows_the_newer_part_year_figures_with_their_dates(lang):
    first, last = shipped.default_years()
    text = texts_of(run_page(None, lang=lang))
    later = part_year_rows(last)
    assert len(later), "data/ has part-year figures after the last whole year"
    for row in later.itertuples():
        count = fmt.qualified(row.count, lang, at_least=fmt.flagged(row))
        note = t(
            "trends.provisional_note",
            lang,
            count=count,
            measure=t(f"measure_lower.{row.measure}", lang),
            year=row.year,
            date=fmt.date(row.as_of, lang),
        )
        assert markdown.plain(note) in text


def test_the_overview_metric_of_a_lower_bound_reads_at_least(lower_bound_data):
    _, last = lower_bound_data
    app = run_page(None, lang="sv", **{"from": "2016", "to": str(last)})
    assert not app.exception
    metrics = {m.label: (m.value, m.delta) for m in app.metric}
    assert metrics[f"Sprängningar {last}"] == ("minst 23", ""), "no change is given from a lower bound"
    app = run_page("pages/trends.py", lang="en", **{"from": "2016", "to": str(last)})
    assert "at least 23" in texts_of(app)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_trends_page_sets_malmo_beside_sweden(lang):
    yearly = shipped.tables()["malmo_yearly"]
    years = {"from": str(yearly["year"].min()), "to": str(yearly["year"].max())}
    app = run_page("pages/trends.py", lang=lang, **years)
    assert not app.exception
    text = texts_of(app)
    assert t("trends.sweden_title", lang) in [header.value for header in app.header]
    assert markdown.plain(t("trends.share_intro", lang)) in text
    charts_drawn = [chart.proto.id.rsplit("-chart_", 1)[1] for chart in app.get("plotly_chart")]
    assert {"sweden_by_year", "malmo_share_of_sweden"} <= set(charts_drawn)
    for row in part_year_rows(0).itertuples():
        if fmt.flagged(row):
            assert fmt.qualified(row.count, lang, at_least=True) in text


def test_the_trends_page_as_rates_names_malmos_sources_too():
    app = run_page("pages/trends.py", lang="en", scale="rate_per_100k")
    assert not app.exception
    assert t("trends.rate_note", "en") in [markdown.plain(caption.value) for caption in app.caption]


def test_outreach_shows_approximations_and_lower_bounds_as_worded():
    figures = shipped.tables()["outreach_figures"]
    rounds = shipped.tables()["outreach_rounds"]
    years = {"from": "2016", "to": str(pd.to_datetime(rounds["period_end"]).dt.year.max())}
    text = texts_of(run_page("pages/outreach.py", lang="en", **years))
    approximate = figures[figures["is_approximate"].fillna(False)]
    assert len(approximate)
    for row in approximate.itertuples():
        assert f"{fmt.qualified(row.count, 'en', about=True)} {t(f'unit.{row.unit}', 'en')}" in text
    for row in figures[figures["is_lower_bound"]].itertuples():
        assert f"{fmt.count(row.count, 'en', lower_bound=True)} {t(f'unit.{row.unit}', 'en')}" in text
    assert t("outreach.approximate", "en") in text


def test_the_press_page_has_the_new_figures_in_sentences_and_downloads():
    yearly = shipped.tables()["malmo_yearly"]
    years = {"from": str(yearly["year"].min()), "to": str(yearly["year"].max())}
    app = run_page("pages/press.py", lang="en", **years)
    assert not app.exception
    key_figures = app.dataframe[0].value  # the figure, the sentence in English, its publisher and date
    sources = [card["note"].split(" · ", 1) for card in sentence_cards(app)]
    topics = {topic for topic, _ in sources}  # each sentence's line: its topic, source and date
    assert {t(f"press.topic_{topic}", "en") for topic in ("provisional", "sweden", "share")} <= topics
    shares = [source for topic, source in sources if topic == t("press.topic_share", "en")]
    assert shares and all("; Malmö: " in source for source in shares), "a share names the national source and Malmö's"
    lower_bounds = yearly[yearly["is_lower_bound"].fillna(False)]
    english = " ".join(key_figures.iloc[:, 1])
    for row in lower_bounds.itertuples():
        assert f"at least {row.count}" in english
    downloads = {button.proto.id.rsplit("-download_", 1)[1] for button in app.get("download_button")}
    assert {f"table_name.{name}" for name in ("provisional", "sweden", "malmo_share")} <= downloads


def test_press_sentences_say_none_for_a_published_zero_and_at_least_for_a_lower_bound():
    provisional = pd.DataFrame(
        {
            "year": [2024, 2025],
            "measure": ["dead", "explosions"],
            "count": [0, 23],
            "is_lower_bound": [False, True],
            "as_of": ["2024-06-12", "2025-11-21"],
            "source_id": ["s", "s"],
        }
    )
    sources = pd.DataFrame(
        {"source_id": ["s"], "publisher": ["P"], "title": ["T"], "date_published": ["2025"], "date_accessed": ["2026"]}
    )
    empty = pd.DataFrame(columns=["count", "change_pct", "source_id"])
    press = sentences.press_sentences(
        yearly=empty,
        provisional=provisional,
        change=empty,
        us_results=pd.DataFrame(),
        outreach=pd.DataFrame(),
        findings=pd.DataFrame(),
        sources=sources,
        lang="en",
    )
    assert press["english"].tolist()[::-1] == [  # newest first
        markdown.plain(t("sentence.provisional_none", "en", date="12 June 2024", measure="dead", year=2024)),
        markdown.plain(
            t(
                "sentence.provisional",
                "en",
                date="21 November 2025",
                count="at least 23",
                measure="explosions",
                year=2025,
            )
        ),
    ]
    assert "minst 23" in press["swedish"].iloc[0]

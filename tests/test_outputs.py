"""Charts, sentences, tables and downloads, built from the real queries without Streamlit."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from slutaskjut import charts, exports, sentences, tables
from slutaskjut.i18n import in_language
from slutaskjut.queries import run_query


@pytest.fixture(scope="module")
def frames(con):
    years = {"from_year": 2016, "to_year": 2024}
    outreach = run_query(con, "outreach_by_round_and_stage", **years)
    all_sources = con.table("sources").df()["source_id"].tolist()
    return {
        "yearly": run_query(con, "incidents_by_year", **years),
        "provisional": run_query(con, "provisional_figures", **years),
        "milestones": run_query(con, "milestones", **years),
        "change": run_query(con, "change_between_years", base_year=2017, year=2020),
        "us": run_query(con, "us_results"),
        "outreach": outreach,
        "findings": run_query(con, "evaluation_findings"),
        "sources": run_query(con, "sources", source_ids=all_sources),
    }


def trend(frames, lang: str):
    milestones = in_language(frames["milestones"], lang)
    return charts.trend_figure(
        frames["yearly"], frames["provisional"], milestones, value_column="count", lang=lang, title="x"
    )


def yearly_frame(counts: dict[str, dict[int, int | None]]) -> pd.DataFrame:
    """Rows as incidents_by_year gives them: a count per measure and year, None where not published."""
    rows = [
        {"year": year, "measure": measure, "count": count, "rate_per_100k": None}
        for measure, by_year in counts.items()
        for year, count in by_year.items()
    ]
    return pd.DataFrame(rows).astype({"count": "Float64", "rate_per_100k": "Float64"})


def test_trend_chart_leaves_gaps_for_not_published_years():
    yearly = yearly_frame(
        {"shootings": {2016: 61, 2017: 65, 2018: 47}, "explosions": {2016: 43, 2017: None, 2018: None}}
    )
    provisional = pd.DataFrame({"year": [2018], "measure": ["explosions"], "count": [19.0], "as_of": ["2018-10-31"]})
    milestones = pd.DataFrame({"date": ["2018-02", "2020-03-01"], "when": ["februari 2018", "mars 2020"]})
    milestones["label"] = ["Start", "Pandemi"]
    figure = charts.trend_figure(yearly, provisional, milestones, value_column="count", lang="sv", title="x")
    explosions = next(trace for trace in figure.data if trace.line.color == charts.MEASURE_COLOURS["explosions"])
    # a year's figure in the middle of its year
    assert dict(zip(explosions.x, explosions.y, strict=True)) == {
        "2016-07-01": 43,
        "2017-07-01": None,
        "2018-07-01": None,
    }
    provisional_points = [trace for trace in figure.data if trace.marker.symbol == "diamond-open"]
    assert [(list(p.x), list(p.y)) for p in provisional_points] == [(["2018-10-31"], [19.0])], "at the date it runs to"
    shaded = [shape for shape in figure.layout.shapes if shape.type == "rect"]
    assert [(shape.x0, shape.x1) for shape in shaded] == [("2017-01-01", "2018-01-01"), ("2018-01-01", "2019-01-01")]
    milestone_positions = {shape.x0 for shape in figure.layout.shapes if shape.type == "line"}
    assert milestone_positions == {"2018-02-01", "2020-03-01"}


def test_benchmark_chart_shows_malmo_apart(frames):
    us = in_language(frames["us"], "en")
    figure = charts.benchmark_figure(us, {"label": "Malmö", "change_pct": -69.2}, lang="en", title="x")
    us_bars, malmo_bar = figure.data
    assert sorted(us_bars.x) == [-63, -42, -41, -32]
    assert list(malmo_bar.x) == [-69.2] and malmo_bar.marker.pattern.shape == "/"
    without_malmo = charts.benchmark_figure(us, {"label": "Malmö", "change_pct": float("nan")}, lang="en", title="x")
    assert len(without_malmo.data) == 1


def test_funnel_chart_counts_and_shares(frames):
    may = frames["outreach"][frames["outreach"]["round_id"] == "may_2020"]
    (funnel,) = charts.funnel_figure(may, lang="sv", title="x").data
    assert list(funnel.x) == [23, 7, 2]
    assert list(funnel.text) == ["23", "7 (30\u00a0%)", "2 (9\u00a0%)"]


def test_chart_descriptions_name_the_figures(frames):
    yearly = yearly_frame(
        {
            "shootings": {2016: 61, 2017: 65, 2018: None, 2019: None},
            "explosions": {2016: 43, 2017: None, 2018: 17, 2019: None},
            "dead": {2016: None, 2017: None, 2018: None, 2019: None},
        }
    )
    described = sentences.describe_trend(yearly, "count", "sv")
    assert described == (
        "Skjutningar: 61 år 2016, 65 år 2017 (ej publicerat 2018–2019); "
        "Sprängningar: 43 år 2016, 17 år 2018 (ej publicerat 2017, 2019); Döda: ej publicerat."
    )
    may = frames["outreach"][frames["outreach"]["round_id"] == "may_2020"]
    assert "Sought support from the exit programme 7 (30%)" in sentences.describe_funnel(may, "en")


def test_overview_summary(frames):
    summary = sentences.overview_summary(frames["change"], "February 2018", "en")
    assert summary.startswith("In 2020, 20 shootings were recorded in Malmö, 69% fewer than in 2017 (65).")
    assert "February 2018" in summary and "not been statistically tied" in summary


def test_press_sentences_carry_source_and_date_in_both_languages(frames):
    press = sentences.press_sentences(
        yearly=frames["yearly"],
        provisional=frames["provisional"],
        change=frames["change"],
        us_results=frames["us"],
        outreach=frames["outreach"],
        findings=frames["findings"],
        sources=frames["sources"],
        lang="sv",
    )
    assert press[["swedish", "english", "source", "source_date"]].notna().all().all()
    swedish = press["swedish"].tolist()
    assert "År 2017 inträffade 65 skjutningar i Malmö." in swedish
    assert "Custom notifications maj 2020: Sökte stöd från avhopparverksamheten: 7 av 23 personer." in swedish
    assert "Sedan starten (till december 2020): Uppsökta för custom notification: minst 100 personer." in swedish
    boston = press[press["english"].str.contains("Boston")].iloc[0]
    assert (
        "63% fewer youth homicides" in boston["english"] and "63\u00a0% färre mord bland ungdomar" in boston["swedish"]
    )
    assert boston["source"] == "Malmö stad: Sluta skjut"
    assert boston["source_date"] == "28 januari 2021"
    # newest first: the 2020 part-year figure is picked by its year, not by its place among the provisional ones
    part_year_2020 = press["swedish"].str.contains("preliminär") & press["swedish"].str.contains(" under 2020 ")
    (provisional,) = press[part_year_2020].itertuples()
    assert "19 skjutningar" in provisional.swedish and provisional.source_date == "3 december 2020"
    assert not press["swedish"].str.contains(" 0 ").any()


def test_tables_show_missing_as_not_published(frames):
    columns = ["year", "measure", "count", "rate_per_100k"]
    shown = tables.for_display(frames["yearly"], columns, "sv")
    row = shown[(shown["År"] == "2022") & (shown["Mått"] == "Sprängningar")].iloc[0]
    assert row["Antal"] == "ej publicerat" and row["Per 100 000 invånare"] == ""
    downloaded = tables.for_download(frames["yearly"], columns, "en")
    assert list(downloaded.columns) == ["Year", "Measure", "Count", "Per 100,000 inhabitants"]
    assert pd.isna(downloaded[(downloaded["Year"] == 2022) & (downloaded["Measure"] == "Explosions")]["Count"]).all()


def test_tables_format_the_extracts_counts_and_codes():
    # As incidents_by_period and reconciliation_by_year give them: an unknown total is missing,
    # which makes the column a float.
    periods = pd.DataFrame({"kind": ["shooting", "suspected_shooting"], "dead": [1.0, None], "injured": [1200.0, 2.0]})
    shown = tables.for_display(periods, ["kind", "dead", "injured"], "sv")
    assert shown.to_dict("list") == {
        "Typ": ["Skjutningar", "Misstänkta skjutningar"],
        "Döda": ["1", ""],
        "Skadade": ["1\u00a0200", "2"],
    }
    reconciliation = pd.DataFrame({"extract_count": [46.0, None, 50.0], "difference": [-1.0, None, 3.0]})
    shown = tables.for_display(reconciliation, ["extract_count", "difference"], "en")
    assert shown["In the extract"].tolist() == ["46", "", "50"]
    assert shown["Difference (extract minus published)"].tolist() == ["\u22121", "", "+3"]
    downloaded = tables.for_download(periods.join(reconciliation), ["kind", "dead", "difference"], "en")
    assert downloaded["Kind"].tolist() == ["Shootings", "Suspected shootings"]
    assert downloaded["Dead"].tolist()[0] == 1 and pd.isna(downloaded["Dead"].tolist()[1])
    csv = exports.csv_bytes(downloaded).decode("utf-8-sig")
    assert "Shootings,1,-1" in csv and "1.0" not in csv, "whole numbers, a spreadsheet's minus"


def test_csv_and_excel_downloads_hold_the_figures(frames):
    yearly = tables.for_download(frames["yearly"], ["year", "measure", "count", "source_id"], "sv")
    sources = tables.for_download(frames["sources"], ["source_id", "publisher", "title", "date_published"], "sv")
    read_back = pd.read_csv(io.BytesIO(exports.csv_bytes(yearly)), encoding="utf-8-sig")
    assert read_back[(read_back["År"] == 2017) & (read_back["Mått"] == "Skjutningar")]["Antal"].tolist() == [65]
    workbook = openpyxl.load_workbook(io.BytesIO(exports.excel_bytes({"Helårssiffror": yearly, "Källor": sources})))
    assert workbook.sheetnames == ["Helårssiffror", "Källor"]
    source_rows = list(workbook["Källor"].values)
    assert source_rows[0] == ("Källa", "Utgivare", "Titel", "Publicerad")
    assert ("press_release_2020_12_03", "Kriminalvården, Polisen, Malmö stad") == source_rows[
        1 + sources.index[sources["Källa"] == "press_release_2020_12_03"][0]
    ][:2]


def test_value_labels_fit_inside_the_axes(frames):
    us = in_language(frames["us"], "en")
    benchmark = charts.benchmark_figure(us, {"label": "Malmö", "change_pct": -69.2}, lang="en", title="x")
    low, high = benchmark.layout.xaxis.range
    assert low < -69.2 * 1.2 and high > 0
    trend_chart = trend(frames, "en")
    assert trend_chart.layout.yaxis.range[1] > 65 * 1.2  # shootings peak at 65 in 2017

"""The overview answers the question: the latest year with figures and when they were last updated, each measure's
latest figure against the last year before the programme (a choice kept in the URL), and a small trend chart of
each measure. Expectations are read from data/ (shipped.py), so a new year's figures break no test."""

from __future__ import annotations

import pandas as pd
import pytest
import shipped
from conftest import run_page
from streamlit.proto.Metric_pb2 import Metric

from slutaskjut import fmt, markdown, sentences
from slutaskjut.i18n import t
from slutaskjut.schema import MEASURES


def published() -> pd.DataFrame:
    """The whole-year figures the overview shows: Malmö's published headline figures."""
    yearly = shipped.tables()["malmo_yearly"]
    return yearly[yearly["is_headline"] & (yearly["status"] == "published") & yearly["count"].notna()]


def latest_years(to_year: int = 9999) -> dict[str, int]:
    """Each measure's latest year with a published figure, up to `to_year`."""
    rows = published()[published()["year"] <= to_year]
    return {measure: int(year) for measure, year in rows.groupby("measure")["year"].max().items()}


def before_programme() -> int:
    """The year before the milestone project_start: the comparison's default."""
    milestones = shipped.tables()["milestones"].set_index("milestone_id")
    return pd.Timestamp(milestones.loc["project_start", "date"]).year - 1


def last_published() -> str:
    """The latest publication date of a source of a whole-year figure shown or a part-year figure."""
    yearly = shipped.tables()["malmo_yearly"]
    provisional = yearly[(yearly["status"] == "provisional") & yearly["count"].notna()]
    source_ids = set(published()["source_id"]) | set(provisional["source_id"])
    sources = shipped.tables()["sources"].set_index("source_id")
    return max(str(date) for date in sources.loc[sorted(source_ids), "date_published"].dropna())


def cards(app) -> dict[str, Metric]:
    return {metric.label: metric.proto for metric in app.metric}


def card(app, measure: str, year: int, lang: str):
    return cards(app)[t("overview.metric_label", lang, measure=t(f"measure.{measure}", lang), year=year)]


def texts(app) -> str:
    return "\n".join(
        markdown.plain(element.value) for kind in ("markdown", "header", "info") for element in app.get(kind)
    )


def expected_change(measure: str, base_year: int, year: int, lang: str) -> str | None:
    base, now = shipped.headline(base_year, measure), shipped.headline(year, measure)
    if base is None or now is None or year <= base_year:
        return None
    return fmt.percent(100 * (now - base) / base, lang, signed=True)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_overview_says_the_latest_year_with_figures_and_when_they_were_updated(lang):
    app = run_page(None, lang=lang)
    assert not app.exception
    shown = texts(app)
    latest = latest_years()
    if len(set(latest.values())) == 1:
        assert t("overview.latest_year", lang, year=latest["shootings"]) in shown
    else:
        for year in set(latest.values()):
            names = [t(f"measure_lower.{measure}", lang) for measure in MEASURES if latest.get(measure) == year]
            assert markdown.plain(t("overview.latest_for", lang, year=year, measures=", ".join(names))) in shown
    assert markdown.plain(t("overview.updated", lang, date=fmt.date(last_published(), lang))) in shown


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_cards_compare_each_latest_year_with_the_year_before_the_programme(lang):
    app = run_page(None, lang=lang)
    base = before_programme()
    assert app.selectbox(key="base").value == str(base), "the default, with no base in the link"
    assert app.selectbox(key="base").options[0] == t("overview.base_option_default", lang, year=base)
    start = shipped.tables()["milestones"].set_index("milestone_id").loc["project_start", f"when_{lang}"]
    assert markdown.plain(t("overview.comparison_default", lang, base_year=base, start=start)) in texts(app)
    for measure, year in latest_years(shipped.default_years()[1]).items():
        shown = card(app, measure, year, lang)
        assert shown.body == fmt.count(shipped.headline(year, measure), lang)
        change = expected_change(measure, base, year, lang)
        if change is not None:
            assert (shown.delta, shown.delta_description) == (
                change,
                t("overview.delta_description", lang, base_year=base),
            )


def test_the_base_year_in_the_link_changes_the_cards_and_a_rise_shows_its_plus_sign():
    latest = latest_years(shipped.default_years()[1])
    candidates = [year for year in set(published()["year"]) if before_programme() != year < latest["shootings"]]
    # the base year from which shootings rose the most, else fell the least: a plus sign when the data has a rise
    base = min(candidates, key=lambda year: shipped.headline(year, "shootings") or float("inf"))
    app = run_page(None, lang="sv", base=str(base))
    assert app.selectbox(key="base").value == str(base)
    shootings = card(app, "shootings", latest["shootings"], "sv")
    change = expected_change("shootings", base, latest["shootings"], "sv")
    assert (shootings.delta, shootings.delta_description) == (
        change,
        t("overview.delta_description", "sv", base_year=base),
    )
    rising = shipped.headline(latest["shootings"], "shootings") > shipped.headline(base, "shootings")
    assert change.startswith("+" if rising else fmt.MINUS)
    assert shootings.direction == (Metric.MetricDirection.UP if rising else Metric.MetricDirection.DOWN)
    assert shootings.color == (Metric.MetricColor.RED if rising else Metric.MetricColor.GREEN), "fewer is better"
    for measure, year in latest.items():  # a card without a change says why in words
        if year <= base:
            why = t("overview.not_after_base", "sv", base_year=base)
        elif shipped.headline(base, measure) is None:
            why = t("overview.base_missing", "sv", base_year=base)
        else:
            continue
        assert card(app, measure, year, "sv").delta_description == why


def test_choosing_a_base_year_writes_it_into_the_link():
    app = run_page(None, lang="en")
    other = app.selectbox(key="base").options[-1]
    app.selectbox(key="base").set_value(other).run()
    assert app.query_params["base"] == other
    assert {metric.delta_description for metric in cards(app).values() if metric.delta} == {
        t("overview.delta_description", "en", base_year=other)
    }


def test_the_years_chosen_bound_the_cards():
    app = run_page(None, lang="sv", **{"from": "2017", "to": "2020"})
    base = before_programme()
    assert t("overview.headline", "sv", year=2020, base_year=base) in texts(app)
    for measure in MEASURES:
        shown = card(app, measure, 2020, "sv")
        assert shown.body == fmt.count(shipped.headline(2020, measure), "sv")
        assert shown.delta == expected_change(measure, base, 2020, "sv")
    shootings = shipped.headline(2020, "shootings")
    change = fmt.percent(
        abs(100 * (shootings - shipped.headline(base, "shootings")) / shipped.headline(base, "shootings")), "sv"
    )
    assert f"År 2020 registrerades {shootings} skjutningar i Malmö, {change} färre än år {base}" in texts(app)
    assert all(contact in texts(app) for contact in shipped.tables()["help_lines"]["contact"])


def test_a_base_year_not_offered_falls_back_to_the_default_with_a_notice():
    last = shipped.default_years()[1]
    app = run_page(None, lang="en", base=str(last))  # the last year itself: nothing to compare
    assert not app.exception
    assert app.selectbox(key="base").value == str(before_programme())
    assert f"'{last}' in the link (base)" in texts(app)


def test_every_measure_has_a_small_trend_chart_with_a_text_alternative():
    app = run_page(None, lang="sv")
    charts = {chart.proto.id.rsplit("_sparkline_", 1)[1]: chart.proto for chart in app.get("plotly_chart")}
    assert set(charts) == set(MEASURES)
    for measure, chart in charts.items():
        assert chart.alt.startswith(t(f"measure.{measure}", "sv")), "the text alternative names the measure"


def row(**values) -> pd.Series:
    fields = {"base_year": 2017, "year": 2023, "count_base": 65, "count_year": 40, "change_count": -25}
    fields |= {"change_pct": -38.46, "is_lower_bound_base": False, "is_lower_bound_year": False}
    return pd.Series(fields | values, name="shootings")


def test_a_card_fits_its_words_in_short_texts():
    fall = sentences.headline_card(row(), 2023, "sv")
    assert (fall["value"], fall["delta"], fall["delta_arrow"], fall["delta_color"]) == (
        "40",
        "\u221238\u00a0%",
        "down",
        "green",
    )
    rise = sentences.headline_card(row(count_base=20, change_count=20, change_pct=100.0), 2023, "en")
    assert (rise["delta"], rise["delta_arrow"], rise["delta_color"]) == ("+100%", "up", "red")
    none = sentences.headline_card(row(year=None, count_year=None, change_count=None, change_pct=None), 2023, "sv")
    assert (none["label"], none["value"], none["delta"]) == ("Skjutningar 2023", "–", None)
    assert none["delta_description"] == t("common.not_published", "sv"), "not published, in words under the dash"
    no_base = sentences.headline_card(row(count_base=None, change_count=None, change_pct=None), 2023, "en")
    assert (no_base["delta"], no_base["delta_description"]) == (None, "none for 2017")
    same_year = sentences.headline_card(row(year=2017, change_count=None, change_pct=None), 2023, "sv")
    assert same_year["delta_description"] == "inget år efter 2017"
    for card_texts in (fall, rise, none, no_base, same_year):  # a quarter of 1280 px: nothing long enough to be cut
        assert len(card_texts["value"]) <= 8 and len(markdown.plain(card_texts["delta_description"])) <= 20

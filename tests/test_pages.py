"""Every page renders in both languages, shows the published figures, and follows the URL."""

from __future__ import annotations

import io
import json

import plotly.graph_objects as go
import pytest
import shipped
from conftest import footer_lines, run_page
from test_load import rewrite

from slutaskjut import charts, markdown, paths
from slutaskjut.frame import PAGES
from slutaskjut.i18n import t

NBSP = "\u00a0"
SCRIPTS = {key: (None if script == "app.py" else script) for key, script in PAGES.items()}


def texts_of(app) -> str:
    """Everything a reader sees as text, tables included: Markdown as it reads, its escapes taken out."""
    kinds = ("title", "header", "subheader", "markdown", "caption", "info", "warning")
    parts = [markdown.plain(e.value) for kind in kinds for e in getattr(app, kind)]
    parts += [markdown.plain(f"{m.label} {m.value} {m.delta}") for m in app.metric]
    parts += [frame.value.to_string() for frame in app.dataframe]
    # the press page's sentences and their source lines, drawn by a component (clipboard.copy_cards)
    cards = [json.loads(part.proto.json).get("cards", []) for part in app.get("bidi_component")]
    parts += [f"{card['text']}\n{card['note']}" for part in cards for card in part]
    return "\n".join(str(part) for part in parts)


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("key", list(PAGES))
def test_page_renders_with_sources(key, lang):
    app = run_page(SCRIPTS[key], lang=lang)
    assert not app.exception, app.exception[0].value if app.exception else ""
    assert not app.error
    assert app.title[0].value == t(f"{key}.title", lang)
    assert t("footer.sources", lang) in [header.value for header in app.header]
    assert footer_lines(app), "every page ends with the sources behind it"
    links = app.get("page_link")
    assert [link.proto.label for link in links] == [t(f"nav.{page}", lang) for page in PAGES]


# Okabe and Ito's colours, which stay apart with every common colour-blindness, and the greys of the
# not-published bands and of legend-only markers.
OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
GREYS = {charts.NOT_PUBLISHED_COLOUR, "#555555"}


@pytest.mark.parametrize("key", ["trends", "benchmarks", "outreach", "map"])  # the pages with charts
def test_every_chart_has_a_text_alternative_a_table_and_safe_colours(key):
    app = run_page(SCRIPTS[key], lang="en", **{"from": "2016", "to": "2022"})
    plotly_charts, maps = app.get("plotly_chart"), app.get("deck_gl_json_chart")
    assert plotly_charts or maps, f"{key} draws a chart"
    captions = [markdown.plain(caption.value) for caption in app.caption]
    for chart in plotly_charts + maps:
        assert chart.proto.alt and chart.proto.alt in captions, "the description is the alt text and is shown"
        assert chart.proto.alt == markdown.plain(chart.proto.alt), "the alt text is plain text"
    # each chart has its rows in a table (view.chart puts one under it; the map lists its cells)
    assert len(app.dataframe) >= len(plotly_charts) + len(maps)
    for chart in plotly_charts:
        for trace in json.loads(chart.proto.spec)["data"]:
            colours = [trace.get("line", {}).get("color"), trace.get("marker", {}).get("color")]
            assert {colour.upper() for colour in colours if colour} <= OKABE_ITO | GREYS, (key, trace.get("name"))


@pytest.mark.parametrize("key", list(PAGES))
def test_every_chart_is_a_valid_plotly_figure(key):
    """charts._figure skips plotly's validation on a page run; plotly validates what every page draws here."""
    app = run_page(SCRIPTS[key], lang="sv", **{"from": "2011", "to": "2025", "scale": "rate_per_100k"})
    for chart in app.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        assert go.Figure(spec).to_plotly_json()["data"] == go.Figure(spec, _validate=False).to_plotly_json()["data"]


def test_trends_page_shows_the_yearly_table_and_notes():
    app = run_page("pages/trends.py", lang="en", **{"from": "2016", "to": "2020"})
    table = app.dataframe[0].value
    shootings_2017 = table[(table["Year"] == "2017") & (table["Measure"] == "Shootings")]
    assert shootings_2017["Count"].tolist() == ["65"] and shootings_2017["Per 100,000 inhabitants"].tolist() == ["19.5"]
    text = texts_of(app)
    assert "Provisional: 19 shootings in 2020 up to 3 December 2020" in text
    assert "2016, shootings: 59 according to NRK; 61 according to Malmö stad is shown here." in text
    assert "1. February 2018: Sluta skjut starts" in text


def test_trends_page_switches_to_rates():
    app = run_page("pages/trends.py", lang="sv", **{"from": "2017", "to": "2017"})
    app.radio(key="scale").set_value("rate_per_100k").run()
    assert "Skjutningar: 19,5 år 2017" in texts_of(app)


def test_page_choices_live_in_the_url():
    app = run_page("pages/trends.py", lang="en", **{"from": "2017", "to": "2017"})
    app.radio(key="scale").set_value("rate_per_100k").run()
    assert app.query_params["scale"] == "rate_per_100k"
    app.slider(key="years").set_value((2016, 2017)).run()
    assert app.query_params["scale"] == "rate_per_100k", "changing the years keeps the page's choice"
    linked = run_page("pages/trends.py", lang="sv", scale="rate_per_100k", **{"from": "2017", "to": "2017"})
    assert linked.radio(key="scale").value == "rate_per_100k"
    assert "Skjutningar: 19,5 år 2017" in texts_of(linked)


def test_an_unknown_choice_in_the_url_falls_back_with_a_notice():
    app = run_page("pages/benchmarks.py", lang="en", measure="robberies")
    assert not app.exception
    assert app.selectbox(key="measure").value == "shootings"
    assert "'robberies' in the link (measure) is not one of the choices; showing shootings." in texts_of(app)


def test_benchmarks_page():
    app = run_page("pages/benchmarks.py", lang="sv", **{"from": "2017", "to": "2020"})
    text = texts_of(app)
    assert f"Boston \u221263{NBSP}%" in text and f"Malmö: \u221269{NBSP}% skjutningar 2017–2020" in text
    assert t("benchmarks.caveat", "sv") in text
    app.selectbox(key="measure").set_value("explosions").run()
    assert f"\u221273{NBSP}% sprängningar 2017–2020" in texts_of(app)


def test_outreach_page():
    app = run_page("pages/outreach.py", lang="sv", **{"from": "2016", "to": "2022"})
    text = texts_of(app)
    assert f"Sökte stöd från avhopparverksamheten 7 (30{NBSP}%)" in text
    assert "Ville ha hjälp direkt på plats 5 (21" in text
    assert "minst 100 personer" in text and "minst 40 personer" in text
    assert "25 personer" in text and "49 samtal" in text


def test_outreach_page_outside_the_rounds():
    app = run_page("pages/outreach.py", lang="en", **{"from": "2016", "to": "2018"})
    assert "No figures for 2016–2018." in texts_of(app)
    assert not app.exception


def test_press_page_sentences_and_downloads():
    app = run_page("pages/press.py", lang="en", **{"from": "2017", "to": "2020"})
    sentences = app.dataframe[0].value
    assert "In 2017, there were 65 shootings in Malmö." in sentences["Sentence"].tolist()
    cards = [card for part in app.get("bidi_component") for card in json.loads(part.proto.json).get("cards", [])]
    assert "In 2017, there were 65 shootings in Malmö." in [card["text"] for card in cards], "on a card, to copy"
    downloads = app.get("download_button")
    assert len(downloads) >= 10  # the key-figure table, the press pack, the workbook and a CSV per table
    (pack,) = [button for button in downloads if button.proto.id.endswith("-download_press_pack")]
    assert pack.proto.label == t("press.pack", "en")


@pytest.mark.parametrize(("script", "params"), [("pages/trends.py", {}), ("pages/outreach.py", {"from": "2016"})])
def test_every_chart_has_png_and_svg_downloads(script, params):
    app = run_page(script, lang="sv", **params)
    charts = [chart.proto.id.rsplit("-chart_", 1)[1] for chart in app.get("plotly_chart")]
    assert len(charts) >= 2
    buttons = {button.proto.id.rsplit("-download_", 1)[1]: button.proto.label for button in app.get("download_button")}
    for name in charts:
        assert (buttons[f"{name}_png"], buttons[f"{name}_svg"]) == (t("image.png", "sv"), t("image.svg", "sv"))


def test_about_page_lists_every_source():
    app = run_page("pages/about.py", lang="sv")
    text = texts_of(app)
    assert "Kriminalvården, Polisen, Malmö stad" in text and "Sluta skjut i allvarliga samtal med kriminella" in text
    assert t("data_file.malmo_yearly", "sv") in text and ".csv" not in text, "the data dictionary names files in words"


@pytest.mark.parametrize("key", list(PAGES))
def test_tables_name_sources_by_publisher_and_rounds_by_name_never_by_id(key):
    """No table on a page shows an internal id: a source is its publisher and date, a round its name."""
    data = shipped.tables()
    ids = set(data["sources"]["source_id"]) | set(data["outreach_rounds"]["round_id"])
    app = run_page(SCRIPTS[key], lang="sv", **{"from": "2016", "to": "2025"})
    for frame in app.dataframe:
        cells = {str(cell) for column in frame.value.columns for cell in frame.value[column]}
        shown = {cell for cell in cells if any(part in ids for part in cell.replace(";", " ").split())}
        assert not shown, f"{key}: {sorted(shown)[:3]}"


def test_url_parameters_set_the_filters_and_links():
    app = run_page("pages/trends.py", lang="en", **{"from": "2018", "to": "2019"})
    assert app.slider(key="years").value == (2018, 2019)
    assert app.radio(key="lang").value == "en"
    assert set(app.dataframe[0].value["Year"]) == {"2018", "2019"}
    for link in app.get("page_link"):
        assert "lang=en" in link.proto.query_string and "from=2018" in link.proto.query_string


@pytest.mark.parametrize(
    "params", [{"from": "abc"}, {"to": "1800"}, {"lang": "xx"}, {"from": "2020", "to": "2017"}, {"from": ""}]
)
def test_odd_url_values_fall_back_with_a_notice(params):
    app = run_page("pages/trends.py", **params)
    assert not app.exception
    assert len(app.info) >= 1
    first, last = shipped.default_years()
    assert app.slider(key="years").value == (first, last)
    assert (app.query_params["from"], app.query_params["to"]) == (str(first), str(last))


def test_changing_filters_updates_the_url():
    app = run_page("pages/benchmarks.py", lang="sv")
    app.slider(key="years").set_value((2017, 2019)).run()
    assert (app.query_params["from"], app.query_params["to"]) == ("2017", "2019")
    app.radio(key="lang").set_value("en").run()
    assert app.query_params["lang"] == "en"
    assert app.title[0].value == t("benchmarks.title", "en")


def population_problem(lang: str) -> str:
    """The problem of population.csv with "many" in row 2, as a page in `lang` lists it."""
    message = t("data_problem.not_whole_number", lang, value="many")
    return t("data_problem.where", lang, file="population.csv", row=2, column="population", message=message)


def test_broken_data_is_a_message_not_a_traceback(data_copy, tmp_path, monkeypatch):
    rewrite(data_copy / "population.csv", lambda rows: rows[1].__setitem__(1, "many"))
    monkeypatch.setenv("SLUTASKJUT_DATA", str(data_copy))
    monkeypatch.setenv("SLUTASKJUT_DB", str(tmp_path / "never-built.duckdb"))
    app = run_page(None)
    assert not app.exception
    assert population_problem("sv") in app.error[0].value, "in the page's language"


def test_broken_data_keeps_showing_the_last_valid_data(data_copy, database_path, monkeypatch):
    rewrite(data_copy / "population.csv", lambda rows: rows[1].__setitem__(1, "many"))
    monkeypatch.setenv("SLUTASKJUT_DATA", str(data_copy))
    app = run_page(None, **{"from": "2017", "to": "2020"})
    assert not app.exception
    assert population_problem("sv") in app.warning[0].value
    assert {m.label: m.value for m in app.metric}["Skjutningar 2020"] == "20"


@pytest.mark.parametrize("key", list(PAGES))
def test_a_filter_change_reads_no_data_file(monkeypatch, key):
    """Once the database is built, a page run checks the data files' times and sizes, never their bytes."""
    run_page(SCRIPTS[key], lang="sv")
    data_dir = str(paths.data_dir())
    opened = []
    real_open = io.open

    def counting_open(file, *args, **kwargs):
        if str(file).startswith(data_dir):
            opened.append(str(file))
        return real_open(file, *args, **kwargs)

    # pathlib's read_bytes and read_text open through io.open, the csv reader through open
    monkeypatch.setattr("builtins.open", counting_open)
    monkeypatch.setattr("io.open", counting_open)
    app = run_page(SCRIPTS[key], lang="sv", **{"from": "2017", "to": "2019"})
    assert not app.exception
    assert opened == []


def test_a_charts_table_is_made_only_once_opened():
    """Closed, a chart's table is not made on a run (widgets.folded); opened, it is there with its CSV download."""
    closed = run_page("pages/trends.py", lang="sv", open_tables=False)
    opened = run_page("pages/trends.py", lang="sv")
    charts = [chart.proto.id.rsplit("-chart_", 1)[1] for chart in opened.get("plotly_chart")]
    folded = [expander.key for expander in closed.expander if expander.key]
    assert folded == [f"table_{name}" for name in charts], "a folded table under each chart"
    assert not [e for e in closed.expander if e.key in folded and (e.get("dataframe") or e.get("download_button"))]
    for name in charts:
        (expander,) = [e for e in opened.expander if e.key == f"table_{name}"]
        assert len(expander.get("dataframe")) == 1, name
        assert [b.proto.id.rsplit("-download_", 1)[1] for b in expander.get("download_button")] == [name]

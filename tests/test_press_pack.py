"""The press pack (one ZIP) and formula-safe CSV and Excel downloads."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pandas as pd
import pytest
import shipped
from conftest import run_page
from test_images import png_size, record_downloads

from slutaskjut import exports, fmt, images, markdown
from slutaskjut.i18n import t
from slutaskjut.queries import run_query

TABLES = ["sentences", "yearly", "provisional", "sweden", "malmo_share", "changes", "us_results"]
TABLES += ["us_city_series", "us_city_counts", "outreach", "milestones", "findings", "sources"]


@pytest.fixture(scope="module")
def press_page():
    """The Press page for 2017–2020 in Swedish: its downloads by key, the page, and its pack opened."""
    patch = pytest.MonkeyPatch()
    offered = record_downloads(patch)
    app = run_page("pages/press.py", lang="sv", **{"from": "2017", "to": "2020"})
    patch.undo()
    assert not app.exception, app.exception[0].value if app.exception else ""
    label, build, options = offered["download_press_pack"]
    assert label == t("press.pack", "sv") and callable(build), "built and rendered on click only"
    assert (options["file_name"], options["mime"]) == ("sluta-skjut-press-2017-2020.zip", "application/zip")
    return offered, app, zipfile.ZipFile(io.BytesIO(build()))


def test_the_pack_holds_every_file_in_a_fixed_order(press_page):
    _, _, pack = press_page
    assert pack.namelist() == [
        "README.md",
        "key-figures-sv.md",
        "key-figures-en.md",
        "sluta-skjut-2017-2020.xlsx",
        *(f"tables/{name}-2017-2020.csv" for name in TABLES),
        "charts/malmo_by_year.png",
        "charts/us_results.png",
    ]
    assert {info.date_time for info in pack.infolist()} == {(2020, 12, 31, 0, 0, 0)}, "the day the data runs to"


def test_the_pack_has_the_sentences_in_both_languages_with_source_and_date(press_page, con):
    _, app, pack = press_page
    shown = app.dataframe[0].value  # the key figures as the page's table shows them (Swedish)
    swedish = pack.read("key-figures-sv.md").decode()
    english = pack.read("key-figures-en.md").decode()
    assert swedish.startswith(
        "# Sluta skjut: nyckeltal 2017–2020\n\nUppgifterna avser tiden fram till 31 december 2020."
    )
    assert english.startswith("# Sluta skjut: key figures 2017–2020\n\nThe figures run to 31 December 2020.")
    downloaded = pd.read_csv(
        io.BytesIO(pack.read("tables/sentences-2017-2020.csv")), encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    for row in downloaded.to_dict("records"):  # each with its source in full and its date
        source = t("press_pack.sentence_source", "sv", source=row["Källa"], date=row["Källans datum"])
        assert f"- {markdown.escape(row['Svenska'])} {source}" in swedish
    yearly = shipped.tables()["malmo_yearly"].set_index(["year", "measure", "is_headline"])
    source = shipped.tables()["sources"].set_index("source_id").loc[yearly.loc[(2017, "shootings", True), "source_id"]]
    count = shipped.headline(2017, "shootings")
    name = t("sentence.source", "en", publisher=source["publisher"], title=source["title"])
    cited = t("press_pack.sentence_source", "en", source=name, date=fmt.date(source["date_published"], "en"))
    assert f"- {t('sentence.yearly_shootings', 'en', year=2017, count=count)} {cited}" in english
    assert "## Helårssiffra" in swedish and "## Full-year figure" in english
    assert swedish.count("\n- ") == english.count("\n- ") == len(shown)


def test_the_pack_tables_are_the_page_downloads(press_page):
    offered, app, pack = press_page
    for name in TABLES:
        page_csv = offered[f"download_table_name.{name}"][1]()  # made on click
        packed = pack.read(f"tables/{name}-2017-2020.csv")
        assert packed == page_csv, name
        rows = pd.read_csv(io.BytesIO(packed), encoding="utf-8-sig")
        assert len(rows) > 0 and list(rows.columns)[0] != "Unnamed: 0", name
    sentences = pd.read_csv(
        io.BytesIO(pack.read("tables/sentences-2017-2020.csv")), encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    shown = app.dataframe[0].value
    assert sentences[["Siffra", "Svenska"]].values.tolist() == shown[["Siffra", "Mening"]].values.tolist()
    assert sentences["Engelska"].str.len().gt(0).all()
    yearly = pd.read_csv(io.BytesIO(pack.read("tables/yearly-2017-2020.csv")), encoding="utf-8-sig")
    assert yearly[(yearly["År"] == 2017) & (yearly["Mått"] == "Skjutningar")]["Antal"].tolist() == [65]
    assert len(yearly) == 16, "four measures in four years"

    workbook = openpyxl.load_workbook(io.BytesIO(pack.read("sluta-skjut-2017-2020.xlsx")))
    assert workbook.sheetnames == [t(f"table_name.{name}", "sv")[:31] for name in TABLES]
    sources = list(workbook[t("table_name.sources", "sv")].values)
    assert sources[0][:3] == ("Källa", "Typ", "Utgivare") and len(sources) - 1 == len(
        pd.read_csv(io.BytesIO(pack.read("tables/sources-2017-2020.csv")), encoding="utf-8-sig")
    )


def test_the_pack_charts_are_pngs(press_page):
    _, _, pack = press_page
    trend = png_size(pack.read("charts/malmo_by_year.png"))
    benchmark = png_size(pack.read("charts/us_results.png"))
    landscape = (images.WIDTH * 2, images.HEIGHT * 2)  # at scale 2, for print
    assert trend == benchmark == landscape and landscape[0] > landscape[1]


def test_the_readme_names_every_source_and_the_date(press_page, con):
    _, _, pack = press_page
    readme = pack.read("README.md").decode()
    assert "Uppgifterna avser tiden fram till 31 december 2020." in readme
    years = {"from_year": 2017, "to_year": 2020}
    frames = [
        run_query(con, "incidents_by_year", **years),
        run_query(con, "provisional_figures", **years),
        run_query(con, "change_between_years", base_year=2017, year=2020),
        run_query(con, "us_results"),
        run_query(con, "outreach_by_round_and_stage", **years),
        run_query(con, "evaluation_findings"),
        run_query(con, "changes_by_year", **years),
        run_query(con, "milestones", **years),
    ]
    source_ids = sorted({v for f in frames for c in f.columns if c.endswith("source_id") for v in f[c].dropna()})
    sources = run_query(con, "sources", source_ids=source_ids)
    assert len(sources) == len(source_ids) > 10
    for source in sources.itertuples():
        date = fmt.date(source.date_published, "sv")
        assert f"- **{markdown.escape(source.publisher)}**: {markdown.escape(source.title)} (" in readme, (
            source.source_id
        )
        assert date is None or f"publicerad {date}" in readme
    for name in pack.namelist()[1:]:
        assert f"- `{name}`: " in readme


# Formula-safe downloads ------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "-2 text", "@SUM(A1)", "\t=1", "\r=1"]


def test_formula_cells_are_neutralised_in_csv_and_excel():
    frame = pd.DataFrame(
        {
            "text": [*FORMULAS, "ok", None],
            "number": [-63, 1, 2, 3, 4, 5, 6, 7],
            "mixed": [-63, "fewer than 3", "-x", None, 1.5, "2020-12-03", "−69 %", "a-b"],
        }
    )
    read = pd.read_csv(io.BytesIO(exports.csv_bytes(frame)), encoding="utf-8-sig", keep_default_na=False)
    assert read["text"].tolist() == [*(f"'{f}" for f in FORMULAS), "ok", ""]
    assert read["number"].tolist() == [-63, 1, 2, 3, 4, 5, 6, 7]
    assert read["mixed"].tolist() == ["-63", "fewer than 3", "'-x", "", "1.5", "2020-12-03", "−69 %", "a-b"]
    assert exports.csv_bytes(frame).decode("utf-8-sig").splitlines()[1].endswith(",-63,-63")

    sheet = openpyxl.load_workbook(io.BytesIO(exports.excel_bytes({"s": frame})))["s"]
    rows = list(sheet.values)[1:]
    assert [row[0] for row in rows][:4] == [f"'{f}" for f in FORMULAS[:4]]
    assert rows[4][0] == "'\t=1" and rows[5][0] in ("'\r=1", "'\n=1")  # openpyxl may store CR as LF
    assert rows[0][1] == -63 and rows[0][2] == -63 and sheet["B2"].data_type == sheet["C2"].data_type == "n"
    assert rows[2][2] == "'-x" and rows[1][2] == "fewer than 3"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row), "no formula anywhere"


def test_formula_headers_are_neutralised_too():
    frame = pd.DataFrame({"=cmd": ["x"]})
    assert exports.csv_bytes(frame).decode("utf-8-sig").startswith("'=cmd\r\n")

"""Benchmarks: the US results beside Malmö's own raw change, with each study's caveats, and Malmö's
shootings beside the US cities' own yearly series (an index, and a rate where a population is sourced)."""

import streamlit as st

from slutaskjut import charts, fmt, markdown, sentences
from slutaskjut.frame import page
from slutaskjut.i18n import in_language
from slutaskjut.schema import MEASURES

SCALES = ["index_value", "rate_per_100k"]

view = page("benchmarks")
st.title(view.t("benchmarks.title"))
st.write(view.t("benchmarks.intro"))
measure = view.choice(
    "measure",
    list(MEASURES),
    view.t("benchmarks.measure"),
    format_func=lambda m: view.t(f"measure.{m}"),
    widget=st.selectbox,
)

us_results = view.query("us_results")
change = view.query("change_between_years", base_year=view.year_from, year=view.year_to).set_index("measure")
malmo_change = change.loc[measure, "change_pct"]
malmo = {
    "label": view.t(
        "benchmarks.malmo_bar", measure=view.t(f"measure.{measure}"), base_year=view.year_from, year=view.year_to
    ),
    "change_pct": malmo_change,
}
localised = in_language(us_results, view.lang)
figure = charts.benchmark_figure(
    localised,
    malmo,
    lang=view.lang,
    title=view.t("benchmarks.chart_title", base_year=view.year_from, year=view.year_to),
)
st.warning(view.t("benchmarks.caveat"))
view.chart(
    figure,
    sentences.describe_benchmarks(us_results, malmo_change, measure, view.year_from, view.year_to, view.lang),
    us_results,
    ["city", "quoted_change_pct", "quoted_outcome", "metric", "study_period", "study", "design", "study_source_id"],
    "us_results",
    sources=[change.loc[[measure]]],  # Malmö's bar
)

st.header(view.t("benchmarks.studies"))
studies = []  # a paragraph a study, all in one element: an element a study costs a render each
for row in localised.itertuples():
    period = row.study_period if isinstance(row.study_period, str) else view.t("benchmarks.period_unknown")
    study = view.t(
        "benchmarks.study",
        city=row.city,
        programme=row.programme,
        since=view.t("benchmarks.programme_from", year=row.programme_start_year),
        metric=row.metric,
        period=period,
        study=row.study,
        design=row.design,
    )
    caveat = view.t("benchmarks.study_caveat", caveat=row.caveat) if isinstance(row.caveat, str) else None
    studies.append(f"{study} {caveat}" if caveat else study)
if studies:
    st.markdown("\n\n".join(studies))

st.header(view.t("benchmarks.review"))
findings = in_language(view.query("evaluation_findings"), view.lang).set_index("finding_id")["finding"]
st.markdown(
    "\n".join(
        f"- {markdown.escape(finding)}"
        for finding in findings.reindex(["systematic_review", "effect_evaluation"]).dropna()
    )
)

st.header(view.t("benchmarks.series"))
st.write(view.t("benchmarks.series_intro"))
st.warning(view.t("benchmarks.series_caveat"))
scale = view.choice("scale", SCALES, view.t("benchmarks.scale"), format_func=lambda s: view.t(f"benchmarks.scale_{s}"))
years = {"from_year": view.year_from, "to_year": view.year_to}
# the index's base years are those of the whole series, also where they lie outside the chosen years
series = view.query("shootings_index_by_city_and_year", **years)
series_title = view.t(f"benchmarks.series_title_{scale}", years=fmt.year_range(view.year_from, view.year_to))
view.chart(
    charts.city_series_figure(series, value_column=scale, lang=view.lang, title=series_title),
    sentences.describe_city_series(series, scale, view.lang),
    series,
    ["city", "year", scale, "count", "unit", "base_year", "population_for_rate", "population_year"]
    + [other for other in SCALES if other != scale]
    + ["source_id"],
    "us_city_series",
)
no_population = sorted(set(series["city"]) - set(series.loc[series["population_for_rate"].notna(), "city"]))
if no_population:
    st.caption(view.t("benchmarks.no_population", cities=", ".join(no_population)))

st.header(view.t("benchmarks.counts"))
st.write(view.t("benchmarks.counts_intro"))
counts = view.query("us_city_counts_by_year", **years)
view.table(counts, ["city", "year", "total", "fatal", "non_fatal", "unit", "source_id", "note"], "us_city_counts")

st.header(view.t("benchmarks.comparison"))
comparison = view.query("us_city_source_comparison", **years)
st.write(sentences.source_comparison_summary(comparison, view.lang))
view.table(
    comparison,
    ["city", "year", "measure", "headline_count", "other_count", "other_minus_shown", "unit", "headline_source_id"]
    + ["other_source_id", "note"],
    "us_city_source_comparison",
)

view.footer()

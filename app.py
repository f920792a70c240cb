"""Overview: each measure's latest figure against the last year before the programme, its trend, and help lines."""

import streamlit as st

from slutaskjut import charts, fmt, markdown, sentences
from slutaskjut.frame import page
from slutaskjut.i18n import in_language
from slutaskjut.schema import MEASURES

LAST_YEAR = 9999  # no year after it: a query's range up to the last year there is

view = page("overview")
st.title(view.t("overview.title"))
st.write(view.t("overview.intro"))

# The whole data, whatever the years chosen: the latest year with figures and when they were published.
milestones = in_language(view.query("milestones", from_year=0, to_year=LAST_YEAR), view.lang).set_index("milestone_id")
start = milestones.loc["project_start"] if "project_start" in milestones.index else None
before_programme = start["date"].year - 1 if start is not None else None
# Only each measure's latest year is read here: the base year does not matter.
latest = view.query("change_to_latest_year", base_year=before_programme or 0, to_year=LAST_YEAR)
last_published = view.query("figures_last_published")["source_published"].iloc[0]
st.markdown(sentences.latest_figures(latest, last_published, view.lang))

# The cards compare each measure's latest year with figures up to the sidebar's last year with a base year,
# by default the last year before the programme; the sidebar's years also set the small charts.
with_figures = [year for year in view.query("years_with_figures")["year"] if year <= view.year_to]
bases = [year for year in with_figures if year < with_figures[-1]] if with_figures else []
if before_programme in bases:  # the choice's first option is its default
    bases.remove(before_programme)
    bases.insert(0, before_programme)
explanation = st.container()
base = None
if bases:
    with st.columns([1, 2])[0]:
        base = int(
            view.choice(
                "base",
                [str(year) for year in bases],
                view.t("overview.base_label"),
                format_func=lambda year: (
                    view.t("overview.base_option_default", year=year) if int(year) == before_programme else year
                ),
                widget=st.selectbox,
            )
        )
change = view.query("change_to_latest_year", base_year=base or view.year_to, to_year=view.year_to)
change = change.set_index("measure")
with explanation:
    if base is None:
        st.info(view.t("overview.no_base"))
    else:
        years = set(change["year"].dropna())
        headline = (
            view.t("overview.headline", year=years.pop(), base_year=base)
            if len(years) == 1
            else view.t("overview.headline_latest", base_year=base)
        )
        st.header(headline)
        key, values = "overview.comparison_chosen", {"default_year": before_programme}
        if base == before_programme or start is None:
            key, values = "overview.comparison_default", {}
        lines = [] if start is None else [view.t(key, base_year=base, start=start["when"], **values)]
        st.markdown(" ".join([*lines, view.t("overview.comparison_range", year_to=view.year_to)]))

yearly = view.query("incidents_by_year", from_year=view.year_from, to_year=view.year_to)
years_text = fmt.year_range(view.year_from, view.year_to)
for column, measure in zip(st.columns(len(MEASURES)), MEASURES, strict=True):
    with column:
        st.metric(**sentences.headline_card(change.loc[measure], view.year_to, view.lang), border=True)
        title = view.t("overview.sparkline_title", measure=view.t(f"measure.{measure}"), years=years_text)
        rows = yearly[yearly["measure"] == measure]
        view.small_chart(
            charts.sparkline_figure(yearly, measure, view.lang, markdown.plain(title)),
            sentences.describe_trend(rows, "count", view.lang),
            f"sparkline_{measure}",
        )

# Part-year figures of the years after a measure's card: the newest figures are seen on the first page,
# each as provisional with its date, never as the year's.
card_years = change["year"].dropna()
if len(card_years):
    later = view.query("provisional_figures", from_year=int(card_years.min()) + 1, to_year=LAST_YEAR)
    later = later[later["year"] > later["measure"].map(card_years).fillna(0)]
    if len(later):
        st.markdown(view.t("overview.part_year"))
        st.markdown(
            "\n".join(
                "- "
                + view.t(
                    "trends.provisional_note",
                    count=fmt.qualified(row.count, view.lang, at_least=fmt.flagged(row)),
                    measure=view.t(f"measure_lower.{row.measure}"),
                    year=row.year,
                    date=fmt.date(row.as_of, view.lang),
                )
                for row in later.itertuples()
            )
        )

if base is not None:
    st.markdown(sentences.overview_summary(change.reset_index(), None if start is None else start["when"], view.lang))

st.header(view.t("overview.help_title"))
help_lines = in_language(view.query("help_lines"), view.lang)
# a paragraph a purpose, all in one element: an element a purpose costs a render each
purposes = [
    view.t("overview.help_line", purpose=purpose, contacts=markdown.join(" · ", lines["contact"]))
    for purpose, lines in help_lines.groupby("purpose", sort=False)
]
if purposes:
    st.markdown("\n\n".join(purposes))

view.footer()

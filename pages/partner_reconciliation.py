"""For partners: the incident extract beside the published figures in detail.

The part of each year each source of the extract covers (incident_coverage_by_year, from the model
incident_coverage), the yearly totals beside the published figures (reconciliation_by_year), and
every year and measure where they do not match, listed with the sources that cover that year.
"""

import streamlit as st

from slutaskjut import fmt, sections, sentences
from slutaskjut.frame import page

view = page("partner_reconciliation", partner=True)
st.title(view.t("partner_reconciliation.title"))
st.write(view.t("partner_reconciliation.intro"))

years = {"from_year": view.year_from, "to_year": view.year_to}
year_span = fmt.year_range(view.year_from, view.year_to)

if view.extract("incidents") is None:
    st.info(view.t("partner_reconciliation.no_extract"))
else:
    st.subheader(view.t("partner_reconciliation.coverage_title"))
    coverage = view.query("incident_coverage_by_year", **years)
    if coverage.empty:
        st.info(view.t("partner_reconciliation.no_coverage", years=year_span))
    else:
        st.caption(view.t("partner_reconciliation.coverage_note"))
        view.table(
            coverage,
            [
                "source",
                "year",
                "period_start",
                "period_end",
                "days_covered",
                "covers_year",
                "incidents",
                "shootings",
                "suspected_shootings",
                "explosions",
            ],
            "partner_incident_coverage_by_year",
        )

    st.subheader(view.t("partner_reconciliation.comparison_title"))
    reconciliation = view.query("reconciliation_by_year", **years)
    if reconciliation.empty:
        st.info(view.t("trends.no_reconciliation", years=year_span))
    else:
        st.markdown(f"**{sentences.reconciliation_summary(reconciliation, view.lang)}**")
        differences = sentences.reconciliation_differences(reconciliation, coverage, view.lang)
        if differences:
            st.markdown(f"**{view.t('partner_reconciliation.differences_title')}**")
            st.markdown("\n".join(f"- {line}" for line in differences))
        else:
            st.success(view.t("partner_reconciliation.no_differences", years=year_span))
        view.table(
            reconciliation,
            sections.RECONCILIATION_COLUMNS,
            "partner_reconciliation_by_year",
        )

view.footer()

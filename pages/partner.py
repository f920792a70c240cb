"""For partners: outreach with every count, the reconciliation in detail, and the import history.

One page, public by name as the sign-in button is, whose sections are a choice in the URL
(?section=outreach). The frame shows it to signed-in partners only (page(..., partner=True)); anyone
else gets a sign-in prompt, a refusal or, without sign-in configured, what an unknown address gets.

- outreach: the same query as the public Outreach page (outreach_funnel_by_round_and_month), run
  without suppression: counts of 1 and 2 appear as they are. Still aggregates only, never a person's row.
- reconciliation: the part of each year each source of the extract covers (incident_coverage_by_year),
  the yearly totals beside the published figures (reconciliation_by_year), and every year and measure
  where they do not match, listed with the sources that cover that year.
- imports: when each extract was imported, from which files and by whom.
"""

import streamlit as st

from slutaskjut import fmt, privacy, sections, sentences
from slutaskjut.frame import PARTNER_SECTIONS, page

view = page("partner", partner=True)
st.title(view.t("nav.partner"))
section = view.choice(
    "section", PARTNER_SECTIONS, view.t("partner.section"), format_func=lambda key: view.t(f"partner_{key}.title")
)


def outreach() -> None:
    st.warning(view.t("partner.confidential", threshold=privacy.min_count()), icon=":material/lock:")
    if view.extract("interventions") is None:
        st.info(view.t("partner_outreach.no_extract"))
        return
    contacts = view.unsuppressed("outreach_funnel_by_round_and_month", from_year=view.year_from, to_year=view.year_to)
    sections.contact_funnels(view, contacts, prefix="partner_")


def reconciliation() -> None:
    if view.extract("incidents") is None:
        st.info(view.t("partner_reconciliation.no_extract"))
        return
    years = {"from_year": view.year_from, "to_year": view.year_to}
    year_span = fmt.year_range(view.year_from, view.year_to)
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
                "incidents",
                "shootings",
                "suspected_shootings",
                "explosions",
                "days_covered",
                "covers_year",
                "period_start",
                "period_end",
            ],
            "partner_incident_coverage_by_year",
        )

    st.subheader(view.t("partner_reconciliation.comparison_title"))
    compared = view.query("reconciliation_by_year", **years)
    if compared.empty:
        st.info(view.t("trends.no_reconciliation", years=year_span))
        return
    st.markdown(f"**{sentences.reconciliation_summary(compared, view.lang)}**")
    differences = sentences.reconciliation_differences(compared, coverage, view.lang)
    if differences:
        st.markdown(f"**{view.t('partner_reconciliation.differences_title')}**")
        st.markdown("\n".join(f"- {line}" for line in differences))
    else:
        st.success(view.t("partner_reconciliation.no_differences", years=year_span))
    view.table(compared, sections.RECONCILIATION_COLUMNS, "partner_reconciliation_by_year")


def imports() -> None:
    history = view.query("import_history")
    if history.empty:
        st.info(view.t("partner_imports.none"))
    else:
        st.markdown(
            "\n".join(
                "- "
                + view.t(
                    "partner_imports.line",
                    when=fmt.timestamp(row.imported_at, view.lang),
                    dataset=view.t(f"extract.{row.extract}"),
                    files=row.file_names,
                    read=fmt.count(row.rows_read, view.lang),
                    added=fmt.count(row.rows_added, view.lang),
                    replaced=fmt.count(row.rows_replaced, view.lang),
                    unchanged=fmt.count(row.rows_unchanged, view.lang),
                    skipped=fmt.count(row.rows_skipped, view.lang),
                    by=row.imported_by,
                )
                for row in history.itertuples()
            )
        )
        view.table(
            history,
            [
                "imported_at",
                "extract",
                "rows_read",
                "rows_added",
                "rows_replaced",
                "rows_unchanged",
                "rows_skipped",
                "file_names",
                "imported_by",
                "file_sha256",
            ],
            "partner_import_history",
        )
    # The extracts as they are now: the footer names them, and says whether they are still synthetic.
    for dataset in ("incidents", "interventions"):
        view.extract(dataset, warn=False)


st.header(view.t(f"partner_{section}.title"))
st.write(view.t(f"partner_{section}.intro"))
{"outreach": outreach, "reconciliation": reconciliation, "imports": imports}[section]()
view.footer()

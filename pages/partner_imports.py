"""For partners: the import history, when each extract was imported, from which files and by whom."""

import streamlit as st

from slutaskjut import fmt
from slutaskjut.frame import page

view = page("partner_imports", partner=True)
st.title(view.t("partner_imports.title"))
st.write(view.t("partner_imports.intro"))

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
                files=fmt.verbatim(row.file_names),
                read=fmt.count(row.rows_read, view.lang),
                added=fmt.count(row.rows_added, view.lang),
                replaced=fmt.count(row.rows_replaced, view.lang),
                unchanged=fmt.count(row.rows_unchanged, view.lang),
                skipped=fmt.count(row.rows_skipped, view.lang),
                by=fmt.verbatim(row.imported_by),
            )
            for row in history.itertuples()
        )
    )
    view.table(
        history,
        [
            "imported_at",
            "extract",
            "file_names",
            "rows_read",
            "rows_added",
            "rows_replaced",
            "rows_unchanged",
            "rows_skipped",
            "imported_by",
            "file_sha256",
        ],
        "partner_import_history",
    )

# The extracts as they are now: the footer names them, and says whether they are still synthetic.
for dataset in ("incidents", "interventions"):
    view.extract(dataset, warn=False)
view.footer()

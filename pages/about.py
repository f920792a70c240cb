"""About the data: sources, definitions, caveats, when each figure was last updated, data files."""

import pandas as pd
import streamlit as st

from slutaskjut.frame import page
from slutaskjut.i18n import in_language
from slutaskjut.schema import TABLES

view = page("about")
st.title(view.t("about.title"))
st.write(view.t("about.intro"))

definitions = in_language(view.query("definitions"), view.lang)
for kind, heading in (("definition", "about.definitions"), ("caveat", "about.caveats")):
    st.subheader(view.t(heading))
    for row in definitions[definitions["kind"] == kind].itertuples():
        st.markdown(view.t("about.definition", title=row.title, text=row.text))

st.subheader(view.t("about.updated"))
updated = view.query("figures_last_updated")
view.table(updated, ["dataset", "data_runs_to", "source_published", "source_id"], "figures_last_updated")

st.subheader(view.t("about.dictionary"))
st.caption(view.t("about.dictionary_intro"))
dictionary = pd.DataFrame(
    [(table.file_name, column.name, column.kind, column.description) for table in TABLES for column in table.columns],
    columns=[view.t(f"col.{name}") for name in ("file", "column", "type", "description")],
)
st.dataframe(dictionary, hide_index=True)

view.footer()

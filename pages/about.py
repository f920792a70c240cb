"""About the data: sources, definitions, caveats, when each figure was last updated, data files."""

import streamlit as st

from slutaskjut import columns
from slutaskjut.frame import page
from slutaskjut.i18n import in_language

view = page("about")
st.title(view.t("about.title"))
st.write(view.t("about.intro"))

definitions = in_language(view.query("definitions"), view.lang)
for kind, heading in (("definition", "about.definitions"), ("caveat", "about.caveats")):
    st.header(view.t(heading))
    rows = definitions[definitions["kind"] == kind].itertuples()
    # a paragraph a row, all in one element: an element a row costs a render each
    paragraphs = [view.t("about.definition", title=row.title, text=row.text) for row in rows]
    if paragraphs:
        st.markdown("\n\n".join(paragraphs))

st.header(view.t("about.updated"))
updated = view.query("figures_last_updated")
view.table(updated, ["dataset", "data_runs_to", "source_published", "source_id"], "figures_last_updated")

st.header(view.t("about.dictionary"))
st.caption(view.t("about.dictionary_intro"))
view.table(columns.dictionary(view.lang), ["file", "column", "type", "description"], "data_dictionary")

view.footer()

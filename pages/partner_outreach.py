"""For partners: the contact extract's people and follow-ups by round and month, every count shown.

The same query as the public Outreach page (outreach_funnel_by_round_and_month), run without
suppression: counts of 1 and 2 appear as they are. Still aggregates only, never a person's row.
The frame shows this page to signed-in partners only (page(..., partner=True)).
"""

import streamlit as st

from slutaskjut import privacy, sections
from slutaskjut.frame import page

view = page("partner_outreach", partner=True)
st.title(view.t("partner_outreach.title"))
st.write(view.t("partner_outreach.intro"))
st.warning(view.t("partner.confidential", threshold=privacy.min_count()), icon=":material/lock:")

if view.extract("interventions") is None:
    st.info(view.t("partner_outreach.no_extract"))
else:
    contacts = view.unsuppressed("outreach_funnel_by_round_and_month", from_year=view.year_from, to_year=view.year_to)
    sections.contact_funnels(view, contacts, prefix="partner_")

view.footer()

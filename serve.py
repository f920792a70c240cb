"""The dashboard as deployed: `streamlit run serve.py` (or `uvicorn serve:app`).

It serves app.py and its pages/ as `streamlit run app.py` does, with one addition: the HTML of each page's
address carries the page's language, title and link-preview tags (slutaskjut/link_preview.py), for chat
and social sites that preview a shared link without running its scripts.
"""

import streamlit as st
from starlette.middleware import Middleware

from slutaskjut.link_preview import LinkPreview

app = st.App("app.py", middleware=[Middleware(LinkPreview)])

"""Map: incidents of the extract in hexagonal cells and by district; never a single incident's place."""

import streamlit as st

from slutaskjut import fmt, maps, markdown, privacy, sentences
from slutaskjut.frame import page

view = page("map")
st.title(view.t("map.title"))

if view.extract("incidents") is None:
    st.info(view.t("map.no_extract"))
else:
    threshold = privacy.min_count()
    years = fmt.year_range(view.year_from, view.year_to)
    st.markdown(
        view.t(
            "map.intro",
            width=fmt.number(maps.CELL_SIZE_M * 3**0.5 / 1000, view.lang, decimals=1),
            min_count=fmt.count(threshold, view.lang),
        )
    )
    kind = view.choice(
        "kind", maps.KINDS, view.t("map.kind"), format_func=lambda value: view.t(f"incident_kind.{value}")
    )
    filters = {"from_year": view.year_from, "to_year": view.year_to, "kind": kind, "min_count": threshold}
    cells = view.query("incidents_by_cell", **maps.GRID, **filters)
    kind_lower = view.t(f"incident_kind_lower.{kind}")

    if cells.empty:
        st.info(view.t("map.no_incidents", kind=kind_lower, years=years))
    elif set(cells["row_type"]) == {"no_coordinates"}:  # police events: the town only, no place to draw
        st.info(view.t("map.no_places", count=fmt.count(cells["count"].sum(), view.lang), kind=kind_lower, years=years))
    else:
        st.subheader(view.t("map.chart_title", kind=kind_lower, years=years))
        description = sentences.describe_map(cells, kind, years, threshold, view.lang)
        st.pydeck_chart(
            maps.cell_deck(cells, lang=view.lang, threshold=threshold),
            alt=markdown.plain(description),
            height=560,
            key="map_cells",
        )
        st.caption(description)
        st.caption(view.t("map.legend"))
        not_shown = cells.set_index("row_type")["count"]
        if "small_cells" in not_shown:
            st.markdown(
                view.t(
                    "map.small_cells",
                    count=fmt.count(not_shown["small_cells"], view.lang),
                    min_count=fmt.count(threshold, view.lang),
                )
            )
        if "no_coordinates" in not_shown:
            st.markdown(view.t("map.no_coordinates", count=fmt.count(not_shown["no_coordinates"], view.lang)))
        with st.expander(view.t("common.table")):
            view.table(
                sentences.name_merged_rows(cells, "cell_id", threshold, view.lang),
                ["cell_id", "latitude", "longitude", "count"],
                "incidents_by_cell",
            )

        st.subheader(view.t("map.districts_title"))
        st.markdown(view.t("map.districts_intro", min_count=fmt.count(threshold, view.lang)))
        districts = view.query("incidents_by_district", **filters)
        view.table(
            sentences.name_merged_rows(districts, "district", threshold, view.lang),
            ["district", "count"],
            "incidents_by_district",
        )
        st.caption(view.t("map.no_casualties"))

view.footer()

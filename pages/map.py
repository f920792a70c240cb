"""Map: incidents of the extract in hexagonal cells over Malmö's border and by district; never a single
incident's place."""

import os

import streamlit as st

from slutaskjut import border, fmt, maps, markdown, paths, privacy, sentences
from slutaskjut.frame import page
from slutaskjut.problems import DataError

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
        basemap, ignored = maps.configured_basemap(os.environ.get(maps.STYLE_SETTING))
        if ignored:
            st.warning(view.t("map.style_ignored", setting=maps.STYLE_SETTING))
        try:  # the border with its source, which the sources query checks and puts in the footer
            outline = border.read(paths.data_dir() / border.BORDER_FILE)
            border.check_source(outline, view.query("sources", source_ids=[outline.source_id]))
        except DataError as error:
            outline = None
            listing = "\n".join(f"- {problem.text(view.lang)}" for problem in error.problems)  # reader's language
            st.warning(f"{view.t('map.border_error')}\n\n{listing}")

        st.header(view.t("map.chart_title", kind=kind_lower, years=years))
        description = sentences.describe_map(cells, kind, years, threshold, view.lang)
        st.pydeck_chart(
            maps.cell_deck(cells, lang=view.lang, threshold=threshold, kind=kind, border=outline, basemap=basemap),
            alt=markdown.plain(description),
            height=500,
            key="map_cells",
        )
        st.caption(description)
        legend = [view.t("map.legend", min_count=fmt.count(threshold, view.lang))]
        if outline:
            legend.append(view.t("map.border"))
        legend.append(view.t("map.basemap_from", host=basemap.host) if basemap.host else view.t("map.basemap_blank"))
        st.caption(" ".join(legend))
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
        view.folded_table(
            sentences.name_merged_rows(
                maps.with_district_names(cells, view.lang, threshold), "district", threshold, view.lang
            ),
            ["count", "district", "latitude", "longitude"],
            "incidents_by_cell",
        )

        st.header(view.t("map.districts_title"))
        st.markdown(view.t("map.districts_intro", min_count=fmt.count(threshold, view.lang)))
        districts = view.query("incidents_by_district", **filters)
        view.table(
            sentences.name_merged_rows(districts, "district", threshold, view.lang),
            ["count", "district"],
            "incidents_by_district",
        )
        st.caption(view.t("map.no_casualties"))

view.footer()

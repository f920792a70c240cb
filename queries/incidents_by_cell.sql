with grid as (
    -- a local metric projection around central Malmö (metres east and north of lat0, lon0) and the hexagon size:
    -- the distance from a cell's centre to its corners. All bound from slutaskjut/maps.py (GRID), which draws
    -- the cells with the same numbers.
    select
        cast($origin_lat as double) as lat0,
        cast($origin_lon as double) as lon0,
        cast($metres_per_degree_lon as double) as metres_per_degree_lon,
        cast($metres_per_degree_lat as double) as metres_per_degree_lat,
        cast($cell_size_m as double) as size
),

selected as (
    select year(date) as year, kind, district, latitude, longitude
    from incidents
    where year(date) between $from_year and $to_year and ($kind = 'all' or kind = $kind)
),

projected as (
    select
        selected.year,
        selected.kind,
        selected.district,
        (selected.longitude - grid.lon0) * grid.metres_per_degree_lon as x,
        (selected.latitude - grid.lat0) * grid.metres_per_degree_lat as y,
        grid.size
    from selected, grid
    where selected.latitude is not null and selected.longitude is not null
),

axial as (
    -- pointy-top hexagons: fractional axial coordinates q, r and the third cube coordinate s = -q - r
    select
        year,
        kind,
        district,
        (sqrt(3) / 3 * x - y / 3) / size as q,
        (2.0 / 3 * y) / size as r,
        -((sqrt(3) / 3 * x - y / 3) / size) - (2.0 / 3 * y) / size as s
    from projected
),

rounded as (
    select
        year,
        kind,
        district,
        round(q) as rq,
        round(r) as rr,
        round(s) as rs,
        abs(round(q) - q) as dq,
        abs(round(r) - r) as dr,
        abs(round(s) - s) as ds
    from axial
),

cells as (
    -- cube rounding: the coordinate that moved most is recomputed from the other two, so q + r + s = 0
    select
        year,
        kind,
        district,
        cast(case when dq > dr and dq > ds then -rr - rs else rq end as bigint) as cell_q,
        cast(case when dq > dr and dq > ds then rr when ds > dr then rr else -rq - rs end as bigint) as cell_r
    from rounded
),

atoms as (
    -- the unit published: one cell's incidents of one calendar year and one kind. Every view (a range of years,
    -- a kind or all) is a sum of these, so two views that differ in years or kind differ by whole atoms.
    select
        cell_q,
        cell_r,
        year,
        kind,
        count(*) as incident_count
    from cells
    group by cell_q, cell_r, year, kind
),

published as (
    -- a cell counts only its atoms of at least min_count: any difference of two views is then 0 or a sum of
    -- atoms each at least min_count, never a small count
    select * from atoms
    where incident_count >= $min_count
),

by_cell as (
    select
        cell_q,
        cell_r,
        sum(incident_count) as incident_count
    from published
    group by cell_q, cell_r
),

district_units as (
    -- the unit a cell is named by: one district's incidents in one cell, calendar year and kind. A district is named
    -- for a cell when one of its units in the view reaches min_count, so two views differ in the districts they
    -- name by whole units of at least min_count, as the counts do
    select
        cell_q,
        cell_r,
        year,
        kind,
        district,
        count(*) as incident_count
    from cells
    where district is not null
    group by cell_q, cell_r, year, kind, district
),

named as (
    select distinct
        cell_q,
        cell_r,
        district
    from district_units
    where incident_count >= $min_count
),

cell_districts as (
    -- the districts named for a cell, and whether its counted incidents (those of its published atoms, never its
    -- small ones) include some of a district not named
    select
        units.cell_q,
        units.cell_r,
        string_agg(distinct units.district, ', ' order by units.district)
            filter (where named.district is not null) as district,
        bool_or(named.district is null) as unnamed_districts
    from district_units as units
    semi join published using (cell_q, cell_r, year, kind)
    left join named using (cell_q, cell_r, district)
    group by units.cell_q, units.cell_r
),

shown as (
    select
        'cell' as row_type,
        by_cell.cell_q || ',' || by_cell.cell_r as cell_id,
        cell_districts.district,
        coalesce(cell_districts.unnamed_districts, false) as unnamed_districts,
        grid.lat0 + grid.size * 1.5 * by_cell.cell_r / grid.metres_per_degree_lat as latitude,
        grid.lon0
        + grid.size * sqrt(3) * (by_cell.cell_q + by_cell.cell_r / 2.0) / grid.metres_per_degree_lon as longitude,
        by_cell.incident_count as count
    from by_cell
    left join cell_districts using (cell_q, cell_r)
    cross join grid
),

small_cells as (
    -- atoms under the threshold: one row for all of them, with no place
    select
        'small_cells' as row_type,
        null as cell_id,
        null as district,
        null as unnamed_districts,
        null as latitude,
        null as longitude,
        sum(incident_count) as count
    from atoms
    where incident_count < $min_count
    having count(*) > 0
),

no_coordinates as (
    select
        'no_coordinates' as row_type,
        null as cell_id,
        null as district,
        null as unnamed_districts,
        null as latitude,
        null as longitude,
        count(*) as count
    from selected
    where latitude is null or longitude is null
    having count(*) > 0
),

final as (
    select
        row_type,
        cell_id,
        district,
        unnamed_districts,
        round(cast(latitude as double), 5) as latitude,  -- about a metre: finer than any cell
        round(cast(longitude as double), 5) as longitude,
        cast(count as bigint) as count
    from (
        select * from shown
        union all
        select * from small_cells
        union all
        select * from no_coordinates
    )
)

select * from final
order by row_type = 'cell' desc, row_type, count desc, cell_id

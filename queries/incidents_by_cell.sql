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
    select year(date) as year, kind, latitude, longitude
    from incidents
    where year(date) between $from_year and $to_year and ($kind = 'all' or kind = $kind)
),

projected as (
    select
        selected.year,
        selected.kind,
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
        (sqrt(3) / 3 * x - y / 3) / size as q,
        (2.0 / 3 * y) / size as r,
        -((sqrt(3) / 3 * x - y / 3) / size) - (2.0 / 3 * y) / size as s
    from projected
),

rounded as (
    select
        year,
        kind,
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

by_cell as (
    -- a cell counts only its atoms of at least min_count: any difference of two views is then 0 or a sum of
    -- atoms each at least min_count, never a small count
    select
        cell_q,
        cell_r,
        sum(incident_count) as incident_count
    from atoms
    where incident_count >= $min_count
    group by cell_q, cell_r
),

shown as (
    select
        'cell' as row_type,
        cell_q || ',' || cell_r as cell_id,
        grid.lat0 + grid.size * 1.5 * cell_r / grid.metres_per_degree_lat as latitude,
        grid.lon0 + grid.size * sqrt(3) * (cell_q + cell_r / 2.0) / grid.metres_per_degree_lon as longitude,
        incident_count as count
    from by_cell, grid
),

small_cells as (
    -- atoms under the threshold: one row for all of them, with no place
    select
        'small_cells' as row_type,
        null as cell_id,
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

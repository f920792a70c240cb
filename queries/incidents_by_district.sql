with selected as (
    select year(date) as year, kind, district
    from incidents
    where year(date) between $from_year and $to_year and ($kind = 'all' or kind = $kind)
),

atoms as (
    -- the unit published: one district's incidents of one calendar year and one kind. Every view (a range of
    -- years, a kind or all) is a sum of these, so two views that differ in years or kind differ by whole atoms.
    select
        year,
        kind,
        district,
        count(*) as incident_count
    from selected
    where district is not null
    group by year, kind, district
),

ranked as (
    -- the districts of each year and kind from the smallest
    select
        *,
        row_number() over (partition by year, kind order by incident_count, district) as size_rank,
        sum(incident_count) over (
            partition by year, kind order by incident_count, district rows unbounded preceding
        ) as running_count,
        sum(case when incident_count < $min_count then 1 else 0 end) over (partition by year, kind) as small_districts
    from atoms
),

cut as (
    -- for each year and kind, how many of the smallest districts go into the merged row: none when every district
    -- reaches min_count; otherwise every district under it, and more until the merged row holds at least min_count
    -- incidents from at least two districts, so that no district's small count can be worked out from the rest of
    -- that year and kind
    select
        year,
        kind,
        case
            when max(small_districts) = 0 then 0
            else greatest(
                max(small_districts),
                coalesce(min(size_rank) filter (where running_count >= $min_count and size_rank >= 2), max(size_rank))
            )
        end as merged
    from ranked
    group by year, kind
),

grouped as (
    -- a district counts only its atoms that were named; merged atoms go to other_districts. Any difference of two
    -- views is then 0 or a sum of named atoms, each at least min_count, never a small count
    select
        case when ranked.size_rank <= cut.merged then 'other_districts' else 'district' end as row_type,
        case when ranked.size_rank <= cut.merged then null else ranked.district end as district,
        ranked.incident_count
    from ranked
    inner join cut using (year, kind)
    union all
    select
        'no_district' as row_type,
        null as district,
        count(*) as incident_count
    from selected
    where district is null
    having count(*) > 0
),

final as (
    select
        row_type,
        district,
        cast(sum(incident_count) as bigint) as count
    from grouped
    group by row_type, district
)

select * from final
order by row_type = 'district' desc, row_type, count desc, district

with incidents as (
    select year(month_start) as year, kind, incident_count, dead_sum, injured_sum, dead_unknown, injured_unknown
    from incidents_by_month
),

years as (
    -- the years some source covers (incident_coverage): years in a gap between sources have no row.
    -- A year is whole when one source covers all of it.
    select
        covered.year,
        min(greatest(incident_coverage.first_date, make_date(covered.year, 1, 1))) as period_start,
        max(least(incident_coverage.last_date, make_date(covered.year, 12, 31))) as period_end,
        bool_or(
            incident_coverage.first_date <= make_date(covered.year, 1, 1)
            and incident_coverage.last_date >= make_date(covered.year, 12, 31)
        ) as covers_year
    from incident_coverage,
        unnest(range(year(incident_coverage.first_date), year(incident_coverage.last_date) + 1)) as covered(year)
    where covered.year between $from_year and $to_year
    group by covered.year
),

by_year as (
    -- dead and injured as the published figures count them: in confirmed shootings only
    select
        years.year,
        cast(coalesce(sum(incidents.incident_count) filter (where incidents.kind = 'shooting'), 0) as bigint)
            as shootings,
        cast(coalesce(sum(incidents.incident_count) filter (where incidents.kind = 'explosion'), 0) as bigint)
            as explosions,
        cast(sum(incidents.dead_sum) filter (where incidents.kind = 'shooting') as bigint) as dead_sum,
        cast(sum(incidents.injured_sum) filter (where incidents.kind = 'shooting') as bigint) as injured_sum,
        coalesce(sum(incidents.dead_unknown) filter (where incidents.kind = 'shooting'), 0) as dead_unknown,
        coalesce(sum(incidents.injured_unknown) filter (where incidents.kind = 'shooting'), 0) as injured_unknown
    from years
    left join incidents using (year)
    group by years.year
),

extract_totals as (
    select year, 'shootings' as measure, shootings as extract_count
    from by_year
    union all
    select year, 'explosions' as measure, explosions as extract_count
    from by_year
    union all
    select year, 'dead' as measure, case when dead_unknown > 0 then null else coalesce(dead_sum, 0) end as extract_count
    from by_year
    union all
    select
        year,
        'injured' as measure,
        case when injured_unknown > 0 then null else coalesce(injured_sum, 0) end as extract_count
    from by_year
),

published as (
    select year, measure, count as headline_count, status as headline_status, source_id
    from yearly_figures
    where is_headline
),

compared as (
    select
        extract_totals.year,
        extract_totals.measure,
        years.period_start,
        years.period_end,
        years.covers_year,
        extract_totals.extract_count,
        published.headline_count,
        coalesce(published.headline_status, 'not_published') as headline_status,
        extract_totals.extract_count - published.headline_count as difference,
        published.source_id
    from extract_totals
    inner join years using (year)
    left join published using (year, measure)
),

final as (
    select
        year,
        measure,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        extract_count,
        headline_count,
        headline_status,
        difference,
        case
            when headline_count is null then 'not_published'
            when extract_count is null then 'extract_incomplete'
            -- part of a year holding as many as the whole year's figure is no match: it is incomplete
            when not covers_year and extract_count <= headline_count then 'extract_incomplete'
            when extract_count = headline_count then 'matches'
            else 'differs'
        end as status,
        source_id
    from compared
)

select * from final
order by year, measure

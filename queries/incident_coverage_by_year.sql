-- The part of each year each source of the incident extract covers (incident_coverage), with its incidents.
with years as (
    select
        incident_coverage.source,
        covered.year,
        greatest(incident_coverage.first_date, make_date(covered.year, 1, 1)) as period_start,
        least(incident_coverage.last_date, make_date(covered.year, 12, 31)) as period_end
    from incident_coverage,
        unnest(range(year(incident_coverage.first_date), year(incident_coverage.last_date) + 1)) as covered(year)
    where covered.year between $from_year and $to_year
),

incidents as (
    -- the same source key as incident_coverage: empty text when a row names none
    select coalesce(source, '') as source, year(date) as year, kind
    from incidents
),

counted as (
    select
        source,
        year,
        count(*) as incidents,
        count(*) filter (where kind = 'shooting') as shootings,
        count(*) filter (where kind = 'suspected_shooting') as suspected_shootings,
        count(*) filter (where kind = 'explosion') as explosions
    from incidents
    group by source, year
),

final as (
    select
        years.source,
        years.year,
        cast(years.period_start as date) as period_start,
        cast(years.period_end as date) as period_end,
        date_diff('day', years.period_start, years.period_end) + 1 as days_covered,
        years.period_start = make_date(years.year, 1, 1) and years.period_end = make_date(years.year, 12, 31)
            as covers_year,
        coalesce(counted.incidents, 0) as incidents,
        coalesce(counted.shootings, 0) as shootings,
        coalesce(counted.suspected_shootings, 0) as suspected_shootings,
        coalesce(counted.explosions, 0) as explosions
    from years
    left join counted using (source, year)
)

select * from final
order by year, period_start, source

-- Malmö's published whole-year figure against each national source's figure for the same year:
-- only where both are published and Malmö's is exact, so a share is never made of a gap or a lower bound
with malmo as (
    select year, measure, count, rate_per_100k, source_id
    from yearly_figures
    where
        is_headline
        and status = 'published'
        and not is_lower_bound
        and year between $from_year and $to_year
),

population as (
    select year, population, source_id as population_source_id
    from sweden_population
),

sweden as (
    select sweden_yearly.year, measure, count, as_of, source_id, population.population, population.population_source_id
    from sweden_yearly
    left join population using (year)
),

final as (
    select
        malmo.year,
        malmo.measure,
        malmo.count as malmo_count,
        sweden.count as national_count,
        100.0 * malmo.count / nullif(sweden.count, 0) as share_pct,
        malmo.rate_per_100k as malmo_rate_per_100k,
        sweden.count * 100000.0 / sweden.population as national_rate_per_100k,
        sweden.as_of,
        malmo.source_id as malmo_source_id,
        sweden.source_id,
        sweden.population_source_id
    from malmo
    inner join sweden using (year, measure)
)

select * from final
order by year, measure, national_count, source_id

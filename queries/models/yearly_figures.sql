with figures as (
    select
        year,
        measure,
        count,
        status,
        is_headline,
        coalesce(is_lower_bound, false) as is_lower_bound,  -- empty: the count is exact
        as_of,
        source_id,
        note_sv,
        note_en
    from malmo_yearly
),

population as (
    select year, population, source_id as population_source_id
    from population
),

final as (
    select
        figures.year,
        figures.measure,
        figures.count,
        figures.status,
        figures.is_headline,
        figures.is_lower_bound,
        population.population,
        figures.count * 100000.0 / population.population as rate_per_100k,
        figures.as_of,
        figures.source_id,
        population.population_source_id,
        figures.note_sv,
        figures.note_en
    from figures
    left join population using (year)
)

select * from final

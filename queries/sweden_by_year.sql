-- every source's figure for Sweden as a whole; the sources disagree and none is chosen
with figures as (
    select year, measure, count, as_of, source_id, note_sv, note_en
    from sweden_yearly
    where year between $from_year and $to_year
),

population as (
    select year, population, source_id as population_source_id
    from sweden_population
),

final as (
    select
        figures.year,
        figures.measure,
        figures.count,
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
order by year, measure, count, source_id

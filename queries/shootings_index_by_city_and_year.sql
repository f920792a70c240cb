with malmo_programme as (
    -- Sluta skjut began in February 2018 (milestone project_start)
    select
        'Malmö' as city,
        year(date) as programme_start_year,
        source_id as programme_source_id
    from milestones
    where milestone_id = 'project_start'
),

malmo as (
    select
        malmo_programme.city,
        yearly_figures.year,
        'incidents' as unit,
        yearly_figures.count,
        yearly_figures.population as population_for_rate,
        case when yearly_figures.population is not null then yearly_figures.year end as population_year,
        yearly_figures.as_of,
        yearly_figures.source_id,
        yearly_figures.population_source_id,
        malmo_programme.programme_start_year,
        malmo_programme.programme_source_id
    from yearly_figures
    cross join malmo_programme
    where yearly_figures.is_headline and yearly_figures.measure = 'shootings'
),

programmes as (
    select city, programme_start_year, study_source_id as programme_source_id
    from us_results
    union all
    select city, programme_start_year, source_id as programme_source_id
    from us_programmes
),

us_series as (
    select city, year, unit, count, as_of, source_id
    from us_city_yearly
    where is_headline and measure = 'total'
),

nearest_population as (
    -- the population of the same year, else that of the nearest year with one (the later on a tie)
    select
        us_series.city,
        us_series.year,
        us_city_population.population as population_for_rate,
        us_city_population.year as population_year,
        us_city_population.source_id as population_source_id
    from us_series
    inner join us_city_population on us_city_population.city = us_series.city
    qualify row_number() over (
        partition by us_series.city, us_series.year
        order by abs(us_city_population.year - us_series.year), us_city_population.year desc
    ) = 1
),

us as (
    select
        us_series.city,
        us_series.year,
        us_series.unit,
        us_series.count,
        nearest_population.population_for_rate,
        nearest_population.population_year,
        us_series.as_of,
        us_series.source_id,
        nearest_population.population_source_id,
        programmes.programme_start_year,
        programmes.programme_source_id
    from us_series
    inner join programmes using (city)
    left join nearest_population using (city, year)
),

series as (
    select * from malmo
    union all
    select * from us
),

base_years as (
    -- the year before the programme, or the first year of the series when the programme is older
    select city, greatest(min(year), min(programme_start_year) - 1) as base_year
    from series
    group by city
),

final as (
    select
        series.city,
        series.year,
        series.unit,
        series.count,
        base_years.base_year,
        100.0 * series.count / base.count as index_value,
        series.population_for_rate,
        series.population_year,
        series.count * 100000.0 / series.population_for_rate as rate_per_100k,
        series.programme_start_year,
        series.as_of,
        series.source_id,
        series.population_source_id,
        series.programme_source_id
    from series
    inner join base_years on base_years.city = series.city
    left join series as base on base.city = series.city and base.year = base_years.base_year
    where series.year between $from_year and $to_year
)

select * from final
order by city != 'Malmö', city, year

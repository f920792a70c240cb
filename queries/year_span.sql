with yearly as (
    select year, status from yearly_figures
    where is_headline
),

-- extracts may run past the published figures (the police events to 2026): their years
-- must be selectable too
extract_years as (
    select year(date) as year from incidents
    union all
    select year(date) as year from interventions
),

final as (
    select
        least(min(yearly.year), (select min(year) from extract_years)) as first_year,
        greatest(max(yearly.year), (select max(year) from extract_years)) as last_year,
        max(yearly.year) filter (where yearly.status = 'published') as last_published_year
    from yearly
)

select * from final

with yearly as (
    select year, status from yearly_figures
    where is_headline
),

-- an incident extract may run past the published figures (the police events to 2026):
-- its years must be selectable too. Contacts are left out: a year would tell that someone
-- was contacted then, a count of people no threshold protects.
extract_years as (
    select year(date) as year from incidents
),

final as (
    select
        least(min(yearly.year), (select min(year) from extract_years)) as first_year,
        min(yearly.year) as first_headline_year,
        greatest(max(yearly.year), (select max(year) from extract_years)) as last_year,
        max(yearly.year) filter (where yearly.status = 'published') as last_published_year
    from yearly
)

select * from final

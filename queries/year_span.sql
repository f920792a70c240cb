with yearly as (
    select year, status from yearly_figures
    where is_headline
),

final as (
    select
        min(year) as first_year,
        max(year) as last_year,
        max(year) filter (where status = 'published') as last_published_year
    from yearly
)

select * from final

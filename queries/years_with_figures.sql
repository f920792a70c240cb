with final as (
    select distinct year
    from yearly_figures
    where is_headline and status = 'published' and count is not null
)

select * from final
order by year

with incidents as (
    select coalesce(source, '') as source, date
    from incidents
),

final as (
    -- each source covers the days from its first to its last incident, whatever the kind:
    -- between two sources' spans the extract says nothing, not that nothing happened
    select
        source,
        cast(min(date) as date) as first_date,
        cast(max(date) as date) as last_date
    from incidents
    group by source
)

select * from final
order by first_date, source

-- Materialised when the database is built and after every import: the views of the extract by month,
-- quarter and year add these up rather than count every incident again.
with incidents as (
    select date_trunc('month', date) as month_start, kind, dead, injured
    from incidents
),

final as (
    select
        cast(month_start as date) as month_start,
        kind,
        count(*) as incident_count,
        cast(sum(dead) as bigint) as dead_sum,
        cast(sum(injured) as bigint) as injured_sum,
        count(*) filter (where dead is null) as dead_unknown,
        count(*) filter (where injured is null) as injured_unknown
    from incidents
    group by all
)

select * from final

with incidents as (
    select date, kind, dead, injured
    from incidents
),

coverage as (
    -- the extract covers the days from its first to its last incident, whatever the kind
    select min(date) as first_date, max(date) as last_date
    from incidents
),

kinds as (
    select distinct kind
    from incidents
),

months as (
    select unnest(
        generate_series(date_trunc('month', first_date), date_trunc('month', last_date), interval 1 month)
    ) as month_start
    from coverage
    where first_date is not null
),

periods as (
    select distinct
        date_trunc($grain, month_start) as period_start,
        date_trunc($grain, month_start)
            + case when $grain = 'quarter' then interval 3 month else interval 1 month end
            - interval 1 day as period_end
    from months
    where $grain in ('month', 'quarter') and year(month_start) between $from_year and $to_year
),

counted as (
    select
        date_trunc($grain, date) as period_start,
        kind,
        count(*) as incident_count,
        cast(sum(dead) as bigint) as dead_sum,
        cast(sum(injured) as bigint) as injured_sum,
        count(*) filter (where dead is null) as dead_unknown,
        count(*) filter (where injured is null) as injured_unknown
    from incidents
    group by all
),

final as (
    select
        case
            when $grain = 'quarter' then strftime(periods.period_start, '%Y') || '-Q' || quarter(periods.period_start)
            else strftime(periods.period_start, '%Y-%m')
        end as period,
        cast(periods.period_start as date) as period_start,
        cast(periods.period_end as date) as period_end,
        year(periods.period_start) as year,
        kinds.kind,
        coalesce(counted.incident_count, 0) as count,
        case when coalesce(counted.dead_unknown, 0) > 0 then null else coalesce(counted.dead_sum, 0) end as dead,
        case
            when coalesce(counted.injured_unknown, 0) > 0 then null else coalesce(counted.injured_sum, 0)
        end as injured,
        periods.period_start < coverage.first_date or periods.period_end > coverage.last_date as is_partial
    from periods
    cross join kinds
    cross join coverage
    left join counted
        on counted.period_start = periods.period_start and counted.kind = kinds.kind
)

select * from final
order by period_start, kind

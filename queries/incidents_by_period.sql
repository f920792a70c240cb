with kinds as (
    select distinct kind
    from incidents_by_month
),

months as (
    -- the months some source covers (incident_coverage); months in a gap between sources have no row
    select distinct unnest(
        generate_series(date_trunc('month', first_date), date_trunc('month', last_date), interval 1 month)
    ) as month_start
    from incident_coverage
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

covered as (
    -- a period is whole when one source covers all of it
    select
        periods.period_start,
        periods.period_end,
        not coalesce(
            bool_or(incident_coverage.first_date <= periods.period_start
                and incident_coverage.last_date >= periods.period_end),
            false
        ) as is_partial
    from periods
    cross join incident_coverage
    group by all
),

counted as (
    select
        date_trunc($grain, month_start) as period_start,
        kind,
        sum(incident_count) as incident_count,
        cast(sum(dead_sum) as bigint) as dead_sum,
        cast(sum(injured_sum) as bigint) as injured_sum,
        sum(dead_unknown) as dead_unknown,
        sum(injured_unknown) as injured_unknown
    from incidents_by_month
    where year(month_start) between $from_year and $to_year
    group by all
),

final as (
    select
        case
            when $grain = 'quarter' then strftime(covered.period_start, '%Y') || '-Q' || quarter(covered.period_start)
            else strftime(covered.period_start, '%Y-%m')
        end as period,
        cast(covered.period_start as date) as period_start,
        cast(covered.period_end as date) as period_end,
        year(covered.period_start) as year,
        kinds.kind,
        cast(coalesce(counted.incident_count, 0) as bigint) as count,
        case when coalesce(counted.dead_unknown, 0) > 0 then null else coalesce(counted.dead_sum, 0) end as dead,
        case
            when coalesce(counted.injured_unknown, 0) > 0 then null else coalesce(counted.injured_sum, 0)
        end as injured,
        covered.is_partial
    from covered
    cross join kinds
    left join counted
        on counted.period_start = covered.period_start and counted.kind = kinds.kind
)

select * from final
order by period_start, kind

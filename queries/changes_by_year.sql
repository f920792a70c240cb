with yearly as (
    select
        year,
        measure,
        count,
        is_lower_bound,
        lag(count) over (partition by measure order by year) as previous_count,
        lag(is_lower_bound) over (partition by measure order by year) as previous_is_lower_bound,
        source_id
    from yearly_figures
    where is_headline
),

-- a change from or to a lower bound ("at least 23") is not a published change: left empty
final as (
    select
        year,
        measure,
        count,
        is_lower_bound,
        previous_count,
        coalesce(previous_is_lower_bound, false) as previous_is_lower_bound,
        case when not (is_lower_bound or coalesce(previous_is_lower_bound, false))
            then count - previous_count
        end as change_count,
        case when not (is_lower_bound or coalesce(previous_is_lower_bound, false))
            then 100.0 * (count - previous_count) / nullif(previous_count, 0)
        end as change_pct,
        source_id
    from yearly
    where year between $from_year and $to_year
)

select * from final
order by year, measure

with yearly as (
    select
        year,
        measure,
        count,
        lag(count) over (partition by measure order by year) as previous_count,
        source_id
    from yearly_figures
    where is_headline
),

final as (
    select
        year,
        measure,
        count,
        previous_count,
        count - previous_count as change_count,
        100.0 * (count - previous_count) / nullif(previous_count, 0) as change_pct,
        source_id
    from yearly
    where year between $from_year and $to_year
)

select * from final
order by year, measure

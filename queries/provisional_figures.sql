with final as (
    select
        year,
        measure,
        count,
        is_lower_bound,
        rate_per_100k,
        as_of,
        source_id,
        population_source_id,
        note_sv,
        note_en
    from yearly_figures
    where status = 'provisional' and year between $from_year and $to_year
)

select * from final
order by year, measure, as_of

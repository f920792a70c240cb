with headline as (
    select year, measure, count, source_id
    from yearly_figures
    where is_headline
),

other_sources as (
    select year, measure, count, source_id, as_of
    from yearly_figures
    where not is_headline and status = 'published'
),

final as (
    select
        other_sources.year,
        other_sources.measure,
        headline.count as headline_count,
        headline.source_id as headline_source_id,
        other_sources.count as other_count,
        other_sources.source_id as other_source_id
    from other_sources
    inner join headline using (year, measure)
    where
        other_sources.count is distinct from headline.count
        and other_sources.year between $from_year and $to_year
)

select * from final
order by year, measure, other_source_id

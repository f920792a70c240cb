with headline as (
    select year, measure, count, is_lower_bound, source_id
    from yearly_figures
    where is_headline
),

other_sources as (
    select year, measure, count, is_lower_bound, source_id, as_of
    from yearly_figures
    where not is_headline and status = 'published'
),

final as (
    select
        other_sources.year,
        other_sources.measure,
        headline.count as headline_count,
        headline.is_lower_bound as headline_is_lower_bound,
        headline.source_id as headline_source_id,
        other_sources.count as other_count,
        other_sources.is_lower_bound as other_is_lower_bound,
        other_sources.source_id as other_source_id
    from other_sources
    inner join headline using (year, measure)
    where
        other_sources.year between $from_year and $to_year
        -- a lower bound ("at least 23") disagrees only with a figure below it
        and case
            when headline.is_lower_bound and other_sources.is_lower_bound then false
            when other_sources.is_lower_bound then other_sources.count > headline.count
            when headline.is_lower_bound then other_sources.count < headline.count
            else other_sources.count is distinct from headline.count
        end
)

select * from final
order by year, measure, other_source_id

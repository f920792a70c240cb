with headline as (
    select city, year, measure, count, source_id
    from us_city_yearly
    where is_headline
),

other_sources as (
    select city, year, measure, unit, count, source_id, note_sv, note_en
    from us_city_yearly
    where not is_headline
),

final as (
    select
        other_sources.city,
        other_sources.year,
        other_sources.measure,
        headline.count as headline_count,
        headline.source_id as headline_source_id,
        other_sources.count as other_count,
        other_sources.unit,
        other_sources.source_id as other_source_id,
        other_sources.count - headline.count as other_minus_shown,
        other_sources.note_sv,
        other_sources.note_en
    from other_sources
    left join headline using (city, year, measure)
    where other_sources.year between $from_year and $to_year
)

select * from final
order by city, year, measure, other_source_id

with headline as (
    select city, year, measure, unit, count, as_of, source_id, note
    from us_city_yearly
    where is_headline and year between $from_year and $to_year
),

final as (
    select
        city,
        year,
        unit,
        max(count) filter (where measure = 'fatal') as fatal,
        max(count) filter (where measure = 'non_fatal') as non_fatal,
        max(count) filter (where measure = 'total') as total,
        max(as_of) as as_of,
        source_id,
        string_agg(note, ' ' order by measure) as note
    from headline
    group by city, year, unit, source_id
)

select * from final
order by city, year

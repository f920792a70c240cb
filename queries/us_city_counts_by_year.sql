with headline as (
    select city, year, measure, unit, count, as_of, source_id, note_sv, note_en
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
        string_agg(note_sv, ' ' order by measure) as note_sv,
        string_agg(note_en, ' ' order by measure) as note_en
    from headline
    group by city, year, unit, source_id
)

select * from final
order by city, year

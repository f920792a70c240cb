-- The staged incident rows (the view cells) typed as they are stored, in the stored columns' order,
-- once the checks found nothing wrong. Uses the macros of cell_rules.sql.
with given as (
    select
        *,
        -- a date cell with a time ('2023-06-07 01:49', as Excel gives it) fills an empty time
        coalesce(time, time_in_date(date)) as time_given,
        coalesce(source, $not_stated) as source_given
    from cells
),

final as (
    select
        _file,
        _row,
        incident_id,
        cast(as_date(date) as timestamp) as date,
        as_time(time_given) as time,
        kind,
        as_count(dead, $max_count) as dead,
        as_count(injured, $max_count) as injured,
        district,
        as_number(latitude) as latitude,
        as_number(longitude) as longitude,
        source_given as source,
        source_given = $synthetic as is_synthetic,
        cast($import_id as varchar) as import_id
    from given
)

select * from final

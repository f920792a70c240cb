-- The problems of each staged incident row (the view cells) that has any, as a list of column and
-- message in the order of the columns. Each check runs once per row; the list is made for the rows with
-- a problem only. Uses the macros of cell_rules.sql; problems.sql lists them.
with read_cells as (
    select
        *,
        -- a date cell with a time ('2023-06-07 01:49', as Excel gives it) fills an empty time
        coalesce(time, time_in_date(date)) as time_given,
        as_date(date) as day,
        as_number(latitude) as lat,
        as_number(longitude) as lon
    from cells
),

checked as (
    select
        _file,
        _row,
        missing_value('incident_id', incident_id) as id_missing,
        personal_number_problem('incident_id', incident_id) as id_personal,
        date_problem(date, day, $today, $earliest, 'incidents') as date_wrong,
        case when time_given is not null and as_time(time_given) is null then {
            'column': 'time', 'message': format('''{}'' is not a time HH:MM', shown(time_given))
        } end as time_wrong,
        kind_problem(kind, $kinds) as kind_wrong,
        count_problem('dead', dead, $max_count) as dead_wrong,
        count_problem('injured', injured, $max_count) as injured_wrong,
        personal_number_problem('district', district) as district_personal,
        number_problem('latitude', latitude, lat) as latitude_wrong,
        number_problem('longitude', longitude, lon) as longitude_wrong,
        case when (latitude is null) != (longitude is null) then {
            'column': 'latitude', 'message': 'latitude and longitude must be given together'
        } end as one_coordinate,
        case when not (lat between $lat_min and $lat_max and lon between $lon_min and $lon_max) then {
            'column': 'latitude, longitude', 'message': format('{}, {} is outside Malmö ({})', lat, lon, $area)
        } end as outside_malmo,
        personal_number_problem('source', source) as source_personal
    from read_cells
),

final as (
    select
        _file,
        _row,
        list_filter(
            [
                id_missing, id_personal, date_wrong, time_wrong, kind_wrong, dead_wrong, injured_wrong,
                district_personal, latitude_wrong, longitude_wrong, one_coordinate, outside_malmo, source_personal
            ],
            lambda problem: problem is not null
        ) as problems
    from checked
    where coalesce(
        id_missing, id_personal, date_wrong, time_wrong, kind_wrong, dead_wrong, injured_wrong,
        district_personal, latitude_wrong, longitude_wrong, one_coordinate, outside_malmo, source_personal
    ) is not null
)

select * from final

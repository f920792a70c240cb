-- The problems of each staged contact row (the view cells) that has any, as a list of column and message
-- in the order of the columns. Each check runs once per row; the list is made for the rows with a problem
-- only. Uses the macros of cell_rules.sql; problems.sql lists them.
with read_cells as (
    select *, as_date(date) as day from cells
),

checked as (
    select
        _file,
        _row,
        missing_value('contact_id', contact_id) as id_missing,
        personal_number_problem('contact_id', contact_id) as id_personal,
        missing_value('person_ref', person_ref) as person_missing,
        case when reference_problem(person_ref) is not null then {
            'column': 'person_ref', 'message': reference_problem(person_ref)
        } end as person_wrong,
        case when reference_problem(group_ref) is not null then {
            'column': 'group_ref', 'message': reference_problem(group_ref)
        } end as group_wrong,
        date_problem(date, day, $today, $earliest, 'contacts') as date_wrong,
        kind_problem(kind, $kinds) as kind_wrong,
        missing_value('round_id', round_id) as round_missing,
        personal_number_problem('round_id', round_id) as round_personal,
        yes_no_problem('asked_exit_support', asked_exit_support) as asked_wrong,
        yes_no_problem('wanted_help_on_the_spot', wanted_help_on_the_spot) as wanted_wrong,
        yes_no_problem('helped_to_relocate', helped_to_relocate) as helped_wrong,
        yes_no_problem('contacted_again', contacted_again) as again_wrong,
        personal_number_problem('source', source) as source_personal
    from read_cells
),

final as (
    select
        _file,
        _row,
        list_filter(
            [
                id_missing, id_personal, person_missing, person_wrong, group_wrong, date_wrong, kind_wrong,
                round_missing, round_personal, asked_wrong, wanted_wrong, helped_wrong, again_wrong, source_personal
            ],
            lambda problem: problem is not null
        ) as problems
    from checked
    where coalesce(
        id_missing, id_personal, person_missing, person_wrong, group_wrong, date_wrong, kind_wrong,
        round_missing, round_personal, asked_wrong, wanted_wrong, helped_wrong, again_wrong, source_personal
    ) is not null
)

select * from final

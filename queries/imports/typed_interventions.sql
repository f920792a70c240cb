-- The staged contact rows (the view cells) typed as they are stored, in the stored columns' order, once
-- the checks found nothing wrong: person and group references replaced by their keyed hashes
-- (staging.pseudonyms). Uses the macros of cell_rules.sql.
with given as (
    select *, coalesce(source, $not_stated) as source_given from cells
),

pseudonyms as (
    select reference, pseudonym from staging.pseudonyms
),

final as (
    select
        given._file,
        given._row,
        given.contact_id,
        people.pseudonym as person_key,
        groups.pseudonym as group_key,
        cast(as_date(given.date) as timestamp) as date,
        given.kind,
        given.round_id,
        as_yes_no(given.asked_exit_support) as asked_exit_support,
        as_yes_no(given.wanted_help_on_the_spot) as wanted_help_on_the_spot,
        as_yes_no(given.helped_to_relocate) as helped_to_relocate,
        as_yes_no(given.contacted_again) as contacted_again,
        given.source_given as source,
        given.source_given = $synthetic as is_synthetic,
        cast($import_id as varchar) as import_id
    from given
    left join pseudonyms as people on given.person_ref = people.reference
    left join pseudonyms as groups on given.group_ref = groups.reference
)

select * from final

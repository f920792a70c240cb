-- The incoming rows (the view incoming) whose id is stored already in the extract table $table, each
-- 'unchanged' (the same content) or 'replaced' (other content); every other incoming row is added.
-- Demonstration rows do not count: real rows replace them all. Contents are compared for these ids only,
-- so a file of new rows costs no more than reading its ids.
with stored as (
    select
        columns(lambda name: name = $key) as _id,
        row(*columns(lambda name: name not in ($key, 'is_synthetic', 'import_id'))) as _content
    from query_table($table)
    where not is_synthetic
),

overlapping as (
    select _id, _content
    from incoming
    where _id in (select _id from stored)
),

final as (
    select
        overlapping._id,
        case
            when overlapping._content is not distinct from stored._content then 'unchanged'
            else 'replaced'
        end as change
    from overlapping
    inner join stored on overlapping._id = stored._id
)

select * from final

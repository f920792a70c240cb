-- How many incoming rows replace a stored row and how many are stored already as they are
-- (staging.changes); the rest of the incoming rows are added.
with changes as (
    select change from staging.changes
),

final as (
    select
        count(*) filter (where change = 'replaced') as replaced,
        count(*) filter (where change = 'unchanged') as unchanged
    from changes
)

select * from final

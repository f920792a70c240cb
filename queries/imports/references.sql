-- Every distinct person and group reference of the staged contact rows (the view cells): each is hashed
-- once (imports.pseudonym), however many rows name it.
with refs as (
    select person_ref, group_ref from cells
),

final as (
    select person_ref as reference from refs where person_ref is not null
    union
    select group_ref from refs where group_ref is not null
)

select * from final

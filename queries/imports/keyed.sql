-- The typed rows of an import (the view typed) with _id, the key column $key, and _content, everything
-- else a row says in the stored columns' order: what tells repeats, conflicts and changes apart.
with typed_rows as (
    select * from typed
),

final as (
    select
        *,
        columns(lambda name: name = $key) as _id,
        row(*columns(lambda name: name not in ($key, '_file', '_row', 'is_synthetic', 'import_id'))) as _content
    from typed_rows
)

select * from final

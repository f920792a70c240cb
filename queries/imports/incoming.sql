-- The typed rows an import brings (the view keyed), each distinct row once: a row repeated word for
-- word in the files counts once.
with typed_rows as (
    select * from keyed
),

final as (
    select *
    from typed_rows
    qualify row_number() over (partition by _id, _content order by _file, _row) = 1
)

select * from final

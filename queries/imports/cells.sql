-- The staged rows of an import (staging.staged) with every cell's outer spaces removed and an empty
-- cell as null: what the checks and the typing read.
with staged as (
    select * from staging.staged
),

final as (
    select _file, _row, nullif(trim(columns(* exclude (_file, _row))), '')
    from staged
)

select * from final

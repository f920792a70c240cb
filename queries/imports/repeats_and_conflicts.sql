-- Rows of the view keyed that repeat an earlier row word for word (finding 'repeat': skipped), and rows
-- that share an earlier row's id with other content (finding 'conflict': a problem, since which row is
-- right cannot be known): the first $limit of each, with the number found in all.
with numbered as (
    select
        _file,
        _row,
        _id,
        row_number() over (partition by _id, _content order by _file, _row) as copy_number,
        first_value(_file) over (partition by _id order by _file, _row) as first_file,
        first_value(_row) over (partition by _id order by _file, _row) as first_row
    from keyed
),

conflicts as (
    select _file, _row, _id, first_file, first_row
    from numbered
    where copy_number = 1 and (_file, _row) != (first_file, first_row)
),

findings as (
    select
        'conflict' as finding,
        _file as file,
        _row as row,
        format(
            'duplicate {} ''{}'' with different content from {}, row {}', $key, shown(_id), first_file, first_row
        ) as message
    from conflicts
    union all
    select 'repeat', _file, _row, null from numbered where copy_number > 1
),

final as (
    select *, count(*) over (partition by finding) as found
    from findings
    qualify row_number() over (partition by finding order by file, row) <= $limit
)

select * from final
order by finding, file, row

-- Every problem of an import's staged rows as file, row, column and message: those of each row (the view
-- row_problems, from incident_problems.sql or intervention_problems.sql) and demonstration rows beside
-- real ones; the first $limit in file and row order, each with the number found in all.
with listed as (
    select _file, _row, problems from row_problems
),

sources as (
    select _file, _row, source from cells
),

problems as (
    -- the problems of a row in the order of its columns
    select _file, _row, unnest(problems, recursive := true), unnest(range(len(problems))) as position
    from listed
    union all
    -- demonstration rows are imported on their own, never beside real ones
    select
        _file,
        _row,
        'source',
        format('''{}'' marks demonstration rows, which cannot be imported with real rows', $synthetic),
        1000
    from (select _file, _row from sources where source = $synthetic order by _file, _row limit 1)
    where exists (select 1 from sources where source is distinct from $synthetic)
),

final as (
    select
        _file as file,
        _row as row,
        "column",
        message,
        count(*) over () as found
    from problems
    order by _file, _row, position
    limit $limit
)

select * from final

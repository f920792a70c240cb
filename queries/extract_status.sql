with datasets as (
    select dataset
    from (values ('incidents'), ('interventions')) as datasets(dataset)
),

extract_rows as (
    select 'incidents' as dataset, date, source, is_synthetic from incidents
    union all
    select 'interventions' as dataset, date, source, is_synthetic from interventions
),

-- One group by for both extracts; an extract with no rows has none here and zeros below.
counted as (
    select
        dataset,
        count(*) as row_count,
        count(*) filter (where is_synthetic) as synthetic_row_count,
        min(date) as first_date,
        max(date) as last_date,
        string_agg(distinct source, ', ' order by source) as sources
    from extract_rows
    group by dataset
),

last_imports as (
    select dataset, max(imported_at) as last_imported_at
    from imports
    group by dataset
),

final as (
    select
        datasets.dataset,
        coalesce(counted.row_count, 0) as row_count,
        coalesce(counted.synthetic_row_count, 0) as synthetic_row_count,
        coalesce(counted.synthetic_row_count, 0) > 0 as is_synthetic,
        counted.first_date,
        counted.last_date,
        counted.sources,
        last_imports.last_imported_at
    from datasets
    left join counted using (dataset)
    left join last_imports using (dataset)
)

select * from final
order by dataset

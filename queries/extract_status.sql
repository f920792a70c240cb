with incidents as (
    select
        'incidents' as dataset,
        count(*) as row_count,
        count(*) filter (where is_synthetic) as synthetic_row_count,
        min(date) as first_date,
        max(date) as last_date,
        string_agg(distinct source, ', ' order by source) as sources
    from incidents
),

interventions as (
    select
        'interventions' as dataset,
        count(*) as row_count,
        count(*) filter (where is_synthetic) as synthetic_row_count,
        min(date) as first_date,
        max(date) as last_date,
        string_agg(distinct source, ', ' order by source) as sources
    from interventions
),

last_imports as (
    select dataset, max(imported_at) as last_imported_at
    from imports
    group by dataset
),

final as (
    select
        datasets.dataset,
        datasets.row_count,
        datasets.synthetic_row_count,
        datasets.synthetic_row_count > 0 as is_synthetic,
        datasets.first_date,
        datasets.last_date,
        datasets.sources,
        last_imports.last_imported_at
    from (select * from incidents union all select * from interventions) as datasets
    left join last_imports using (dataset)
)

select * from final
order by dataset

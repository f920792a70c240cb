with malmo as (
    select measure as dataset, max(as_of) as data_runs_to, arg_max(source_id, as_of) as source_id
    from yearly_figures
    where is_headline and status = 'published'
    group by measure
),

population as (
    select 'population' as dataset, max(as_of) as data_runs_to, arg_max(source_id, as_of) as source_id
    from population
),

outreach as (
    select 'outreach' as dataset, max(as_of) as data_runs_to, arg_max(source_id, as_of) as source_id
    from outreach_rounds
),

sweden as (
    -- several sources give the latest year: the first by id, so the page is the same on every run
    select 'sweden' as dataset, max(as_of) as data_runs_to, first(source_id order by as_of desc, source_id) as source_id
    from sweden_yearly
),

all_datasets as (
    select * from malmo
    union all
    select * from population
    union all
    select * from outreach
    union all
    select * from sweden
),

final as (
    select
        all_datasets.dataset,
        all_datasets.data_runs_to,
        sources.date_published as source_published,
        all_datasets.source_id
    from all_datasets
    inner join sources using (source_id)
)

select * from final
order by dataset

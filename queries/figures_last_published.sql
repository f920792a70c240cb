-- the whole-year figures shown and the part-year ones: a newer source of either is an update of the figures
with shown as (
    select source_id
    from yearly_figures
    where count is not null and ((is_headline and status = 'published') or status = 'provisional')
),

final as (
    select
        max(sources.date_published) as source_published,
        arg_max(sources.source_id, sources.date_published) as source_id
    from shown
    inner join sources using (source_id)
)

select * from final

with final as (
    select
        source_id,
        kind,
        publisher,
        title,
        date_published,
        date_accessed,
        url,
        notes
    from sources
    where list_contains($source_ids, source_id)
)

select * from final
order by kind, publisher, source_id

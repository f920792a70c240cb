with final as (
    select
        source_id,
        kind,
        publisher,
        title,
        form,
        date_published,
        date_accessed,
        url,
        notes_sv,
        notes_en
    from sources
    where list_contains($source_ids, source_id)
)

select * from final
order by kind, publisher, source_id

-- Every import that changed something, the latest first (imports.py writes one row per import).
with final as (
    select
        imported_at,
        dataset as extract,
        file_names,
        rows_read,
        rows_added,
        rows_replaced,
        rows_unchanged,
        rows_skipped,
        imported_by,
        file_sha256,
        import_id
    from imports
)

select * from final
order by imported_at desc, import_id

-- One row of the import history for an import that changed the database.
insert into imports by name
select
    $import_id as import_id,
    $dataset as dataset,
    $file_names as file_names,
    $file_sha256 as file_sha256,
    $rows_read as rows_read,
    $rows_added as rows_added,
    $rows_replaced as rows_replaced,
    $rows_unchanged as rows_unchanged,
    $rows_skipped as rows_skipped,
    now() as imported_at,
    $imported_by as imported_by;

-- Clear the staging tables before the next extract is staged in the same connection.
drop table if exists staging.staged;
drop table if exists staging.pseudonyms;
drop table if exists staging.incoming_rows;
drop table if exists staging.changes;

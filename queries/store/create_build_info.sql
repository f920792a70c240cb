-- What the database was built from and when: load.ensure_database compares the fingerprint with the data's.
create table build_info as
select cast($fingerprint as varchar) as fingerprint, cast($built_at as timestamp with time zone) as built_at;

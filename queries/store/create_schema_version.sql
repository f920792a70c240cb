-- The layout of the tables this file holds (store.SCHEMA_VERSION); a file without it was written at version 1.
create table schema_version as select cast($version as integer) as version;

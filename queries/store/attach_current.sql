-- The database in place, read only: the tables a rewrite keeps are copied from it.
attach $path as current (read_only);

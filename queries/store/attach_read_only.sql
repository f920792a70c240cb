-- The dashboard's database for a page to read (database.py), in a DuckDB instance of its own: the file in place now.
attach $path as dashboard (read_only);

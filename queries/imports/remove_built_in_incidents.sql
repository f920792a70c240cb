-- Before a rebuild takes the built-in incidents afresh from data/extracts/: the rows no import
-- brought go (imported rows stay).
delete from incidents where import_id is null;

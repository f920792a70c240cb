-- Before a rebuild takes the built-in contacts afresh from data/extracts/: the rows no import
-- brought go (imported rows stay).
delete from interventions where import_id is null;

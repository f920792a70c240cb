-- A built-in row never replaces an imported row with the same id (an event the police corrected,
-- fetched by a refresh, or a partner's own row): the stored row stays as it is, and only built-in
-- rows with new ids are added.
update staging.changes set change = 'unchanged';

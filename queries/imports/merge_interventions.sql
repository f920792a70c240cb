-- Write an import into the stored contacts: demonstration rows and the rows being replaced
-- (staging.changes) go; every incoming row comes in but those stored already as they are. Run in the
-- new database file, before the swap.
delete from interventions
where is_synthetic or contact_id in (select _id from staging.changes where change = 'replaced');

insert into interventions by name
select incoming.* exclude (_file, _row, _id, _content)
from incoming
where incoming._id not in (select _id from staging.changes where change = 'unchanged');

-- The tables of one attached database (views and the system catalogs left out).
select table_name
from information_schema.tables
where table_catalog = $catalog and table_schema = 'main' and table_type = 'BASE TABLE'
order by table_name;

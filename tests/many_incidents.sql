-- `$count` valid incident rows with ids `$prefix`-0, -1, ..., as text cells: a large extract for the
-- import tests of a full disk and a killed import.
create table many_incidents as
select
    $prefix || '-' || i as incident_id,
    strftime(date '2016-01-01' + cast(i % 3000 as integer), '%Y-%m-%d') as date,
    lpad(cast(i % 24 as varchar), 2, '0') || ':15' as time,
    ['shooting', 'suspected_shooting', 'explosion'][1 + i % 3] as kind,
    cast(i % 2 as varchar) as dead,
    cast(i % 3 as varchar) as injured,
    ['Rosengård', 'Husie', 'Limhamn-Bunkeflo'][1 + i % 3] as district,
    cast(55.50 + (i % 1000) / 10000.0 as varchar) as latitude,
    cast(12.95 + (i % 1000) / 10000.0 as varchar) as longitude,
    'Polisen Region Syd' as source
from range($count) as numbers(i)

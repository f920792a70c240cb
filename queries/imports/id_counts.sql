-- How many typed rows an import brings and how many distinct ids they have: equal in most files, and
-- then no row can repeat or contradict another.
with ids as (
    select _id from keyed
),

final as (
    select count(*) as row_count, count(distinct _id) as id_count from ids
)

select * from final

-- one row per measure even when a year has no row at all (extracts can run past the
-- published years): the counts are then missing, never 0
with measures as (
    select distinct measure from yearly_figures
),

base as (
    select measure, count, rate_per_100k, source_id
    from yearly_figures
    where is_headline and year = $base_year
),

compared as (
    select measure, count, rate_per_100k, source_id
    from yearly_figures
    where is_headline and year = $year
),

final as (
    select
        measures.measure,
        $base_year::integer as base_year,
        $year::integer as year,
        base.count as count_base,
        compared.count as count_year,
        compared.count - base.count as change_count,
        100.0 * (compared.count - base.count) / nullif(base.count, 0) as change_pct,
        base.rate_per_100k as rate_base,
        compared.rate_per_100k as rate_year,
        100.0 * (compared.rate_per_100k - base.rate_per_100k)
            / nullif(base.rate_per_100k, 0) as rate_change_pct,
        base.source_id as base_source_id,
        compared.source_id
    from measures
    left join base using (measure)
    left join compared using (measure)
)

select * from final
order by measure

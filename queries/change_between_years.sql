-- one row per measure even when a year has no row at all (extracts can run past the
-- published years): the counts are then missing, never 0
with measures as (
    select distinct measure from yearly_figures
),

base as (
    select measure, count, is_lower_bound, rate_per_100k, source_id
    from yearly_figures
    where is_headline and year = $base_year
),

compared as (
    select measure, count, is_lower_bound, rate_per_100k, source_id
    from yearly_figures
    where is_headline and year = $year
),

-- a change from or to a lower bound ("at least 23") is not a published change: left empty
exact as (
    select
        measures.measure,
        base.count as count_base,
        compared.count as count_year,
        coalesce(base.is_lower_bound, false) as is_lower_bound_base,
        coalesce(compared.is_lower_bound, false) as is_lower_bound_year,
        base.rate_per_100k as rate_base,
        compared.rate_per_100k as rate_year,
        base.source_id as base_source_id,
        compared.source_id,
        not (coalesce(base.is_lower_bound, false) or coalesce(compared.is_lower_bound, false)) as is_exact
    from measures
    left join base using (measure)
    left join compared using (measure)
),

final as (
    select
        measure,
        $base_year::integer as base_year,
        $year::integer as year,
        count_base,
        count_year,
        is_lower_bound_base,
        is_lower_bound_year,
        case when is_exact then count_year - count_base end as change_count,
        case when is_exact then 100.0 * (count_year - count_base) / nullif(count_base, 0) end as change_pct,
        rate_base,
        rate_year,
        case when is_exact then 100.0 * (rate_year - rate_base) / nullif(rate_base, 0) end as rate_change_pct,
        base_source_id,
        source_id
    from exact
)

select * from final
order by measure

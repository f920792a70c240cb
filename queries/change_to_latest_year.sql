-- each measure's latest published whole-year figure up to $to_year against its figure in $base_year:
-- the measures' latest years differ (dead and injured are not published for every year)
with measures as (
    select distinct measure from yearly_figures
),

latest as (
    select measure, year, count, is_lower_bound, rate_per_100k, as_of, source_id
    from yearly_figures
    where is_headline and status = 'published' and count is not null and year <= $to_year
    qualify row_number() over (partition by measure order by year desc) = 1
),

base as (
    select measure, count, is_lower_bound, rate_per_100k, source_id
    from yearly_figures
    where is_headline and year = $base_year
),

-- a change from or to a lower bound ("at least 23") is not a published change, nor one back to the
-- base year or before it: left empty
exact as (
    select
        measures.measure,
        latest.year,
        base.count as count_base,
        latest.count as count_year,
        coalesce(base.is_lower_bound, false) as is_lower_bound_base,
        coalesce(latest.is_lower_bound, false) as is_lower_bound_year,
        base.rate_per_100k as rate_base,
        latest.rate_per_100k as rate_year,
        latest.as_of,
        base.source_id as base_source_id,
        latest.source_id,
        latest.year > $base_year
        and not (coalesce(base.is_lower_bound, false) or coalesce(latest.is_lower_bound, false)) as is_exact
    from measures
    left join latest using (measure)
    left join base using (measure)
),

final as (
    select
        exact.measure,
        $base_year::integer as base_year,
        exact.year,
        exact.count_base,
        exact.count_year,
        exact.is_lower_bound_base,
        exact.is_lower_bound_year,
        case when exact.is_exact then exact.count_year - exact.count_base end as change_count,
        case when exact.is_exact then 100.0 * (exact.count_year - exact.count_base) / nullif(exact.count_base, 0) end
            as change_pct,
        exact.rate_base,
        exact.rate_year,
        case when exact.is_exact then 100.0 * (exact.rate_year - exact.rate_base) / nullif(exact.rate_base, 0) end
            as rate_change_pct,
        exact.as_of,
        exact.base_source_id,
        exact.source_id
    from exact
)

select * from final
order by measure

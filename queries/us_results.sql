with final as (
    select
        city,
        programme,
        programme_start_year,
        quoted_change_pct,
        quoted_outcome_sv,
        quoted_outcome_en,
        metric_sv,
        metric_en,
        study_period,
        study,
        design_sv,
        design_en,
        caveat_sv,
        caveat_en,
        source_id,
        study_source_id
    from us_results
)

select * from final
order by quoted_change_pct

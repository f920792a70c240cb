with rounds as (
    select round_id, activity, label_sv, label_en, period_start, period_end, as_of
    from outreach_rounds
    where year(period_end) between $from_year and $to_year
),

figures as (
    select
        round_id,
        step,
        stage,
        count,
        is_lower_bound,
        coalesce(is_approximate, false) as is_approximate,
        unit,
        source_id,
        first(count) over (partition by round_id order by step) as first_step_count
    from outreach_figures
),

final as (
    select
        rounds.round_id,
        rounds.activity,
        rounds.label_sv,
        rounds.label_en,
        rounds.period_start,
        rounds.period_end,
        rounds.as_of,
        figures.step,
        figures.stage,
        figures.count,
        figures.is_lower_bound,
        figures.is_approximate,
        figures.unit,
        -- only a notification round is a funnel; reports and totals mix units and lower bounds
        case when rounds.activity = 'custom_notification_round'
            then 100.0 * figures.count / nullif(figures.first_step_count, 0)
        end as share_of_first_step_pct,
        figures.source_id
    from figures
    inner join rounds using (round_id)
)

select * from final
order by period_end, round_id, step

-- A round counts in the years of its last contact, like the published rounds (period_end).
-- A round the extract names as the published figures do (outreach_rounds) takes its name from there.
with final as (
    select
        contact_funnel.round_id,
        outreach_rounds.label_sv as round_sv,
        outreach_rounds.label_en as round_en,
        contact_funnel.* exclude (round_id)
    from contact_funnel
    left join outreach_rounds on outreach_rounds.round_id = contact_funnel.round_id
    where year(contact_funnel.period_end) between $from_year and $to_year
)

select * from final
order by period_end, round_id, kind, is_round_total, month

-- A round counts in the years of its last contact, like the published rounds (period_end).
with final as (
    select *
    from contact_funnel
    where year(period_end) between $from_year and $to_year
)

select * from final
order by period_end, round_id, kind, is_round_total, month

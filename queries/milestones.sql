with final as (
    select
        milestone_id,
        date,
        precision,
        when_sv,
        when_en,
        label_sv,
        label_en,
        source_id
    from milestones
    where year(date) between $from_year and $to_year
)

select * from final
order by date

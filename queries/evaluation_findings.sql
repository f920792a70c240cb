with final as (
    select finding_id, published, finding_sv, finding_en, source_id
    from evaluation_findings
)

select * from final
order by published

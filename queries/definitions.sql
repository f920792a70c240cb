with final as (
    select term_id, kind, title_sv, title_en, text_sv, text_en, source_id
    from definitions
)

select * from final
order by kind desc, term_id

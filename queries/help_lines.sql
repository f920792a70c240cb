with final as (
    select line_id, purpose_sv, purpose_en, contact, contact_kind, source_id
    from help_lines
)

select * from final

-- Materialised when the database is built and after each import: the queries filter it by year.
with rounds as (
    select
        round_id,
        kind,
        min(date) as period_start,
        max(date) as period_end
    from interventions
    group by round_id, kind
),

contacts as (
    select
        interventions.round_id,
        interventions.kind,
        strftime(interventions.date, '%Y-%m') as month,
        interventions.person_key,
        interventions.asked_exit_support,
        interventions.wanted_help_on_the_spot,
        interventions.helped_to_relocate,
        interventions.contacted_again
    from interventions
    inner join rounds using (round_id, kind)
),

-- One row per person and month, and per person in the whole round (the second grouping set,
-- month empty): a follow-up is true when any of the person's contacts says so, false when some
-- say false and none true, and null (unknown) when every contact leaves it empty.
people as (
    select
        round_id,
        kind,
        month,
        grouping(month) = 1 as is_round_total,
        person_key,
        count(*) as contacts,
        bool_or(asked_exit_support) as asked_exit_support,
        bool_or(wanted_help_on_the_spot) as wanted_help_on_the_spot,
        bool_or(helped_to_relocate) as helped_to_relocate,
        bool_or(contacted_again) as contacted_again
    from contacts
    group by grouping sets ((round_id, kind, month, person_key), (round_id, kind, person_key))
),

-- A follow-up's count is null when it is unknown for every person: missing is not zero.
counted as (
    select
        round_id,
        kind,
        month,
        is_round_total,
        sum(contacts)::bigint as contacts,
        count(*) as people,
        case when count(asked_exit_support) > 0
            then count(*) filter (where asked_exit_support)
        end as asked_exit_support,
        count(*) filter (where asked_exit_support is null) as asked_exit_support_unknown,
        case when count(wanted_help_on_the_spot) > 0
            then count(*) filter (where wanted_help_on_the_spot)
        end as wanted_help_on_the_spot,
        count(*) filter (where wanted_help_on_the_spot is null) as wanted_help_on_the_spot_unknown,
        case when count(helped_to_relocate) > 0
            then count(*) filter (where helped_to_relocate)
        end as helped_to_relocate,
        count(*) filter (where helped_to_relocate is null) as helped_to_relocate_unknown,
        case when count(contacted_again) > 0
            then count(*) filter (where contacted_again)
        end as contacted_again,
        count(*) filter (where contacted_again is null) as contacted_again_unknown
    from people
    group by round_id, kind, month, is_round_total
),

final as (
    select
        counted.round_id,
        counted.kind,
        rounds.period_start,
        rounds.period_end,
        counted.month,
        counted.is_round_total,
        counted.contacts,
        counted.people,
        counted.asked_exit_support,
        counted.asked_exit_support_unknown,
        counted.wanted_help_on_the_spot,
        counted.wanted_help_on_the_spot_unknown,
        counted.helped_to_relocate,
        counted.helped_to_relocate_unknown,
        counted.contacted_again,
        counted.contacted_again_unknown
    from counted
    inner join rounds using (round_id, kind)
)

select * from final

-- How a text cell of an extract is read: one macro per rule, shared by the checks and the typing of
-- both extracts, so that a value is checked by exactly the rule that types it. Temporary macros: they
-- live in the import's connection and are never stored in the database.

-- a date as extracts write it, optionally with the time as exports add it ('2023-06-07 01:49',
-- '2015-01-01 13:30:00+00'); the date and time are taken as written, an offset is not converted
create or replace temp macro date_text(cell) as
    nullif(regexp_extract(
        cell,
        '^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ T]([0-9]{1,2}[:.][0-9]{2})(?:[:.][0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?$',
        1
    ), '');

create or replace temp macro time_in_date(cell) as
    nullif(regexp_extract(
        cell,
        '^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ T]([0-9]{1,2}[:.][0-9]{2})(?:[:.][0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?$',
        2
    ), '');

-- null unless a real day (2020-02-30 is none); the plain form, as most files write it, without the long pattern
create or replace temp macro as_date(cell) as
    case
        when regexp_full_match(cell, '[0-9]{4}-[0-9]{2}-[0-9]{2}') then try_cast(cell as date)
        else try_cast(date_text(cell) as date)
    end;

-- 'HH:MM' from 'H:MM', 'HH.MM' or 'HH:MM:SS'; null unless a time of day
create or replace temp macro as_time(cell) as
    case
        when regexp_full_match(cell, '(?:[01][0-9]|2[0-3]):[0-5][0-9]') then cell
        when regexp_full_match(cell, '(?:[01]?[0-9]|2[0-3])[:.][0-5][0-9](?:[:.][0-5][0-9])?')
            then lpad(regexp_extract(cell, '^([0-9]{1,2})', 1), 2, '0')
                || ':' || regexp_extract(cell, '^[0-9]{1,2}[:.]([0-9]{2})', 1)
    end;

-- digits 0-9 only: '٣' or '３' are digits to Unicode, never to a count
create or replace temp macro is_whole_number(cell) as regexp_full_match(cell, '[0-9]+');

create or replace temp macro is_negative_whole_number(cell) as regexp_full_match(cell, '-[0-9]+');

-- a count within range: longer digit strings never reach a cast that could overflow
create or replace temp macro as_count(cell, max_count) as
    case
        when is_whole_number(cell) and length(ltrim(cell, '0')) <= 9 and cast(cell as bigint) <= max_count
            then cast(cell as bigint)
    end;

-- a decimal number with a point or a comma, as Swedish spreadsheets write it
create or replace temp macro as_number(cell) as
    case
        when regexp_full_match(cell, '-?[0-9]{1,3}(?:[.,][0-9]{1,15})?')
            then cast(replace(cell, ',', '.') as double)
    end;

create or replace temp macro as_yes_no(cell) as
    case
        when lower(cell) in ('true', 'ja', 'yes', 'j', 'y', '1', 'sant', 'x') then true
        when lower(cell) in ('false', 'nej', 'no', 'n', '0', 'falskt') then false
    end;

-- a Swedish personal identity or coordination number (day + 60), with or without century and
-- separator, not part of a longer run of digits
create or replace temp macro is_personal_number(cell) as
    regexp_matches(
        cell,
        '(?:^|[^0-9])(?:19|20)?[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01]|6[1-9]|[78][0-9]|9[01])[-+]?[0-9]{4}(?:[^0-9]|$)'
    );

-- a cell as a message quotes it: never a personal number, never more than 40 characters
create or replace temp macro shown(cell) as
    case
        when is_personal_number(cell) then '(a personal identity number, not repeated here)'
        when length(cell) > 40 then left(cell, 40) || '…'
        else cell
    end;

-- a reference (person_ref, group_ref) must be a code, never someone's number or name
create or replace temp macro reference_problem(cell) as
    case
        when is_personal_number(cell)
            then 'looks like a personal identity number: use the deliverer''s code, never the number'
        when regexp_matches(cell, '\s') or not regexp_matches(cell, '[0-9]')
            then 'looks like a name: a reference is a code with at least one digit and no spaces'
        when length(cell) > 64 then 'is longer than 64 characters: a reference is a short code'
    end;

-- the problem of a count cell, if it has one, as the problems queries list them; a count of up to three
-- digits, as nearly all are, is settled by the first test
create or replace temp macro count_problem(column_name, cell, max_count) as
    case
        when cell is null or (regexp_full_match(cell, '[0-9]{1,3}') and cast(cell as integer) <= max_count) then null
        when is_negative_whole_number(cell) then {
            'column': column_name, 'message': format('''{}'' is negative: a count is 0 or more', shown(cell))
        }
        when not is_whole_number(cell) then {
            'column': column_name,
            'message': format('''{}'' is not a whole number written with the digits 0-9', shown(cell))
        }
        when as_count(cell, max_count) is null then {
            'column': column_name,
            'message': format('''{}'' is out of range: a count of people is at most {}', shown(cell), max_count)
        }
    end;

-- the problem of a required cell left empty
create or replace temp macro missing_value(column_name, cell) as
    case when cell is null then {'column': column_name, 'message': 'value is missing'} end;

-- the problem of a date cell (day = as_date(cell)), if it has one; `held` names what the extract holds
create or replace temp macro date_problem(cell, day, today, earliest, held) as
    case
        when cell is null then {'column': 'date', 'message': 'value is missing'}
        when day is null then {
            'column': 'date', 'message': format('''{}'' is not a date written YYYY-MM-DD', shown(cell))
        }
        when day > today then {
            'column': 'date', 'message': format('''{}'' is in the future (today is {})', shown(cell), today)
        }
        when day < earliest then {
            'column': 'date',
            'message': format('''{}'' is before {}: extracts hold {} from {} on', shown(cell), earliest, held, year(earliest))
        }
    end;

create or replace temp macro kind_problem(cell, kinds) as
    case
        when cell is null then {'column': 'kind', 'message': 'value is missing'}
        when not list_contains(kinds, cell) then {
            'column': 'kind',
            'message': format(
                'unknown kind ''{}'': expected one of {} (or map it in a mapping file)',
                shown(cell), array_to_string(kinds, ', ')
            )
        }
    end;

-- no column of an extract may hold a personal identity number, whatever it is for
create or replace temp macro personal_number_problem(column_name, cell) as
    case when is_personal_number(cell) then {
        'column': column_name, 'message': 'looks like a personal identity number: no extract column may hold one'
    } end;

create or replace temp macro yes_no_problem(column_name, cell) as
    case when cell is not null and as_yes_no(cell) is null then {
        'column': column_name,
        'message': format('''{}'' is not yes or no (true/false, ja/nej, 1/0)', shown(cell))
    } end;

create or replace temp macro number_problem(column_name, cell, number) as
    case when cell is not null and number is null then {
        'column': column_name, 'message': format('''{}'' is not a number', shown(cell))
    } end;

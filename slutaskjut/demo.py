"""Synthetic demonstration extracts: incidents and interventions that match the published figures.

The views fed by partners' extracts (monthly trends, the map, outreach by round and month) need
rows to demonstrate every feature: places, casualties, contacts, which the events the police
publish do not give. This module makes them, deterministically, from the published files in
data/: it writes data/extracts/incidents_synthetic.csv and interventions_synthetic.csv in the
canonical extract format, and in demo mode only (SLUTASKJUT_DEMO=1, `make demo`) the database
build loads them like any extract, instead of the police events. Every row's `source` is
SYNTHETIC_SOURCE, the marker the import uses to flag synthetic rows. No row describes a real
incident or a real person.

Incidents. Every year in which all four measures have a published headline count is covered.
Such a year has exactly the published number of shootings and of explosions, and the dead and
the injured of its shootings add up to the published figures (a shooting has 0-2 dead and 0-3
injured; explosions have none). A further 10-25 % of the shootings are added as suspected
shootings with no dead or injured: the published figures do not count them, and neither does
the dashboard. Dead and injured are 0, never empty, because the synthetic data knows them.
Dates lean towards the dark months, times towards evenings and nights, and places scatter
around the approximate centres of Malmö's ten former city districts.

Interventions, one row per contact. Their funnels equal the published rounds:

- The latest `call_ins_and_notifications` report (feb_2020_report): its call-ins (round ids
  call_in_1, call_in_2, ...; the first in the month of the milestone `first_call_in`, the others
  spread up to the end of the report), with the published participants, each a person of their
  own; and its custom notifications (round id notifications_<first year>_<last year>), dated from
  the month after the programme started (milestone `project_start`) to the end of the report,
  with as many contacts as published to as many people as published: the difference is people
  notified a second time.
- Every `custom_notification_round` (may_2020, nov_2020, jun_2021): its people sought out once each
  during a two-week campaign inside the round's period (a round whose source gives no first day is a
  two-week campaign ending on its last day), with exactly the published number at each later stage.
  Each stage is drawn from the people of the stage before, so the funnel nests: the two helped to
  relocate in May 2020 are among the seven who asked for exit support.

The follow-up booleans (asked_exit_support, wanted_help_on_the_spot, helped_to_relocate,
contacted_again) are true or false only where the round's published figures count that
follow-up, and empty (unknown) everywhere else:

- call-ins: all four empty; the published figures count participants only.
- notifications before the report: contacted_again is true on the first contact of a person
  notified twice and false on every other contact (the published contacts minus people leave no
  room for more); the other three are empty.
- may_2020: asked_exit_support and helped_to_relocate true/false; the other two empty.
- nov_2020: wanted_help_on_the_spot true/false; the other three empty.

People are distinct across the programme except the repeat notifications, so the number of
distinct people is the sum of the rounds' people (138 today, consistent with the published
"at least 100 since the start"). References are synthetic codes (SYN-P-0001, groups SYN-G-01 to
SYN-G-12): they contain a digit and never look like a name or a personal identity number.

The generator uses random.Random with fixed seeds (strings, which Python hashes with SHA-512,
not with hash(), so PYTHONHASHSEED does not matter); each year of incidents and each round of
interventions has its own seed, so a changed figure changes only its own year or round.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import math
import random
from pathlib import Path

import pandas as pd

from slutaskjut.extract_schema import (
    EXTRACTS_FOLDER,
    FOLLOW_UPS,
    INCIDENTS,
    INTERVENTIONS,
    MALMO_BOUNDS,
    SYNTHETIC_SOURCE,
    Dataset,
)
from slutaskjut.load import read_all
from slutaskjut.schema import MEASURES

SEED = "slutaskjut-demo-1"
INCIDENTS_FILE = "incidents_synthetic.csv"
INTERVENTIONS_FILE = "interventions_synthetic.csv"

MAX_DEAD_PER_SHOOTING = 2
MAX_INJURED_PER_SHOOTING = 3
SUSPECTED_SHARE_PCT = (10, 25)  # suspected shootings per year, in per cent of the shootings

# Relative frequency of incidents by month (January first): a bit more in the dark months.
MONTH_WEIGHTS = (13, 12, 11, 9, 8, 8, 8, 8, 9, 11, 12, 13)
# Relative frequency by hour of the day (00 first): mostly evenings and nights.
HOUR_WEIGHTS = (7, 6, 5, 4, 2, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 5, 6, 7, 8, 9, 8)

# Malmö's ten former city districts (stadsdelar, 1996-2013) with APPROXIMATE centres in WGS 84,
# read off a map and used only to place synthetic points. The weights only make the synthetic
# map uneven, as a real one would be; they are not real shares of incidents.
DISTRICTS = (
    # name, latitude, longitude, weight
    ("Centrum", 55.6050, 13.0000, 3),
    ("Södra innerstaden", 55.5920, 13.0080, 4),
    ("Västra innerstaden", 55.5930, 12.9800, 2),
    ("Limhamn-Bunkeflo", 55.5680, 12.9420, 1),
    ("Hyllie", 55.5700, 12.9750, 3),
    ("Fosie", 55.5720, 13.0300, 3),
    ("Oxie", 55.5420, 13.0950, 1),
    ("Rosengård", 55.5860, 13.0380, 4),
    ("Husie", 55.5820, 13.0800, 1),
    ("Kirseberg", 55.6060, 13.0300, 2),
)
SCATTER_M = 400  # standard deviation of a point's distance from its district's centre, per axis
SCATTER_MAX_M = 1000  # offsets are clipped to this
_METRES_PER_DEGREE = 111_320  # metres per degree of latitude, roughly; enough for synthetic scatter

GROUPS = 12  # synthetic groups SYN-G-01 .. SYN-G-12
CAMPAIGN_DAYS = 14  # a custom-notification round is a two-week campaign inside its period
SECOND_NOTIFICATION_DAYS = (7, 120)  # days from a first notification to the second

# Published funnel stages of a custom-notification round and the follow-up column each counts.
STAGE_FOLLOW_UPS = {
    "sought_exit_support": "asked_exit_support",
    "wanted_help_on_the_spot": "wanted_help_on_the_spot",
    "helped_to_relocate": "helped_to_relocate",
}


def _rng(part: str) -> random.Random:
    return random.Random(f"{SEED}/{part}")


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _frame(rows: list[dict[str, str | None]], dataset: Dataset) -> pd.DataFrame:
    """Rows in the dataset's columns, every cell a str or None (object dtype keeps None)."""
    return pd.DataFrame(
        [[row.get(column) for column in dataset.columns] for row in rows], columns=dataset.columns, dtype=object
    )


# Incidents ----------------------------------------------------------------------------------


def covered_years(published: dict[str, pd.DataFrame]) -> dict[int, dict[str, int]]:
    """The headline counts of every year in which all four measures have a published count."""
    yearly = published["malmo_yearly"]
    counts: dict[int, dict[str, int]] = {}
    for row in yearly[yearly["is_headline"].fillna(False)].to_dict("records"):
        if not pd.isna(row["count"]):
            counts.setdefault(int(row["year"]), {})[row["measure"]] = int(row["count"])
    return {year: counts[year] for year in sorted(counts) if set(MEASURES) <= set(counts[year])}


def _spread(rng: random.Random, total: int, slots: int, cap: int) -> list[int]:
    """`total` people over `slots` incidents, at most `cap` each, one at a time at random."""
    per_slot = [0] * slots
    for _ in range(total):
        open_slots = [slot for slot in range(slots) if per_slot[slot] < cap]
        per_slot[rng.choice(open_slots)] += 1
    return per_slot


def _incident_date(rng: random.Random, year: int) -> dt.date:
    month = rng.choices(range(1, 13), weights=MONTH_WEIGHTS)[0]
    return dt.date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))


def _incident_time(rng: random.Random) -> str:
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    return f"{hour:02d}:{rng.randrange(60):02d}"


def _offset_m(rng: random.Random) -> float:
    return max(-SCATTER_MAX_M, min(SCATTER_MAX_M, rng.gauss(0, SCATTER_M)))


def _place(rng: random.Random) -> tuple[str, str, str]:
    """A district and a point a few hundred metres around its centre, as 5-decimal strings."""
    name, lat, lon, _ = rng.choices(DISTRICTS, weights=[district[3] for district in DISTRICTS])[0]
    latitude = round(lat + _offset_m(rng) / _METRES_PER_DEGREE, 5)
    longitude = round(lon + _offset_m(rng) / (_METRES_PER_DEGREE * math.cos(math.radians(lat))), 5)
    inside = (
        MALMO_BOUNDS["lat_min"] <= latitude <= MALMO_BOUNDS["lat_max"]
        and MALMO_BOUNDS["lon_min"] <= longitude <= MALMO_BOUNDS["lon_max"]
    )
    if not inside:
        raise AssertionError(f"synthetic point {latitude}, {longitude} ({name}) is outside Malmö")
    return name, f"{latitude:.5f}", f"{longitude:.5f}"


def _year_incidents(year: int, counts: dict[str, int]) -> list[dict[str, str | None]]:
    rng = _rng(f"incidents/{year}")
    shootings, explosions, dead, injured = (
        counts[measure] for measure in ("shootings", "explosions", "dead", "injured")
    )
    if dead > MAX_DEAD_PER_SHOOTING * shootings or injured > MAX_INJURED_PER_SHOOTING * shootings:
        raise ValueError(
            f"{year}: {dead} dead and {injured} injured do not fit on {shootings} shootings "
            f"(at most {MAX_DEAD_PER_SHOOTING} dead and {MAX_INJURED_PER_SHOOTING} injured each)"
        )
    suspected = (shootings * rng.randint(*SUSPECTED_SHARE_PCT) + 50) // 100
    dead_per = _spread(rng, dead, shootings, MAX_DEAD_PER_SHOOTING)
    injured_per = _spread(rng, injured, shootings, MAX_INJURED_PER_SHOOTING)
    kinds = ["shooting"] * shootings + ["explosion"] * explosions + ["suspected_shooting"] * suspected
    rows = []
    for index, kind in enumerate(kinds):
        date, time = _incident_date(rng, year), _incident_time(rng)
        district, latitude, longitude = _place(rng)
        is_shooting = kind == "shooting"
        rows.append(
            {
                "date": date.isoformat(),
                "time": time,
                "kind": kind,
                "dead": str(dead_per[index] if is_shooting else 0),
                "injured": str(injured_per[index] if is_shooting else 0),
                "district": district,
                "latitude": latitude,
                "longitude": longitude,
                "source": SYNTHETIC_SOURCE,
            }
        )
    rows.sort(key=lambda row: (row["date"], row["time"]))  # stable: ties keep the drawing order
    for number, row in enumerate(rows, start=1):
        row["incident_id"] = f"syn-{year}-{number:04d}"
    return rows


def incidents(published: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Synthetic incidents of every covered year, in the canonical columns (str or None cells)."""
    rows = [row for year, counts in covered_years(published).items() for row in _year_incidents(year, counts)]
    rows.sort(key=lambda row: (row["date"], row["time"], row["incident_id"]))
    return _frame(rows, INCIDENTS)


# Interventions ------------------------------------------------------------------------------


def _days(start: dt.date, end: dt.date, weekdays_only: bool = False) -> list[dt.date]:
    days = [start + dt.timedelta(days=offset) for offset in range((end - start).days + 1)]
    return [day for day in days if day.weekday() < 5] if weekdays_only else days


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` people over `parts` meetings, at least one each, the rest at random."""
    if total < parts:
        raise ValueError(f"{total} participants cannot fill {parts} call-ins")
    sizes = [1] * parts
    for _ in range(total - parts):
        sizes[rng.randrange(parts)] += 1
    return sizes


def _contact(person: tuple[str, int], date: dt.date, kind: str, round_id: str, seq: int = 0, **follow_ups) -> dict:
    return {"person": person, "seq": seq, "date": date, "kind": kind, "round_id": round_id} | {
        column: follow_ups.get(column) for column in FOLLOW_UPS
    }


def _stages(figures: pd.DataFrame, round_id: str) -> list[tuple[str, int]]:
    rows = figures[figures["round_id"] == round_id].sort_values("step")
    return [(row["stage"], int(row["count"])) for row in rows.to_dict("records")]


def _report_contacts(report: dict, figures: pd.DataFrame, milestones: dict[str, dt.date]) -> list[dict]:
    """Call-ins and custom notifications of a report since the programme's start."""
    rng = _rng(f"interventions/{report['round_id']}")
    stages = dict(_stages(figures, report["round_id"]))
    end = report["period_end"]
    start = report["period_start"] or milestones["project_start"]
    contacts = []

    call_ins = stages["call_ins_held"]
    first_call_in = max(start, milestones.get("first_call_in", start))
    slot_days = (end - first_call_in).days // call_ins
    for index, size in enumerate(_split(rng, stages["call_in_participants"], call_ins)):
        slot_start = first_call_in + dt.timedelta(days=index * slot_days)
        date = rng.choice(_days(slot_start, min(end, slot_start + dt.timedelta(days=27)), weekdays_only=True))
        round_id = f"call_in_{index + 1}"
        contacts += [_contact((round_id, person), date, "call_in", round_id) for person in range(size)]

    held, people = stages["custom_notifications_held"], stages["custom_notification_individuals"]
    if held < people:
        raise ValueError(f"{report['round_id']}: {held} notifications cannot reach {people} people")
    notify_from = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)  # the month after the start
    round_id = f"notifications_{notify_from.year}_{end.year}"
    notify_days = _days(notify_from, end, weekdays_only=True)
    first_dates = [rng.choice(notify_days) for _ in range(people)]
    earliest_gap, latest_gap = SECOND_NOTIFICATION_DAYS
    can_repeat = [person for person, date in enumerate(first_dates) if (end - date).days >= earliest_gap]
    repeated = set(rng.sample(can_repeat, held - people))
    for person, date in enumerate(first_dates):
        contacts.append(
            _contact(
                (round_id, person), date, "custom_notification", round_id, contacted_again=_bool(person in repeated)
            )
        )
    for person in sorted(repeated):
        first = first_dates[person]
        later = first + dt.timedelta(days=rng.randint(earliest_gap, min(latest_gap, (end - first).days)))
        contacts.append(
            _contact((round_id, person), later, "custom_notification", round_id, seq=1, contacted_again="false")
        )
    return contacts


def _round_contacts(round_: dict, figures: pd.DataFrame) -> list[dict]:
    """The people sought out in a custom-notification round, with its published funnel."""
    round_id = round_["round_id"]
    rng = _rng(f"interventions/{round_id}")
    stages = _stages(figures, round_id)
    if not stages or stages[0][0] != "sought_out":
        raise ValueError(f"{round_id}: the first stage of a custom-notification round must be sought_out")
    people = list(range(stages[0][1]))
    follow_ups: dict[str, set[int]] = {}
    chosen = people
    for stage, count in stages[1:]:
        if stage not in STAGE_FOLLOW_UPS:
            raise ValueError(f"{round_id}: stage {stage} has no follow-up column to show it")
        if count > len(chosen):
            raise ValueError(f"{round_id}: {count} {stage} is more than the {len(chosen)} of the stage before")
        chosen = sorted(rng.sample(chosen, count))
        follow_ups[STAGE_FOLLOW_UPS[stage]] = set(chosen)

    end = round_["period_end"]
    start = round_["period_start"] or end - dt.timedelta(days=CAMPAIGN_DAYS - 1)
    length = min(CAMPAIGN_DAYS, (end - start).days + 1)
    campaign_start = start + dt.timedelta(days=rng.randrange((end - start).days + 2 - length))
    campaign = _days(campaign_start, campaign_start + dt.timedelta(days=length - 1))
    return [
        _contact(
            (round_id, person),
            rng.choice(campaign),
            "custom_notification",
            round_id,
            **{column: _bool(person in members) for column, members in follow_ups.items()},
        )
        for person in people
    ]


def interventions(published: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Synthetic contacts whose funnels equal the published rounds, in the canonical columns."""
    rounds = published["outreach_rounds"].sort_values(["period_end", "round_id"]).to_dict("records")
    figures = published["outreach_figures"]
    milestones = {row["milestone_id"]: row["date"] for row in published["milestones"].to_dict("records")}
    contacts: list[dict] = []
    reports = [round_ for round_ in rounds if round_["activity"] == "call_ins_and_notifications"]
    if reports:  # the reports count since the start, so the latest holds the others
        contacts += _report_contacts(reports[-1], figures, milestones)
    for round_ in rounds:
        if round_["activity"] == "custom_notification_round":
            contacts += _round_contacts(round_, figures)

    contacts.sort(key=lambda contact: (contact["date"], contact["round_id"], contact["person"], contact["seq"]))
    group_rng = _rng("interventions/groups")
    person_refs: dict[tuple[str, int], str] = {}
    group_refs: dict[str, str] = {}
    rows = []
    for number, contact in enumerate(contacts, start=1):
        if contact["person"] not in person_refs:
            person_ref = person_refs[contact["person"]] = f"SYN-P-{len(person_refs) + 1:04d}"
            group_refs[person_ref] = f"SYN-G-{group_rng.randrange(GROUPS) + 1:02d}"
        person_ref = person_refs[contact["person"]]
        rows.append(
            {
                "contact_id": f"syn-c-{number:04d}",
                "person_ref": person_ref,
                "group_ref": group_refs[person_ref],
                "date": contact["date"].isoformat(),
                "kind": contact["kind"],
                "round_id": contact["round_id"],
                "source": SYNTHETIC_SOURCE,
            }
            | {column: contact[column] for column in FOLLOW_UPS}
        )
    return _frame(rows, INTERVENTIONS)


# Files --------------------------------------------------------------------------------------


def write_csv(frame: pd.DataFrame, dataset: Dataset, path: Path) -> None:
    """Write a frame in the canonical extract format: UTF-8, the dataset's columns, empty = unknown."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(dataset.columns)
        for row in frame[dataset.columns].itertuples(index=False):
            writer.writerow("" if value is None or pd.isna(value) else value for value in row)


def write_demo_extracts(data_dir: Path) -> list[Path]:
    """Write the synthetic extracts of the published files in data_dir to data_dir/extracts/."""
    published = read_all(data_dir)
    folder = data_dir / EXTRACTS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for frame, dataset, file_name in (
        (incidents(published), INCIDENTS, INCIDENTS_FILE),
        (interventions(published), INTERVENTIONS, INTERVENTIONS_FILE),
    ):
        path = folder / file_name
        write_csv(frame, dataset, path)
        paths.append(path)
    return paths

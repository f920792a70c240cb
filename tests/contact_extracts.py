"""Generated contact extracts of any shape: for the benchmark's import and for fixture databases.

`contact_frame` writes valid contacts in the extract's columns as text, as a partner's file holds
them (bench/benchmark.py imports them as Parquet); `stored_contacts` types them as the database
stores them, for conftest.extract_database. Both are deterministic: numpy with a fixed seed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from slutaskjut.extract_schema import CONTACT_KINDS, FOLLOW_UPS


@dataclass(frozen=True)
class Shape:
    """How an extract looks. The defaults are the benchmark's: rounds of four weeks, four a year."""

    contacts: int
    first_year: int = 2016
    last_year: int = 2025
    rounds_per_year: int = 4  # each starts on the first day of a month, spread evenly over the year
    round_days: int = 28  # a contact falls on one of the round's first days
    people: int | None = None  # every contact is with one of this many people; None: a quarter of the contacts
    true_share: float = 0.3  # of each follow-up, where known
    unknown_share: float = 0.2  # of each follow-up
    both_kinds: bool = False  # both kinds of contact in every round (one round id for both), else alternating
    source: str = "Benchmark"


def contact_frame(shape: Shape, seed: int) -> pd.DataFrame:
    """Valid contacts in the canonical columns, as text (None for an empty cell), in rounds the shape
    says, by people drawn at random (so some are contacted more than once) in 400 groups."""
    n = shape.contacts
    rng = np.random.default_rng(seed)
    months_apart = 12 // shape.rounds_per_year
    starts = [
        (year, dt.date(year, months_apart * number + 1, 1))
        for year in range(shape.first_year, shape.last_year + 1)
        for number in range(shape.rounds_per_year)
    ]
    starts = [(year, start) for year, start in starts if start <= dt.date.today()]
    which = rng.integers(0, len(starts), n)
    days = np.array([np.datetime64(start, "D") for _, start in starts])[which]
    days += rng.integers(0, shape.round_days, n).astype("timedelta64[D]")
    days = np.minimum(days, np.datetime64(dt.date.today(), "D"))  # an import refuses a contact in the future
    round_ids = np.array([f"round_{year}_{start.month:02d}" for year, start in starts], dtype=object)[which]
    if shape.both_kinds:
        kind_numbers = rng.integers(0, len(CONTACT_KINDS), n)
    else:
        kind_numbers = (np.arange(len(starts)) % len(CONTACT_KINDS))[which]
    people = rng.integers(1, (shape.people or max(n // 4, 10)) + 1, n)
    person_refs = np.char.add("B-P-", np.char.zfill(people.astype(str), 6)).astype(object)
    group_refs = np.char.add("B-G-", np.char.zfill((people % 400).astype(str), 4)).astype(object)
    group_refs[rng.random(n) < 0.2] = None
    frame = {
        "contact_id": np.char.add("B-C-", np.char.zfill(np.arange(1, n + 1).astype(str), 7)).astype(object),
        "person_ref": person_refs,
        "group_ref": group_refs,
        "date": np.datetime_as_string(days, unit="D").astype(object),
        "kind": np.array(CONTACT_KINDS, dtype=object)[kind_numbers],
        "round_id": round_ids,
    }
    for follow_up in FOLLOW_UPS:
        values = np.where(rng.random(n) < shape.true_share, "true", "false").astype(object)
        values[rng.random(n) < shape.unknown_share] = None
        frame[follow_up] = values
    frame["source"] = shape.source
    return pd.DataFrame(frame)


def stored_contacts(contacts: pd.DataFrame) -> pd.DataFrame:
    """Contacts of contact_frame as the database stores them after one import.

    The references become the keys as they are: they are made up, so there is nothing to hash.
    """
    frame = contacts.rename(columns={"person_ref": "person_key", "group_ref": "group_key"})
    frame["date"] = pd.to_datetime(frame["date"])
    for follow_up in FOLLOW_UPS:
        frame[follow_up] = frame[follow_up].map({"true": True, "false": False})
    return frame.assign(is_synthetic=False, import_id="generated")

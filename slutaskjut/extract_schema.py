"""What the partners' extracts hold: incidents (police) and interventions (city and police).

One `Dataset` per kind of extract. The same column names are used in the files (after an
optional mapping) and in the database tables, except the person and group references, which
are stored only as keyed hashes (`person_key`, `group_key`). The README and data/README.md
describe the same columns for people who write extracts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The folder of data/ holding the built-in extracts, and the `source` that marks their rows
# as synthetic demonstration data.
EXTRACTS_FOLDER = "extracts"
SYNTHETIC_SOURCE = "synthetic"

INCIDENT_KINDS = ("shooting", "suspected_shooting", "explosion")
CONTACT_KINDS = ("call_in", "custom_notification")
FOLLOW_UPS = ("asked_exit_support", "wanted_help_on_the_spot", "helped_to_relocate", "contacted_again")

# The earliest day an incident or a contact may have: no extract reaches further back, so an earlier
# date is a typing error (1000-01-01 would stretch every year slider back a millennium).
EARLIEST_DATE = dt.date(2000, 1, 1)
# The most people a count of one incident may give; a larger number is an error, never stored.
MAX_COUNT = 1000

# Malmö municipality's extent: the bounding box of its border (okfse/sweden-geojson, id 1280:
# 55.491-55.641 N, 12.881-13.152 E) rounded outwards to 0.01 degrees. Coordinates outside
# it are refused as not in the city.
MALMO_BOUNDS = {"lat_min": 55.49, "lat_max": 55.65, "lon_min": 12.88, "lon_max": 13.16}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text, date, time, int, float, bool, kind, reference
    description: str
    required: bool = True


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    key: str
    kinds: tuple[str, ...]
    fields: tuple[Field, ...]

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]


_SOURCE = Field(
    "source",
    "text",
    "Who delivered the row, for example 'Polisen Region Syd'; empty: 'not stated'. 'synthetic' marks "
    "demonstration rows.",
    required=False,
)

INCIDENTS = Dataset(
    "incidents",
    "One row per incident: a shooting, a suspected shooting or an explosion in Malmö.",
    key="incident_id",
    kinds=INCIDENT_KINDS,
    fields=(
        Field("incident_id", "text", "The deliverer's id of the incident; unique."),
        Field("date", "date", "Day the incident happened, YYYY-MM-DD; from 2000-01-01, not in the future."),
        Field("time", "time", "Time of day, HH:MM, where known.", required=False),
        Field("kind", "kind", "shooting, suspected_shooting (kept apart from shootings) or explosion."),
        Field(
            "dead", "int", "People killed, digits 0-9, at most 1000; empty when not known (never 0 for unknown).", False
        ),
        Field("injured", "int", "People injured; empty when not known.", required=False),
        Field("district", "text", "District (stadsområde or stadsdel), where known.", required=False),
        Field("latitude", "float", "WGS 84 latitude of the place, inside Malmö; decimal point or comma.", False),
        Field("longitude", "float", "WGS 84 longitude of the place, inside Malmö.", required=False),
        _SOURCE,
    ),
)

INTERVENTIONS = Dataset(
    "interventions",
    "One row per contact with a person: a call-in or a custom notification, and what followed.",
    key="contact_id",
    kinds=CONTACT_KINDS,
    fields=(
        Field("contact_id", "text", "The deliverer's id of the contact; unique."),
        Field(
            "person_ref",
            "reference",
            "The deliverer's code for the person (never a name or personal identity number); stored only "
            "as a keyed hash.",
        ),
        Field("group_ref", "reference", "Code for the person's group, where known; stored as a keyed hash.", False),
        Field("date", "date", "Day of the contact, YYYY-MM-DD; from 2000-01-01, not in the future."),
        Field("kind", "kind", "call_in or custom_notification."),
        Field("round_id", "text", "The round of call-ins or notifications the contact belongs to."),
        Field("asked_exit_support", "bool", "The person asked the exit programme for support.", False),
        Field("wanted_help_on_the_spot", "bool", "The person wanted help at the contact itself.", False),
        Field("helped_to_relocate", "bool", "The person was helped to move away.", False),
        Field("contacted_again", "bool", "The person was contacted again later.", False),
        _SOURCE,
    ),
)

DATASETS = {dataset.name: dataset for dataset in (INCIDENTS, INTERVENTIONS)}

# The pandas dtype a field is stored with (DuckDB keeps it). A reference is stored only as
# its keyed hash, under the name `<x>_key`.
_STORED_DTYPES = {
    "text": "string",
    "kind": "string",
    "time": "string",
    "reference": "string",
    "date": "datetime64[us]",
    "int": "Int64",
    "float": "Float64",
    "bool": "boolean",
}


def stored_name(field: Field) -> str:
    return field.name.removesuffix("_ref") + "_key" if field.kind == "reference" else field.name


def _stored(dataset: Dataset) -> dict[str, str]:
    columns = {stored_name(field): _STORED_DTYPES[field.kind] for field in dataset.fields}
    return columns | {"is_synthetic": "boolean", "import_id": "string"}


# Columns of the tables in the database, in order, with DuckDB-compatible pandas dtypes.
# Every database has these tables, empty when no extract has been imported.
STORED_COLUMNS: dict[str, dict[str, str]] = {
    **{name: _stored(dataset) for name, dataset in DATASETS.items()},
    # One row per import that changed something: the import history partners see. The
    # built-in extracts (the police events, or in demo mode the demonstration data) are not imports.
    "imports": {
        "import_id": "string",
        "dataset": "string",
        "file_names": "string",
        "file_sha256": "string",
        "rows_read": "Int64",
        "rows_added": "Int64",
        "rows_replaced": "Int64",
        "rows_unchanged": "Int64",
        "rows_skipped": "Int64",
        "imported_at": "datetime64[us, UTC]",
        "imported_by": "string",
    },
}

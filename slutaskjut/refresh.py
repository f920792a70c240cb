"""Refreshing the police events: fetch the police's public events API and import what is new.

The API (https://polisen.se/api/events, paths.police_events_url) answers with a JSON array of the
latest events of all Sweden, about 500, in the format of the built-in file
data/extracts/incidents_polisen_events.jsonl. The answer is imported like a file given to
`python -m slutaskjut import incidents`: the same reader keeps Malmö's shootings and explosions,
the same checks apply, and an event already in the database is left alone, so a refresh run
twice changes nothing. The events fetched are real rows of the incident extract, kept by every
rebuild like any import.
"""

from __future__ import annotations

import http.client
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from slutaskjut.imports import Summary, import_files

# The police ask the API's users to name themselves.
USER_AGENT = "slutaskjut-dashboard (Sluta skjut, Malmo; python -m slutaskjut refresh)"
TIMEOUT_S = 30
# The answer's name in problems and in the import history.
FILE_NAME = "polisen-api-events.json"


class FetchError(Exception):
    """The events could not be fetched; the message says from where and why."""


def fetch(url: str) -> bytes:
    """The body of the API's answer; raises FetchError when there is none."""
    try:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        raise FetchError(f"{url} answered HTTP {error.code} {error.reason}") from error
    except urllib.error.URLError as error:
        raise FetchError(f"{url} could not be reached: {error.reason}") from error
    except (OSError, http.client.HTTPException) as error:  # a timeout or a connection cut mid-answer
        raise FetchError(f"{url} did not answer in full: {error or type(error).__name__}") from error
    except ValueError as error:  # not a URL urllib can open
        raise FetchError(f"'{url}' is not a web address: {error}") from error


def import_events(body: bytes, db_path: Path, imported_by: str | None = None) -> Summary:
    """Import the API's answer into the database at db_path as the file FILE_NAME (imports.import_files).

    Raises DataError when the answer is not valid police events; the database is then exactly as it was.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / FILE_NAME
        path.write_bytes(body)
        return import_files("incidents", [path], db_path, imported_by=imported_by)

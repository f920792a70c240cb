"""Tables as downloadable files: CSV, and an Excel workbook with one sheet per table.

Every CSV and workbook the app produces is made here, and a text cell that a spreadsheet would
run as a formula (one beginning with =, +, -, @, a tab or a carriage return) gets a single quote
in front, so it is shown as text. Numbers stay numbers: -63 is a number, not a formula.
"""

from __future__ import annotations

import io
import re

import pandas as pd

_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell that begins like a formula, with a quote in front; every other value as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    safe = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_object_dtype(frame[column]) or pd.api.types.is_string_dtype(frame[column]):
            safe[column] = frame[column].map(neutralise)
    return safe.rename(columns={column: neutralise(column) for column in frame.columns if isinstance(column, str)})


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read å, ä and ö right.

    Rows end in CR LF (RFC 4180), so a cell holding a carriage return or a line break is quoted
    and stays one cell.
    """
    return _safe(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def excel_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One sheet per table, in the order given; sheet names cut to Excel's 31 characters."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            _safe(frame).to_excel(writer, sheet_name=_SHEET_NAME_FORBIDDEN.sub(" ", name)[:31], index=False)
    return buffer.getvalue()

"""Tables as downloadable files: CSV, and an Excel workbook with one sheet per table."""

from __future__ import annotations

import io
import re

import pandas as pd

_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read å, ä and ö right."""
    return frame.to_csv(index=False).encode("utf-8-sig")


def excel_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One sheet per table, in the order given; sheet names cut to Excel's 31 characters."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=_SHEET_NAME_FORBIDDEN.sub(" ", name)[:31], index=False)
    return buffer.getvalue()

"""CSV: the adapter between report tables and spreadsheet files."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

# Cells starting with these are formulas to a spreadsheet: prefix them so they stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document with a header row (spreadsheet formula injection defused)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue()

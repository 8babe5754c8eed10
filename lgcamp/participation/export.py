"""CSV: the adapter between report tables and spreadsheet files, and the member tables."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from lgcamp.participation.models import Membership

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


REGISTER_HEADER = [
    "Number",
    "Name",
    "Email",
    "Organisation",
    "Type",
    "Status",
    "Applied",
    "Joined",
    "Left",
    "Fee",
]
AGM_HEADER = ["Number", "Name", "Organisation", "Type", "Joined", "Fee"]


def register_table(members: Iterable[Membership]) -> tuple[list[str], list[list[object]]]:
    """The member register as a header and rows."""
    rows: list[list[object]] = [
        [
            m.number or "",
            m.person.name,
            m.person.email,
            m.person.organisation,
            m.membership_type.name,
            m.status.label,
            m.applied_at.date().isoformat(),
            m.starts_on.isoformat() if m.starts_on else "",
            m.ends_on.isoformat() if m.ends_on else "",
            m.fee_status.label,
        ]
        for m in members
    ]
    return REGISTER_HEADER, rows


def agm_table(members: Iterable[Membership]) -> tuple[list[str], list[list[object]]]:
    """The AGM eligibility list as a header and rows."""
    rows: list[list[object]] = [
        [
            m.number,
            m.person.name,
            m.person.organisation,
            m.membership_type.name,
            m.starts_on.isoformat() if m.starts_on else "",
            m.fee_status.label,
        ]
        for m in members
    ]
    return AGM_HEADER, rows

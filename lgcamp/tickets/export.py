"""CSV export of an event's attendees: says what it contains, and is safe in spreadsheets."""

from __future__ import annotations

import csv
import io

from lgcamp.events.models import Event
from lgcamp.tickets.models import Booking, Question

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A cell starting like a formula would run in a spreadsheet: make it plain text.
    return "'" + text if text.startswith(FORMULA_START) else text


def contents_note(event: Event, questions: list[Question], retention_days: int) -> str:
    """A plain sentence saying what the export holds (its first line, and on the page)."""
    sensitive = [q.label for q in questions if q.is_sensitive]
    note = (
        f"Attendees of {event.name}: name, email, organisation, role, ticket type, status, "
        "booked and checked-in times"
    )
    if questions:
        note += "; answers to: " + ", ".join(q.label for q in questions)
    if sensitive:
        note += (
            f". Personal data: answers to {', '.join(sensitive)} are sensitive and are "
            f"deleted {retention_days} days after the event; delete this file by then too"
        )
    return note + "."


def attendees_csv(
    event: Event,
    bookings: list[Booking],
    questions: list[Question],
    answers: dict[int, dict[int, str]],
    retention_days: int,
) -> str:
    """The CSV text: a contents line, a header row, then one row per booking."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"# {contents_note(event, questions, retention_days)}"])
    writer.writerow(
        [
            "Name",
            "Email",
            "Organisation",
            "Role",
            "Ticket type",
            "Status",
            "Booked at (UTC)",
            "Checked in at (UTC)",
            *[q.label for q in questions],
        ]
    )
    for booking in bookings:
        given = answers.get(booking.id, {})
        writer.writerow(
            [
                _cell(booking.person.name),
                _cell(booking.person.email),
                _cell(booking.organisation),
                _cell(booking.job_role),
                _cell(booking.ticket_type.name),
                booking.status.value,
                booking.created_at.strftime("%Y-%m-%d %H:%M"),
                booking.checked_in_at.strftime("%Y-%m-%d %H:%M") if booking.checked_in_at else "",
                *[_cell(given.get(q.id, "")) for q in questions],
            ]
        )
    return out.getvalue()

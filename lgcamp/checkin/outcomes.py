"""What the scanner shows for a scan: a colour, a title and a line of detail."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lgcamp.checkin.models import ScanResult
from lgcamp.checkin.window import closed_message
from lgcamp.events.models import Event


@dataclass(frozen=True)
class ScanOutcome:
    """What the scanner shows: a colour, a title, details, and the facts behind them."""

    scan_id: str
    result: ScanResult
    title: str
    detail: str
    booking_id: int | None = None
    name: str | None = None
    ticket_type: str | None = None
    has_access_needs: bool = False
    check_in_id: int | None = None
    checked_in_at: datetime | None = None
    door: str | None = None
    colour: str | None = None  # when not the result's own (a place released at the door)
    can_admit: bool = False  # released at the door, and a place is left: admit as a walk-in

    def as_json(self) -> dict[str, Any]:
        """The API's view of a scan outcome."""
        return {
            "scan_id": self.scan_id,
            "result": self.result.value,
            "colour": self.colour or self.result.colour,
            "title": self.title,
            "detail": self.detail,
            "booking_id": self.booking_id,
            "name": self.name,
            "ticket_type": self.ticket_type,
            "has_access_needs": self.has_access_needs,
            "check_in_id": self.check_in_id,
            "checked_in_at": self.checked_in_at.isoformat() if self.checked_in_at else None,
            "door": self.door,
            "can_admit": self.can_admit,
        }


RED_TITLES = {
    ScanResult.INVALID: ("Not a ticket", "This code is not an lgcamp ticket."),
    ScanResult.UNKNOWN: ("Ticket not recognised", "No booking has this ticket code."),
    ScanResult.OTHER_EVENT: ("Wrong event", "This ticket is for a different event."),
    ScanResult.CANCELLED: ("Booking cancelled", "The organisers cancelled this booking."),
    ScanResult.RELEASED: ("Ticket given back", "The holder released this ticket."),
    ScanResult.NOT_CONFIRMED: ("No confirmed place", "This booking does not hold a place."),
}
# Red results that still name the holder (the ticket is real, but not valid today).
NAMED_RED = (ScanResult.CANCELLED, ScanResult.RELEASED, ScanResult.NOT_CONFIRMED)
DOOR_RELEASE = "door_release"  # Booking.end_reason of a place released for walk-ins


def humanise(delta: timedelta) -> str:
    """A short duration for people: "40 seconds", "2 minutes", "3 hours"."""
    seconds = round(abs(delta.total_seconds()))
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = round(seconds / size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def outcome_for(
    event: Event,
    scan_id: str,
    result: ScanResult,
    ticket: Mapping[Any, Any] | None,
    scanned_at: datetime,
    can_admit: bool = False,
) -> ScanOutcome:
    """Build what the scanner shows for a result (live, or replayed from the log).

    ``ticket`` is the booking as the door reads it (``scans.Ticket``), with its
    accepted check-in (``check_in_id``, ``checked_in_at``, ``door``) if any.
    """
    if result is ScanResult.OUTSIDE_WINDOW:
        title, detail = closed_message(event, scanned_at)
        name = ticket["name"] if ticket is not None else None
        booking_id = ticket["id"] if ticket is not None else None
        return ScanOutcome(scan_id, result, title, detail, booking_id=booking_id, name=name)
    released_at_door = ticket is not None and ticket.get("end_reason") == DOOR_RELEASE
    if result is ScanResult.RELEASED and released_at_door:
        assert ticket is not None
        return _released_at_door(event, scan_id, ticket, can_admit)
    if result in RED_TITLES:
        title, detail = RED_TITLES[result]
        if result in NAMED_RED and ticket is not None:
            detail = f"{ticket['name']}: {detail}"
            return ScanOutcome(scan_id, result, title, detail, booking_id=ticket["id"])
        return ScanOutcome(scan_id, result, title, detail)
    assert ticket is not None
    checked_in_at: datetime | None = ticket["checked_in_at"]
    common: dict[str, Any] = {
        "booking_id": ticket["id"],
        "name": ticket["name"],
        "ticket_type": ticket["ticket_type"],
        "has_access_needs": bool(ticket["has_access_needs"]),
        "check_in_id": ticket["check_in_id"],
        "checked_in_at": checked_in_at,
        "door": ticket["door"],
    }
    if result is ScanResult.ACCEPTED:
        return ScanOutcome(scan_id, result, "Checked in", ticket["ticket_type"], **common)
    if checked_in_at is None:  # the earlier check-in has since been undone
        detail = "Checked in earlier; that check-in was undone. Scan again to check in."
    else:
        local = checked_in_at.astimezone(event.tz).strftime("%H:%M")
        gap = scanned_at - checked_in_at
        when = f"{humanise(gap)} earlier" if gap.total_seconds() >= 1 else "at the same time"
        detail = f"Checked in at {ticket['door']}, {when} (at {local})"
    return ScanOutcome(scan_id, result, "Already checked in", detail, **common)


def _released_at_door(
    event: Event, scan_id: str, ticket: Mapping[Any, Any], can_admit: bool
) -> ScanOutcome:
    """A ticket whose place went to walk-ins: say when, and whether they can still come in."""
    ended_at: datetime | None = ticket.get("ended_at")
    when = f" at {ended_at.astimezone(event.tz):%H:%M}" if ended_at else ""
    then = (
        "A place is left: you can admit them as a walk-in."
        if can_admit
        else "No place is left for a walk-in, or they hold another booking: search for them."
    )
    return ScanOutcome(
        scan_id,
        ScanResult.RELEASED,
        f"Place released at the door{when}",
        f"Not checked in in time, so the place went to walk-ins. {then}",
        booking_id=ticket["id"],
        name=ticket["name"],
        ticket_type=ticket["ticket_type"],
        colour="amber",
        can_admit=can_admit,
    )

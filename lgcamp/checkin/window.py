"""The event's check-in window: when the door accepts check-ins, and what it says outside it.

A ticket checked in weeks early would count as attendance of an event not yet held; the
window (by default from 3 hours before the start until the end, set per event) prevents it.
"""

from __future__ import annotations

from datetime import datetime

from lgcamp.events.models import Event


def is_open(event: Event, at: datetime) -> bool:
    """Whether check-ins are accepted at this moment."""
    return event.check_in_opens_at <= at < event.check_in_closes_at


def _duration(minutes: int) -> str:
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''}"


def _when(event: Event, moment: datetime) -> str:
    local = moment.astimezone(event.tz)
    return f"{local:%H:%M} on {local:%A} {local.day} {local:%B %Y}"


def closed_message(event: Event, at: datetime) -> tuple[str, str]:
    """The title and the explanation for a check-in refused at this moment."""
    if at < event.check_in_opens_at:
        minutes = round((event.starts_at - event.check_in_opens_at).total_seconds() / 60)
        lead = f"{_duration(minutes)} before the start" if minutes > 0 else "at the start"
        return (
            "Check-in not open yet",
            f"Check-in opens at {_when(event, event.check_in_opens_at)} ({lead}). "
            "Nothing was recorded.",
        )
    return (
        "Check-in has closed",
        f"Check-in closed at {_when(event, event.check_in_closes_at)}. Nothing was recorded.",
    )


def window_json(event: Event) -> dict[str, str]:
    """The window for the scanner's offline list, so that the phone refuses as the server does."""
    return {
        "opens_at": event.check_in_opens_at.isoformat(),
        "closes_at": event.check_in_closes_at.isoformat(),
    }

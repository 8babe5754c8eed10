"""iCalendar builders: small typed functions that turn events into .ics bytes."""

from __future__ import annotations

from functools import lru_cache

from flask import current_app
from icalendar import Calendar, Timezone
from icalendar import Event as VEvent

from lgcamp.database import utcnow
from lgcamp.events.models import Event, EventStatus

PRODID = "-//LocalGov Digital//lgcamp//EN"


def event_uid(event: Event) -> str:
    """A UID that never changes for the event, so calendars update rather than duplicate."""
    return f"event-{event.id}@lgcamp.localgov"


@lru_cache(maxsize=16)
def _vtimezone(tzid: str) -> bytes:
    # Building a VTIMEZONE from the tz database takes milliseconds; the result never changes.
    return Timezone.from_tzid(tzid).to_ical()


def event_vevent(event: Event) -> VEvent:
    """The VEVENT for one event: stable UID, DTSTAMP, SEQUENCE, times with their TZID."""
    tz = event.tz
    url = current_app.config["BASE_URL"].rstrip("/") + f"/events/{event.slug}"
    vevent = VEvent()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", utcnow().replace(microsecond=0))
    vevent.add("sequence", event.sequence)
    vevent.add("summary", event.name)
    vevent.add("dtstart", event.starts_at.astimezone(tz))
    vevent.add("dtend", event.ends_at.astimezone(tz))
    vevent.add("description", f"{event.summary}\n\n{url}" if event.summary else url)
    address = [event.venue_name, *event.venue_address.splitlines()]
    location = ", ".join(part.strip() for part in address if part.strip())
    if location:
        vevent.add("location", location)
    vevent.add("url", url)
    cancelled = event.status == EventStatus.CANCELLED
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return vevent


def event_ics(event: Event) -> bytes:
    """One event as an iCalendar file (VCALENDAR with its VTIMEZONE and one VEVENT)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event_vevent(event))
    # The cached VTIMEZONE is spliced in as bytes: parsing it back each time costs more than
    # building the rest of the file.
    body = calendar.to_ical()
    return body.replace(b"BEGIN:VEVENT", _vtimezone(event.timezone) + b"BEGIN:VEVENT", 1)

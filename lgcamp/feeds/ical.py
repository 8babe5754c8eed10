"""iCalendar builders: events and sessions as `Item`s (plain data), written as .ics bytes.

Single downloads go through the `icalendar` package; feeds, which may carry a thousand items,
through the smaller RFC 5545 writer below, checked against it in tests/feeds/test_ical.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import Calendar
from icalendar import Event as VEvent

from lgcamp.database import utcnow
from lgcamp.events.models import Event, EventKind, EventStatus
from lgcamp.feeds.vtimezone import vtimezone
from lgcamp.programme.models import CampSession, Room, TimeSlot

PRODID = "-//LocalGov Digital//lgcamp//EN"
UID_DOMAIN = "lgcamp.localgov"
REFRESH = "PT1H"  # how often subscribers are asked to poll

# TEXT may hold no control characters but HTAB (RFC 5545 3.3.11); newlines are escaped.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NEEDS_QUOTES = re.compile(r"[:;,]")


@dataclass(frozen=True)
class Item:
    """One VEVENT, as plain data: what every builder in this module starts from."""

    uid: str
    summary: str
    starts_at: datetime  # aware
    ends_at: datetime  # aware
    tzid: str  # the times are written in this zone, with a matching VTIMEZONE
    stamp: datetime  # DTSTAMP
    last_modified: datetime
    sequence: int
    cancelled: bool
    url: str
    description: str = ""
    location: str = ""
    categories: tuple[str, ...] = ()


# --- UIDs and addresses --------------------------------------------------------------------------


def event_uid(event: Event | EventFields) -> str:
    """A UID that never changes for the event, so calendars update rather than duplicate."""
    return f"event-{event.id}@{UID_DOMAIN}"


def session_uid(camp_session: CampSession) -> str:
    """A session's UID: its id only, so that a move keeps it."""
    return f"session-{camp_session.id}@{UID_DOMAIN}"


def page_url(path: str) -> str:
    """An absolute address on this site (BASE_URL, so that feeds name the public host)."""
    return current_app.config["BASE_URL"].rstrip("/") + path


def _join_lines(*parts: str) -> str:
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def venue_line(event: Event | EventFields) -> str:
    """The venue name and address on one line."""
    address = [event.venue_name, *event.venue_address.splitlines()]
    return ", ".join(part.strip() for part in address if part.strip())


# --- items -----------------------------------------------------------------------------------


class EventFields(Protocol):
    """What `event_item` reads: an `Event`, or a row of the event table (feeds of a thousand
    events skip building ORM objects, which costs more than writing the feed)."""

    id: int
    slug: str
    name: str
    kind: EventKind
    status: EventStatus
    summary: str
    venue_name: str
    venue_address: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    sequence: int
    updated_at: datetime


def event_item(
    event: EventFields, *, stamp: datetime | None = None, base_url: str | None = None
) -> Item:
    """An event as a calendar item; SEQUENCE is the event's own (bumped on time, place, status)."""
    base = (base_url or current_app.config["BASE_URL"]).rstrip("/")
    url = f"{base}/events/{event.slug}"
    return Item(
        uid=event_uid(event),
        summary=event.name,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        tzid=event.timezone,
        stamp=stamp or event.updated_at,
        last_modified=event.updated_at,
        sequence=event.sequence,
        cancelled=event.status == EventStatus.CANCELLED,
        url=url,
        description=_join_lines(event.summary, url),
        location=venue_line(event),
        categories=(event.kind.label,),
    )


def session_item(
    camp_session: CampSession,
    slot: TimeSlot,
    room: Room | None,
    *,
    sequence: int,
    last_modified: datetime,
    cancelled: bool,
    host_names: Iterable[str] = (),
    stamp: datetime | None = None,
) -> Item:
    """A session in its slot and room (for a withdrawn or unscheduled one: where it last was).

    SEQUENCE and LAST-MODIFIED are worked out by the caller (see feeds.service).
    """
    event = camp_session.event
    url = page_url(f"/events/{event.slug}/sessions/{camp_session.id}")
    hosts = ", ".join(host_names)
    where = [room.name] if room is not None else []
    if room is not None and room.directions:
        where.append(room.directions)
    if event.venue_name:
        where.append(event.venue_name)
    return Item(
        uid=session_uid(camp_session),
        summary=camp_session.title,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        tzid=event.timezone,
        stamp=stamp or last_modified,
        last_modified=last_modified,
        sequence=sequence,
        cancelled=cancelled,
        url=url,
        description=_join_lines(
            f"A session at {event.name}.",
            f"Hosted by {hosts}." if hosts else "",
            camp_session.description,
            url,
        ),
        location=", ".join(where),
        categories=(camp_session.format.label,),
    )


# --- the icalendar path: single items ----------------------------------------------------------


def _second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def item_vevent(item: Item) -> VEvent:
    """An item as an `icalendar` VEVENT (times with their TZID, never floating)."""
    tz = ZoneInfo(item.tzid)
    vevent = VEvent()
    vevent.add("uid", item.uid)
    vevent.add("dtstamp", _second(item.stamp).astimezone(UTC))
    vevent.add("last-modified", _second(item.last_modified).astimezone(UTC))
    vevent.add("sequence", item.sequence)
    vevent.add("summary", clean_text(item.summary))
    vevent.add("dtstart", _second(item.starts_at).astimezone(tz))
    vevent.add("dtend", _second(item.ends_at).astimezone(tz))
    if item.location:
        vevent.add("location", clean_text(item.location))
    if item.description:
        vevent.add("description", clean_text(item.description))
    vevent.add("url", item.url)
    vevent.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    if item.categories:
        vevent.add("categories", [clean_text(c) for c in item.categories])
    return vevent


def event_vevent(event: Event) -> VEvent:
    """The VEVENT for one event: stable UID, DTSTAMP, SEQUENCE, times with their TZID."""
    return item_vevent(event_item(event, stamp=utcnow()))


def item_ics(item: Item) -> bytes:
    """One item as an iCalendar file (VCALENDAR with its VTIMEZONE and one VEVENT)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(item_vevent(item))
    # The cached VTIMEZONE is spliced in as bytes: parsing it back each time costs more than
    # building the rest of the file.
    body = calendar.to_ical()
    return body.replace(b"BEGIN:VEVENT", vtimezone(item.tzid) + b"BEGIN:VEVENT", 1)


def event_ics(event: Event) -> bytes:
    """One event as an iCalendar file (used for downloads and the ticket email attachment)."""
    return item_ics(event_item(event, stamp=utcnow()))


def event_cancel_ics(event: Event, organizer: str, attendee: str) -> bytes:
    """A cancellation to attach to an email (RFC 5546 CANCEL): the same UID with a higher
    SEQUENCE and STATUS:CANCELLED, so calendar apps remove the event they were sent."""
    item = event_item(event, stamp=utcnow())
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL")
    vevent = item_vevent(item)
    vevent["status"] = "CANCELLED"
    vevent.add("organizer", f"mailto:{organizer}")
    vevent.add("attendee", f"mailto:{attendee}")
    calendar.add_component(vevent)
    body = calendar.to_ical()
    return body.replace(b"BEGIN:VEVENT", vtimezone(item.tzid) + b"BEGIN:VEVENT", 1)


# --- the feed writer ---------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """Newlines as LF and no control characters but tab: what TEXT may hold (RFC 5545 3.3.11)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def escape_text(text: str) -> str:
    """A TEXT value: backslash, semicolon, comma and newline escaped; control characters gone."""
    text = clean_text(text)
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> bytes:
    """One content line, folded at 75 octets without splitting a UTF-8 character, with CRLF."""
    data = line.encode()
    if len(data) <= 75:
        return data + b"\r\n"
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1  # never cut inside a multi-byte character
        parts.append(data[start:end])
        start, limit = end, 74  # continuation lines start with a space
    return b"\r\n ".join(parts) + b"\r\n"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _param(value: str) -> str:
    return f'"{value}"' if _NEEDS_QUOTES.search(value) else value


def _local(name: str, moment: datetime, tzid: str, tz: ZoneInfo) -> str:
    return f"{name};TZID={_param(tzid)}:{moment.astimezone(tz):%Y%m%dT%H%M%S}"


def item_lines(item: Item) -> bytes:
    """One VEVENT written directly (the same content as `item_vevent`, about 10 times faster)."""
    tz = ZoneInfo(item.tzid)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(item.uid)}",
        f"DTSTAMP:{_utc(item.stamp)}",
        f"LAST-MODIFIED:{_utc(item.last_modified)}",
        f"SEQUENCE:{item.sequence}",
        f"SUMMARY:{escape_text(item.summary)}",
        _local("DTSTART", item.starts_at, item.tzid, tz),
        _local("DTEND", item.ends_at, item.tzid, tz),
    ]
    if item.location:
        lines.append(f"LOCATION:{escape_text(item.location)}")
    if item.description:
        lines.append(f"DESCRIPTION:{escape_text(item.description)}")
    lines.append(f"URL:{item.url}")
    lines.append("STATUS:CANCELLED" if item.cancelled else "STATUS:CONFIRMED")
    if item.categories:
        lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in item.categories))
    lines.append("END:VEVENT")
    return b"".join(fold(line) for line in lines)


@dataclass(frozen=True)
class FeedHeader:
    """What a subscribed calendar is called and where it comes from."""

    name: str
    description: str
    source_url: str  # the feed's own address
    page_url: str  # the page it belongs to


def feed_ics(header: FeedHeader, items: Iterable[Item]) -> bytes:
    """A whole feed: calendar name and refresh hints, one VTIMEZONE per zone used, the items."""
    items = list(items)
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"NAME:{escape_text(header.name)}",
        f"X-WR-CALNAME:{escape_text(header.name)}",
        f"DESCRIPTION:{escape_text(header.description)}",
        f"X-WR-CALDESC:{escape_text(header.description)}",
        f"SOURCE;VALUE=URI:{header.source_url}",
        f"URL;VALUE=URI:{header.page_url}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
        f"X-PUBLISHED-TTL:{REFRESH}",
    ]
    out = [fold(line) for line in head]
    out.extend(vtimezone(tzid) for tzid in sorted({item.tzid for item in items}))
    out.extend(item_lines(item) for item in items)
    out.append(b"END:VCALENDAR\r\n")
    return b"".join(out)

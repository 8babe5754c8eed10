"""The iCalendar adapter: escaping and folding, the fast writer against icalendar, VTIMEZONEs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from lgcamp.events.models import EventStatus
from lgcamp.feeds.ical import (
    FeedHeader,
    Item,
    escape_text,
    event_ics,
    event_uid,
    event_vevent,
    feed_ics,
    fold,
    item_ics,
    item_lines,
)
from lgcamp.feeds.vtimezone import vtimezone
from tests.factories import make_event
from tests.feeds.parsing import parse_feed

AWKWARD = 'Café, Bäckerei; "quotes" \\ back\nslash\r\nand 🎉 emoji — Łódź\x07'
HEADER = FeedHeader("Test, feed; name", "A description\nover lines", "http://x/f.ics", "http://x/")


def _item(**changes: Any) -> Item:
    start = datetime(2027, 1, 14, 9, 30, tzinfo=UTC)
    fields: dict[str, Any] = {
        "uid": "event-7@lgcamp.localgov",
        "summary": AWKWARD,
        "starts_at": start,
        "ends_at": start + timedelta(hours=7),
        "tzid": "Europe/London",
        "stamp": start - timedelta(days=3),
        "last_modified": start - timedelta(days=3),
        "sequence": 4,
        "cancelled": False,
        "url": "http://localhost/events/x",
        "description": AWKWARD * 4,
        "location": "Room 1, Civic Hall; Leeds",
        "categories": ("LocalGovCamp", "a, b"),
    }
    fields.update(changes)
    return Item(**fields)


def test_escape_text_escapes_specials_and_drops_control_characters() -> None:
    assert escape_text("a,b;c\\d\ne\r\nf\rg\x07") == "a\\,b\\;c\\\\d\\ne\\nf\\ng"


@pytest.mark.parametrize("text", ["short", "x" * 75, "x" * 76, "é" * 80, "a🎉" * 40, AWKWARD * 5])
def test_fold_keeps_lines_within_75_octets_and_characters_whole(text: str) -> None:
    line = f"SUMMARY:{escape_text(text)}"
    folded = fold(line)
    lines = folded.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    for part in lines:
        part.decode("utf-8")  # no character is cut in two
    assert b"".join(lines[:1] + [part[1:] for part in lines[1:]]).decode() == line


def test_awkward_text_survives_both_parsers() -> None:
    body = feed_ics(HEADER, [_item()])
    parsed = parse_feed(body)
    expected = 'Café, Bäckerei; "quotes" \\ back\nslash\nand 🎉 emoji — Łódź'
    assert parsed.value("event-7@lgcamp.localgov", "summary") == expected
    assert parsed.value("event-7@lgcamp.localgov", "description") == expected * 4
    assert parsed.value("event-7@lgcamp.localgov", "location") == "Room 1, Civic Hall; Leeds"
    assert parsed.prop("x-wr-calname") == "Test, feed; name"
    theirs = icalendar.Calendar.from_ical(body)
    assert str(next(iter(theirs.walk("VEVENT")))["SUMMARY"]) == expected


@pytest.mark.parametrize("cancelled", [False, True])
def test_fast_writer_matches_the_icalendar_path(cancelled: bool) -> None:
    item = _item(cancelled=cancelled, tzid="America/New_York")
    fast = next(iter(icalendar.Calendar.from_ical(feed_ics(HEADER, [item])).walk("VEVENT")))
    slow = next(iter(icalendar.Calendar.from_ical(item_ics(item)).walk("VEVENT")))
    assert set(fast.keys()) == set(slow.keys())
    for name in fast:
        assert fast.decoded(name) == slow.decoded(name), name
    assert item_lines(item).count(b"TZID=America/New_York") == 2
    assert str(fast["STATUS"]) == ("CANCELLED" if cancelled else "CONFIRMED")


def test_feed_header_has_name_refresh_hints_and_one_vtimezone_per_zone() -> None:
    items = [_item(), _item(uid="b", tzid="America/New_York"), _item(uid="c")]
    parsed = parse_feed(feed_ics(HEADER, items))
    assert parsed.text.count("BEGIN:VTIMEZONE") == 2
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in parsed.text
    assert "X-PUBLISHED-TTL:PT1H\r\n" in parsed.text
    assert parsed.prop("refresh-interval") == "PT1H"
    assert parsed.prop("x-published-ttl") == "PT1H"


@pytest.mark.parametrize(
    "tzid",
    [
        "Europe/London",
        "Europe/Dublin",
        "America/New_York",
        "Australia/Sydney",
        "Asia/Kolkata",
        "UTC",
    ],
)
def test_vtimezone_gives_the_right_offset_in_both_parsers(tzid: str) -> None:
    zone = ZoneInfo(tzid)
    moments = [
        datetime(year, month, 14, 9, 30, tzinfo=UTC)
        for year in (2026, 2027, 2031)
        for month in range(1, 13)
    ]
    lines = "".join(
        f"BEGIN:VEVENT\r\nUID:{n}\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART;TZID={tzid}:{moment.astimezone(zone):%Y%m%dT%H%M%S}\r\nEND:VEVENT\r\n"
        for n, moment in enumerate(moments)
    )
    text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" + vtimezone(tzid).decode()
    text += lines + "END:VCALENDAR\r\n"
    by_vobject = [ev.dtstart.value.astimezone(UTC) for ev in vobject.readOne(text).vevent_list]
    by_icalendar = [
        ev.decoded("DTSTART").astimezone(UTC)
        for ev in icalendar.Calendar.from_ical(text).walk("VEVENT")
    ]
    assert by_vobject == moments
    assert by_icalendar == moments


def test_london_vtimezone_is_written_as_yearly_rules() -> None:
    text = vtimezone("Europe/London").decode()
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU" in text
    assert "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU" in text
    assert "RDATE" not in text


def test_ticket_attachment_functions_keep_working(app: Any) -> None:
    event = make_event(
        "LocalGovCamp; Leeds, 2027", venue_name="Civic Hall", status=EventStatus.CANCELLED
    )
    assert event_uid(event) == f"event-{event.id}@lgcamp.localgov"
    vevent = event_vevent(event)
    assert str(vevent["UID"]) == event_uid(event)
    assert str(vevent["STATUS"]) == "CANCELLED"
    parsed = parse_feed(event_ics(event))
    assert parsed.value(event_uid(event), "summary") == "LocalGovCamp; Leeds, 2027"
    assert parsed.utc(event_uid(event)) == event.starts_at
    assert parsed.value(event_uid(event), "url") == f"http://localhost/events/{event.slug}"
    assert "METHOD:PUBLISH" in parsed.text

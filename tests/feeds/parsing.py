"""Read feeds back with two independent parsers (vobject and icalendar) and check they agree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import icalendar
import vobject

_DATE_LINE = re.compile(r"^(DTSTART|DTEND)([;:][^\r\n]*)", re.M)


@dataclass
class Parsed:
    """A feed as both parsers read it: vobject VEVENTs by UID, plus the calendar itself."""

    calendar: Any  # vobject component
    events: dict[str, Any]  # UID -> vobject VEVENT
    text: str

    def prop(self, name: str) -> str:
        """A calendar-level property's value (vobject)."""
        return self.calendar.contents[name.lower()][0].value

    def utc(self, uid: str, name: str = "dtstart") -> datetime:
        """A VEVENT's time in UTC (vobject)."""
        return getattr(self.events[uid], name).value.astimezone(UTC)

    def value(self, uid: str, name: str) -> Any:
        """A VEVENT property's value (vobject)."""
        return getattr(self.events[uid], name.lower()).value


def unfolded(text: str) -> str:
    """The content lines with folding undone."""
    return text.replace("\r\n ", "")


def parse_feed(body: bytes) -> Parsed:
    """Parse with vobject and icalendar; fail unless both read the same UIDs, times and text."""
    text = body.decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", ""), "lines must end with CRLF"
    for raw in text.split("\r\n"):
        assert len(raw.encode()) <= 75, f"unfolded line over 75 octets: {raw!r}"
    # Never floating: every date-time carries a TZID or is UTC.
    zones = set(re.findall(r"^TZID:([^\r\n]+)", unfolded(text), re.M))
    vevents = "".join(re.findall(r"BEGIN:VEVENT.*?END:VEVENT", unfolded(text), re.S))
    for name, rest in _DATE_LINE.findall(vevents):
        if rest.startswith(";TZID="):
            assert rest[6:].split(":")[0].strip('"') in zones, f"{name} TZID without VTIMEZONE"
        else:
            assert rest.endswith("Z"), f"floating {name}{rest}"
    calendar = vobject.readOne(text)
    events = {ev.uid.value: ev for ev in calendar.contents.get("vevent", [])}
    other = icalendar.Calendar.from_ical(text)
    theirs = {str(ev["UID"]): ev for ev in other.walk("VEVENT")}
    assert set(theirs) == set(events)
    for uid, ev in events.items():
        mine = theirs[uid]
        assert mine.decoded("DTSTART").astimezone(UTC) == ev.dtstart.value.astimezone(UTC), uid
        assert mine.decoded("DTEND").astimezone(UTC) == ev.dtend.value.astimezone(UTC), uid
        assert str(mine["SUMMARY"]) == ev.summary.value
        assert int(mine["SEQUENCE"]) == int(ev.sequence.value)
        assert str(mine["STATUS"]) == ev.status.value
    return Parsed(calendar, events, text)

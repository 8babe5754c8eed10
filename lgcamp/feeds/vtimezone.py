"""VTIMEZONE blocks that every calendar client reads the same way: a zone's yearly rule as
RRULEs (the form Google, Outlook and Apple write), `icalendar`'s RDATE list where it has none."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone

FIRST_YEAR, LAST_YEAR = 1970, 2037


@dataclass(frozen=True)
class Transition:
    """One change of offset: its local wall time (in the old offset) and the offsets."""

    local: datetime  # naive, wall time before the change
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool

    @property
    def nth(self) -> int:
        """Which weekday of the month it falls on (1 = first)."""
        return (self.local.day - 1) // 7 + 1

    @property
    def is_last(self) -> bool:
        """Whether it falls on the month's last such weekday."""
        return self.local.day + 7 > calendar.monthrange(self.local.year, self.local.month)[1]

    def shape(self) -> tuple[object, ...]:
        """What must repeat every year for an RRULE to describe it."""
        return (
            self.local.month,
            self.local.weekday(),
            self.local.time(),
            self.offset_from,
            self.offset_to,
            self.name,
            self.is_dst,
        )


def _offset_at(tz: ZoneInfo, moment: datetime) -> timedelta:
    return moment.astimezone(tz).utcoffset() or timedelta(0)


def _transitions(tz: ZoneInfo, year: int) -> list[Transition]:
    """A year's offset changes, found day by day and then to the minute."""
    found = []
    day = datetime(year, 1, 1, tzinfo=UTC)
    before = _offset_at(tz, day)
    while day.year == year:
        after = _offset_at(tz, day + timedelta(days=1))
        if after != before:
            low, high = 0, 24 * 60  # minutes into the day: old offset at low, new at high
            while high - low > 1:
                middle = (low + high) // 2
                if _offset_at(tz, day + timedelta(minutes=middle)) == before:
                    low = middle
                else:
                    high = middle
            moment = day + timedelta(minutes=high)
            local = moment.astimezone(tz)
            found.append(
                Transition(
                    (moment + before).replace(tzinfo=None),
                    before,
                    after,
                    local.tzname() or "",
                    bool(local.dst()),
                )
            )
            before = after
        day += timedelta(days=1)
    return found


def _offset(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def _component(first: Transition, rrule: str | None) -> list[str]:
    kind = "DAYLIGHT" if first.is_dst else "STANDARD"
    lines = [f"BEGIN:{kind}", f"DTSTART:{first.local:%Y%m%dT%H%M%S}"]
    if rrule:
        lines.append(rrule)
    lines += [
        f"TZNAME:{first.name}",
        f"TZOFFSETFROM:{_offset(first.offset_from)}",
        f"TZOFFSETTO:{_offset(first.offset_to)}",
        f"END:{kind}",
    ]
    return lines


def _rule_lines(tzid: str) -> list[str] | None:
    """The zone as yearly rules from the first year they hold until 2037, or None."""
    tz = ZoneInfo(tzid)
    by_year = {year: _transitions(tz, year) for year in range(FIRST_YEAR, LAST_YEAR + 1)}
    last = by_year[LAST_YEAR]
    if not last:  # no daylight saving now: one standard offset since the last change
        start = next((y for y in range(LAST_YEAR, FIRST_YEAR - 1, -1) if by_year[y]), None)
        offset = _offset_at(tz, datetime(LAST_YEAR, 1, 1, tzinfo=UTC))
        name = datetime(LAST_YEAR, 1, 1, tzinfo=UTC).astimezone(tz).tzname() or ""
        if start is None:
            local = datetime(FIRST_YEAR, 1, 1)
            only = Transition(local, offset, offset, name, False)
        else:
            only = by_year[start][-1]
        return ["BEGIN:VTIMEZONE", f"TZID:{tzid}", *_component(only, None), "END:VTIMEZONE"]
    shapes = [t.shape() for t in last]
    earliest = LAST_YEAR
    for year in range(LAST_YEAR - 1, FIRST_YEAR - 1, -1):
        if [t.shape() for t in by_year[year]] != shapes:
            break
        earliest = year
    # The same months and hours may hide a change of week (October's 4th Sunday became the
    # last in 1996 in Europe): start from the first year from which one BYDAY holds.
    for first_year in range(earliest, LAST_YEAR + 1):
        rules = [
            _byday([by_year[y][i] for y in range(first_year, LAST_YEAR + 1)])
            for i in range(len(shapes))
        ]
        if None not in rules:
            break
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tzid}"]
    for first, byday in zip(by_year[first_year], rules, strict=True):
        rrule = f"RRULE:FREQ=YEARLY;BYMONTH={first.local.month};BYDAY={byday}"
        lines += _component(first, rrule)
    lines.append("END:VTIMEZONE")
    return lines


def _byday(same: list[Transition]) -> str | None:
    """The BYDAY that gives every one of these transitions (one per year), if any."""
    day = calendar.day_abbr[same[0].local.weekday()][:2].upper()
    if all(t.is_last for t in same):
        return f"-1{day}"
    if len({t.nth for t in same}) == 1:
        return f"{same[0].nth}{day}"
    return None


# A pure function of the zone name, memoised because it scans every day from 1970 to 2037.
@lru_cache(maxsize=32)
def vtimezone(tzid: str) -> bytes:
    """The zone's VTIMEZONE block (CRLF lines), as RRULEs where the zone follows a yearly rule
    (as Europe/London has since 1996), else `icalendar`'s RDATE lists.
    """
    # Some readers ignore RDATE and keep the last DTSTART they saw (vobject, and so Radicale,
    # put a December 09:00 in London at +01:00): hence RRULEs wherever the zone allows.
    lines = _rule_lines(tzid)
    if lines is None:
        return Timezone.from_tzid(tzid).to_ical()
    return "".join(line + "\r\n" for line in lines).encode()

"""A demo event happening now, so that the door can be tried in the demo: check-ins are
accepted only in an event's check-in window, and the big camp is weeks away.

Its bookings, check-ins and walk-in go through the same services as the real door.
"""

from __future__ import annotations

import random
import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.checkin.links import MAX_LINK_LIFETIME
from lgcamp.checkin.models import ScanMethod, ScannerLink
from lgcamp.checkin.scans import ScanActor, ScanInput, record_scan
from lgcamp.checkin.walk_ins import WalkIn, register_walk_in
from lgcamp.database import utcnow
from lgcamp.demo_tickets import DEMO_SCANNER_LINK_LABEL
from lgcamp.events import service as events
from lgcamp.events.models import Event, EventKind, EventRole, EventRoleName, EventStatus
from lgcamp.tickets.answers import BookingAnswers
from lgcamp.tickets.booking import book_ticket
from lgcamp.tickets.models import TicketType

TIMEZONE = "Europe/London"


def _today_event(session: Session, organiser: Person) -> Event:
    """A fringe event that started an hour or two ago and lasts the day."""
    start = utcnow().astimezone(ZoneInfo(TIMEZONE)).replace(minute=0, second=0, microsecond=0)
    start -= timedelta(hours=1)
    end = start + timedelta(hours=8)
    details = events.EventDetails(
        name="Fringe: Digital show and tell",
        kind=EventKind.FRINGE,
        status=EventStatus.PUBLISHED,
        summary="Councils show what they built this year. Happening now: try the door.",
        description="Short demos from council digital teams, then questions over coffee.",
        venue_name="Sheffield Town Hall",
        venue_address="Pinstone Street\nSheffield\nS1 2HH",
        access_info="Step-free entrance on Norfolk Street. Accessible toilets on the ground floor.",
        start_date=start.date(),
        start_time=start.time(),
        end_date=end.date(),
        end_time=end.time(),
        timezone=TIMEZONE,
    )
    return events.create_event(session, organiser, details)


def seed_today(session: Session, accounts: dict[str, Person], people: list[Person]) -> Event:
    """Today's event: 50 places booked (the demo attendee's too, not checked in yet), most
    people checked in at two doors, a walk-in, the volunteer's scanner role and a scanner link
    that lasts the day (never more than a week)."""
    rng = random.Random(14)  # its own, so that the rest of the demo stays as it was
    now = utcnow()
    event = _today_event(session, accounts["organiser"])
    general = TicketType(event_id=event.id, name="General admission", capacity=60, sort_order=1)
    session.add(general)
    session.add(
        EventRole(event_id=event.id, person_id=accounts["volunteer"].id, role=EventRoleName.SCANNER)
    )
    session.add(
        ScannerLink(
            event_id=event.id,
            label=DEMO_SCANNER_LINK_LABEL,
            nonce=secrets.token_urlsafe(16),
            secret_hash="",  # set from the app's secret key by demo_scanner_links()
            expires_at=min(event.ends_at + timedelta(hours=1), now + MAX_LINK_LIFETIME),
            created_by_id=accounts["organiser"].id,
        )
    )
    session.flush()
    booked_at = event.starts_at - timedelta(days=7)
    bookings = [
        book_ticket(session, person, general, BookingAnswers(person.organisation), now=booked_at)
        for person in [accounts["attendee"], *people[150:199]]
    ]
    session.flush()
    doors = ["Door 1", "Door 1", "Door 2"]
    opened = event.starts_at - timedelta(minutes=20)
    for n, booking in enumerate(bookings[1:]):  # the demo attendee is not here yet
        if rng.random() < 0.25:
            continue  # nor are these
        actor = ScanActor(person=accounts["volunteer"], link=None, door_label=rng.choice(doors))
        at = opened + (now - timedelta(minutes=1) - opened) * rng.random()
        scan = ScanInput(
            scan_id=f"demo-today-{n:04d}", method=ScanMethod.SEARCH, booking_id=booking.id,
            device_time=at,
        )  # fmt: skip
        record_scan(session, actor, event, scan)
    actor = ScanActor(person=accounts["volunteer"], link=None, door_label="Door 1")
    walk_in = WalkIn("Sam Walker", "sam.walker@example.org", "Kirklees Council", general.id)
    # From the scanner role a walk-in is kept as typed until the person confirms it by email.
    scan = ScanInput(scan_id="demo-today-walk-in")
    register_walk_in(session, actor, event, walk_in, scan, may_look_up=False)
    session.flush()
    return event

"""Realistic demo data for `lgcamp demo`: people, events, organisers, an admin, members.

Tickets and the door are seeded by `demo_tickets` (and an event happening now, whose door can
be tried, by `demo_door`), the programme by `demo_programme`.
"""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.accounts.service import find_person_by_email, hash_password
from lgcamp.database import utcnow
from lgcamp.demo_door import seed_today
from lgcamp.demo_programme import seed_past_programme, seed_programme
from lgcamp.demo_tickets import seed_door, seed_tickets, seed_two_types
from lgcamp.events import service as events
from lgcamp.events.models import Event, EventKind, EventRole, EventRoleName, EventStatus
from lgcamp.mail import OutboundEmail
from lgcamp.participation import membership as co_op
from lgcamp.participation.models import FeeStatus

DEMO_PASSWORD = "demo-password"

DEMO_ACCOUNTS = {
    "admin": ("Ada Admin", "admin@demo.lgcamp", "LocalGov Digital", True),
    "organiser": ("Olu Organiser", "organiser@demo.lgcamp", "Birmingham City Council", False),
    "volunteer": ("Val Volunteer", "volunteer@demo.lgcamp", "Leeds City Council", False),
    "attendee": ("Aisha Attendee", "attendee@demo.lgcamp", "Swindon Borough Council", False),
}

COUNCILS = [
    "Birmingham City Council",
    "Leeds City Council",
    "Manchester City Council",
    "Swindon Borough Council",
    "Cornwall Council",
    "Hackney Council",
    "Essex County Council",
    "Bristol City Council",
    "Kent County Council",
    "Newport City Council",
    "Fife Council",
    "Camden Council",
    "Nottinghamshire County Council",
    "Dorset Council",
    "Adur & Worthing",
    "Ministry of Housing, Communities and Local Government",
    "Local Government Association",
    "mySociety",
    "FutureGov",
    "Independent",
]
FIRST = [
    "Sam",
    "Alex",
    "Priya",
    "Tom",
    "Grace",
    "Mo",
    "Chloe",
    "Dan",
    "Fatima",
    "Owen",
    "Rhiannon",
    "Ravi",
    "Jess",
    "Kwame",
    "Lucy",
    "Marek",
    "Niamh",
    "Paul",
    "Sian",
    "Zara",
]
LAST = [
    "Jones",
    "Patel",
    "Smith",
    "Williams",
    "Khan",
    "Brown",
    "Taylor",
    "Evans",
    "Wilson",
    "Hughes",
    "Roberts",
    "Walker",
    "Wright",
    "Thompson",
    "Ahmed",
    "Murphy",
    "Davies",
    "Clarke",
    "Hall",
    "Lewis",
]

LGC_DESCRIPTION = """LocalGovCamp is the **unconference** for people working in and around local
government. There is no agenda until the morning: attendees pitch sessions, and the grid is
built on the day.

- Free to attend, tickets are released in waves
- Fringe events run in the week before
- Read the [code of conduct](https://localgovcamp.co.uk/code-of-conduct)
"""

MEMBERSHIP_TYPES = [
    ("Practitioner", "People who work in or with local government."),
    ("Supporter", "Anyone who supports the network's aims."),
    ("Organisation", "Councils and other organisations that back the network."),
]

ACCESS = """Step-free access from the main entrance. Accessible toilets on every floor.
A quiet room is available all day. Hearing loops in the two largest rooms."""


def _event(
    session: Session,
    organiser: Person,
    name: str,
    kind: EventKind,
    day: date,
    venue: str,
    address: str,
    summary: str,
    description: str = "",
    status: EventStatus = EventStatus.PUBLISHED,
    start: time = time(9, 0),
    end: time = time(17, 0),
) -> Event:
    details = events.EventDetails(
        name=name,
        kind=kind,
        status=status,
        summary=summary,
        description=description,
        venue_name=venue,
        venue_address=address,
        access_info=ACCESS,
        start_date=day,
        start_time=start,
        end_date=day,
        end_time=end,
        timezone="Europe/London",
    )
    return events.create_event(session, organiser, details)


def seed(session: Session, attendees: int = 300) -> dict[str, Person]:
    """Fill an empty database with demo data; return the demo accounts by role."""
    rng = random.Random(2026)
    password_hash = hash_password(DEMO_PASSWORD)
    accounts: dict[str, Person] = {}
    for role, (name, email, organisation, is_admin) in DEMO_ACCOUNTS.items():
        person = Person(
            name=name,
            email=email,
            organisation=organisation,
            password_hash=password_hash,
            is_admin=is_admin,
        )
        session.add(person)
        accounts[role] = person
    for n in range(attendees):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        session.add(
            Person(
                name=f"{first} {last}",
                email=f"{first}.{last}.{n}@example.org".lower(),
                organisation=rng.choice(COUNCILS),
                password_hash=password_hash,
            )
        )
    session.flush()

    today = utcnow().date()
    organiser = accounts["organiser"]
    camp_day = today + timedelta(days=(5 - today.weekday()) % 7 + 21)  # a Saturday
    camp = _event(
        session,
        organiser,
        f"LocalGovCamp {camp_day.year}",
        EventKind.LOCALGOVCAMP,
        camp_day,
        "Birmingham Council House",
        "Victoria Square\nBirmingham\nB1 1BB",
        "The annual unconference for local government.",
        LGC_DESCRIPTION,
    )
    _event(
        session,
        organiser,
        "Fringe: Digital inclusion breakfast",
        EventKind.FRINGE,
        camp_day - timedelta(days=3),
        "Leeds Central Library",
        "Calverley Street\nLeeds\nLS1 3AB",
        "Breakfast and conversation on inclusion.",
        start=time(8, 0),
        end=time(10, 0),
    )
    not_westminster = _event(
        session,
        organiser,
        f"#NotWestminster {camp_day.year + 1}",
        EventKind.NOTWESTMINSTER,
        camp_day + timedelta(days=80),
        "Huddersfield University",
        "Queensgate\nHuddersfield\nHD1 3DH",
        "Local democracy, done differently: a weekend about people and places.",
    )
    last_year = _event(
        session,
        organiser,
        f"LocalGovCamp {camp_day.year - 1}",
        EventKind.LOCALGOVCAMP,
        camp_day - timedelta(days=364),
        "Manchester Central Library",
        "St Peter's Square\nManchester\nM2 5PD",
        "Last year's unconference.",
        LGC_DESCRIPTION,
    )
    _event(
        session,
        organiser,
        "Planning a fringe event (draft)",
        EventKind.FRINGE,
        camp_day - timedelta(days=2),
        "To be confirmed",
        "",
        "Not published yet.",
        status=EventStatus.DRAFT,
    )
    session.flush()
    people = list(
        session.scalars(
            select(Person).where(Person.email.like("%@example.org")).order_by(Person.id)
        )
    )
    seed_tickets(session, rng, camp, last_year, accounts, people)
    seed_two_types(session, not_westminster, people[150:])
    seed_door(session, camp, last_year, accounts, rng)
    seed_programme(session, camp, accounts, rng)
    _membership(session, last_year, accounts, people)
    seed_today(session, accounts, people)  # last: what came before stays as it was
    # The seeded bookings and approvals are history, not news: nobody is emailed about them.
    # (Nor sent after the commit: the session's list of messages to send is mail.py's.)
    session.execute(delete(OutboundEmail))
    session.info.pop("mail_queued", None)
    return accounts


def _membership(
    session: Session, last_year: Event, accounts: dict[str, Person], crowd: list[Person]
) -> None:
    """Last year's sessions and volunteer (evidence beside its check-ins), membership types,
    members and an application, so that the register and the AGM list have people in them."""
    attendee, volunteer = accounts["attendee"], accounts["volunteer"]
    session.add(
        EventRole(event_id=last_year.id, person_id=volunteer.id, role=EventRoleName.VOLUNTEER)
    )
    seed_past_programme(session, last_year, [attendee, crowd[0], crowd[1]])
    session.flush()

    now = utcnow()
    types = [
        co_op.save_membership_type(session, co_op.TypeDetails(n, d, True, i))
        for i, (n, d) in enumerate(MEMBERSHIP_TYPES)
    ]
    admin = accounts["admin"]
    joined = now - timedelta(days=200)
    for n, person in enumerate([attendee, accounts["organiser"], *crowd[:6]]):
        application = co_op.apply_for_membership(
            session, person, types[n % 2].id, "I want a say in how the network is run.", joined
        )
        co_op.approve_membership(session, admin, application.id, joined)
        fee = FeeStatus.DUE if n == 7 else (FeeStatus.WAIVED if n % 3 == 2 else FeeStatus.PAID)
        co_op.record_fee(session, admin, application.id, fee, joined)
    co_op.apply_for_membership(
        session, crowd[10], types[0].id, "I came to my first LocalGovCamp last year.", now
    )
    session.flush()


def demo_accounts(session: Session) -> dict[str, Person]:
    """The demo accounts, found by their emails."""
    found = {
        role: find_person_by_email(session, email)
        for role, (_n, email, _o, _a) in DEMO_ACCOUNTS.items()
    }
    return {role: person for role, person in found.items() if person is not None}

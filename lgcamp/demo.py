"""Realistic demo data for `lgcamp demo`: events, people, organisers, an admin."""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.accounts.service import find_person_by_email, hash_password
from lgcamp.database import utcnow
from lgcamp.events import service as events
from lgcamp.events.models import Event, EventKind, EventRole, EventRoleName, EventStatus
from lgcamp.programme import grid as programme_grid
from lgcamp.programme import service as programme
from lgcamp.programme.models import SessionFormat, Star

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
    _event(
        session,
        organiser,
        f"#NotWestminster {camp_day.year + 1}",
        EventKind.NOTWESTMINSTER,
        camp_day + timedelta(days=80),
        "Huddersfield University",
        "Queensgate\nHuddersfield\nHD1 3DH",
        "Local democracy, done differently: a weekend about people and places.",
    )
    _event(
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
    _programme(session, camp, accounts, rng)
    return accounts


ROOMS = [
    ("Council Chamber", 120, "Ground floor, straight ahead", "Hearing loop. Step-free."),
    ("Banqueting Suite", 80, "First floor, lift by reception", "Step-free via the lift."),
    ("Committee Room 1", 30, "First floor, left from the lift", ""),
    ("Committee Room 2", 30, "First floor, right from the lift", ""),
    ("Lord Mayor's Parlour", 20, "Second floor", "Lift access; quiet room next door."),
]

PITCHES = [
    ("Open data that people actually use", SessionFormat.DISCUSSION),
    ("Agile in a waterfall council", SessionFormat.DISCUSSION),
    ("Show and tell: our new bin collection service", SessionFormat.SHOW_AND_TELL),
    ("Digital inclusion after the pandemic", SessionFormat.DISCUSSION),
    ("Writing for the web: plain English clinic", SessionFormat.WORKSHOP),
    ("Local gov and AI: hype, harm and help", SessionFormat.DISCUSSION),
    ("Building a user research practice on no budget", SessionFormat.DISCUSSION),
    ("Mapping our estate with open source GIS", SessionFormat.SHOW_AND_TELL),
    ("Accessibility audits: what we learned", SessionFormat.SHOW_AND_TELL),
    ("Councillors and digital: bridging the gap", SessionFormat.DISCUSSION),
    ("Service design for adult social care", SessionFormat.WORKSHOP),
    ("Sharing code between councils", SessionFormat.DISCUSSION),
    ("Procurement that does not hurt", SessionFormat.DISCUSSION),
    ("Wellbeing in digital teams", SessionFormat.DISCUSSION),
    ("From paper forms to online in 12 weeks", SessionFormat.SHOW_AND_TELL),
    ("Data ethics for local government", SessionFormat.DISCUSSION),
    ("Low-code: friend or foe?", SessionFormat.DISCUSSION),
    ("Running a hackathon with residents", SessionFormat.WORKSHOP),
    ("Cyber security for small councils", SessionFormat.DISCUSSION),
    ("Career paths in local gov digital", SessionFormat.DISCUSSION),
    ("Content design patterns we reuse", SessionFormat.WORKSHOP),
    ("Measuring what matters: service performance", SessionFormat.DISCUSSION),
    ("Climate emergency and digital", SessionFormat.DISCUSSION),
    ("Newbies' session: what is LocalGovCamp?", SessionFormat.OTHER),
]


def _programme(
    session: Session, camp: Event, accounts: dict[str, Person], rng: random.Random
) -> None:
    """Rooms, the default day, pitches with hosts and stars, part of the grid, a full room."""
    organiser = accounts["organiser"]
    session.add(
        EventRole(
            event_id=camp.id, person_id=accounts["volunteer"].id, role=EventRoleName.VOLUNTEER
        )
    )
    for order, (name, capacity, directions, notes) in enumerate(ROOMS):
        programme.add_room(
            session, camp, programme.RoomDetails(name, capacity, directions, notes, order)
        )
    slots = [s for s in programme.create_default_day(session, camp) if s.kind.takes_sessions]
    rooms = programme.active_rooms(session, camp)
    people = list(session.query(Person).filter(Person.email.like("%@example.org")).limit(120))
    pitches = []
    for n, (title, kind) in enumerate(PITCHES):
        host = accounts["attendee"] if n == 0 else people[n]
        details = programme.PitchDetails(
            title, f"{title}: a {kind.label.lower()} pitched on the day.", kind
        )
        camp_session = programme.queue_pitch(session, organiser, camp, details, host)
        if n % 4 == 1:
            programme.add_co_host(session, camp_session, people[n + 40].email)
        for fan in rng.sample(people, rng.randint(3, 45)):
            session.add(Star(camp_session_id=camp_session.id, person_id=fan.id))
        pitches.append(camp_session)
    session.flush()
    cells = [(slot, room) for slot in slots[:3] for room in rooms]
    for camp_session, (slot, room) in zip(pitches, cells, strict=False):
        programme_grid.place_session(session, organiser, camp_session, slot.id, room.id, None)
    programme.flag_room_full(session, accounts["volunteer"], pitches[2])
    session.flush()


def demo_accounts(session: Session) -> dict[str, Person]:
    """The demo accounts, found by their emails."""
    found = {
        role: find_person_by_email(session, email)
        for role, (_n, email, _o, _a) in DEMO_ACCOUNTS.items()
    }
    return {role: person for role, person in found.items() if person is not None}

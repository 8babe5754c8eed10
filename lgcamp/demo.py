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
from lgcamp.tickets.models import (
    Answer,
    Booking,
    BookingStatus,
    Question,
    QuestionKind,
    TicketSettings,
    TicketType,
    TicketVisibility,
)

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
    people = [p for p in session.query(Person).order_by(Person.id) if p not in accounts.values()]
    _seed_tickets(session, rng, camp, last_year, accounts, people)
    session.flush()
    return accounts


DIETS = ["None", "None", "None", "Vegetarian", "Vegan", "Gluten free", "Halal"]
ROLES = ["Developer", "Service designer", "Product manager", "Councillor", "Data analyst"]


def _booking(
    ticket_type: TicketType, person: Person, status: BookingStatus, position: int | None = None
) -> Booking:
    booking = Booking(
        event_id=ticket_type.event_id,
        ticket_type_id=ticket_type.id,
        person_id=person.id,
        status=status,
        organisation=person.organisation,
        queue_position=position,
        confirmed_at=utcnow() if status == BookingStatus.CONFIRMED else None,
    )
    if status == BookingStatus.CONFIRMED:
        ticket_type.taken += 1
    return booking


def _seed_tickets(
    session: Session,
    rng: random.Random,
    camp: Event,
    last_year: Event,
    accounts: dict[str, Person],
    people: list[Person],
) -> None:
    """Ticket types, questions and bookings: a sold-out camp with a waitlist, and last year."""
    now = utcnow()
    general = TicketType(
        event_id=camp.id,
        name="General admission",
        description="A place at the unconference, lunch included.",
        capacity=250,
        taken=0,
        opens_at=now - timedelta(days=14),
        sort_order=1,
    )
    volunteers = TicketType(
        event_id=camp.id,
        name="Volunteers",
        description="For the people who run the day: arrive at 8:00.",
        capacity=20,
        taken=0,
        visibility=TicketVisibility.HIDDEN,
        sort_order=2,
    )
    previous = TicketType(event_id=last_year.id, name="General admission", capacity=200, taken=0)
    session.add_all([general, volunteers, previous])
    session.add(TicketSettings(event_id=camp.id, reconfirm_days=7, door_release_minutes=45))
    diet = Question(
        event_id=camp.id,
        label="Dietary needs",
        kind=QuestionKind.CHOICE,
        choices="\n".join(dict.fromkeys(DIETS)),
        is_required=True,
        visibility=EventRoleName.CATERING.value,
        sort_order=1,
    )
    access = Question(
        event_id=camp.id,
        label="Access needs",
        hint="Anything that would help you take part fully",
        kind=QuestionKind.TEXT,
        visibility=EventRoleName.ACCESS_LEAD.value,
        sort_order=2,
    )
    photos = Question(
        event_id=camp.id,
        label="Are you happy to appear in photos?",
        kind=QuestionKind.YES_NO,
        is_required=True,
        is_sensitive=False,
        sort_order=3,
    )
    session.add_all([diet, access, photos])
    session.add(
        EventRole(event_id=camp.id, person_id=accounts["volunteer"].id, role=EventRoleName.CATERING)
    )
    session.flush()

    holders = [accounts["attendee"], *people[:249]]
    bookings = [_booking(general, p, BookingStatus.CONFIRMED) for p in holders]
    bookings += [
        _booking(general, p, BookingStatus.WAITLISTED, position=n)
        for n, p in enumerate(people[249:289], start=1)
    ]
    bookings.append(_booking(volunteers, accounts["volunteer"], BookingStatus.CONFIRMED))
    session.add_all(bookings)
    session.flush()
    for booking in bookings:
        if booking.status != BookingStatus.CONFIRMED:
            continue
        booking.job_role = rng.choice(ROLES)
        session.add(Answer(booking_id=booking.id, question_id=diet.id, value=rng.choice(DIETS)))
        session.add(
            Answer(booking_id=booking.id, question_id=photos.id, value=rng.choice(["yes", "no"]))
        )
        if rng.random() < 0.08:
            need = rng.choice(["Step-free route", "Hearing loop", "Quiet room", "BSL interpreter"])
            session.add(Answer(booking_id=booking.id, question_id=access.id, value=need))

    # Last year: most came, some did not (their no-show history is visible to organisers).
    for person in [accounts["attendee"], *people[100:299]]:
        booking = _booking(previous, person, BookingStatus.CONFIRMED)
        if rng.random() < 0.7:
            booking.checked_in_at = last_year.starts_at + timedelta(minutes=rng.randint(0, 90))
        session.add(booking)


def demo_accounts(session: Session) -> dict[str, Person]:
    """The demo accounts, found by their emails."""
    found = {
        role: find_person_by_email(session, email)
        for role, (_n, email, _o, _a) in DEMO_ACCOUNTS.items()
    }
    return {role: person for role, person in found.items() if person is not None}

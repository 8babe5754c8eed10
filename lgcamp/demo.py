"""Realistic demo data for `lgcamp demo`: events, people, organisers, an admin."""

from __future__ import annotations

import random
import secrets
from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.accounts.service import find_person_by_email, hash_password
from lgcamp.checkin.links import hash_secret, link_secret
from lgcamp.checkin.models import CheckIn, ScanLog, ScanMethod, ScannerLink, ScanResult
from lgcamp.database import utcnow
from lgcamp.events import service as events
from lgcamp.events.models import Event, EventKind, EventRole, EventRoleName, EventStatus
from lgcamp.participation import service as participation
from lgcamp.participation.models import FeeStatus
from lgcamp.programme import grid as programme_grid
from lgcamp.programme import planning
from lgcamp.programme import service as programme
from lgcamp.programme.models import (
    CampSession,
    Room,
    SessionFormat,
    SessionHost,
    SlotKind,
    Star,
    TimeSlot,
)
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
from lgcamp.tickets.offers import take_place

DEMO_PASSWORD = "demo-password"
DEMO_SCANNER_LINK_LABEL = "Door 1 (demo)"

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
    seed_door(session, accounts, rng)
    _programme(session, camp, accounts, rng)
    _participation(session, accounts, rng)
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


def _ticket_type(session: Session, event: Event, capacity: int) -> TicketType:
    """The event's first ticket type, or a new "Day ticket"."""
    found = session.scalar(select(TicketType).where(TicketType.event_id == event.id))
    if found is None:
        found = TicketType(event_id=event.id, name="Day ticket", capacity=capacity)
        session.add(found)
        session.flush()
    return found


def _confirmed_bookings(
    session: Session, event: Event, people: list[Person], capacity: int
) -> list[Booking]:
    """Confirmed bookings for these people (skipping any who have one already)."""
    ticket_type = _ticket_type(session, event, capacity)
    booked = set(session.scalars(select(Booking.person_id).where(Booking.event_id == event.id)))
    bookings = []
    for person in people:
        if person.id in booked or not take_place(session, ticket_type.id):
            continue
        booking = Booking(
            event_id=event.id,
            ticket_type_id=ticket_type.id,
            person_id=person.id,
            status=BookingStatus.CONFIRMED,
            confirmed_at=event.starts_at - timedelta(days=30),
        )
        session.add(booking)
        bookings.append(booking)
    session.flush()
    return bookings


def seed_door(session: Session, accounts: dict[str, Person], rng: random.Random) -> None:
    """Door check-in demo: tickets for this year's camp, a volunteer with the scanner role and
    a scanner link; last year's camp with bookings and check-ins (evidence of participation)."""
    now = utcnow()
    camps = session.scalars(
        select(Event).where(Event.kind == EventKind.LOCALGOVCAMP).order_by(Event.starts_at)
    ).all()
    upcoming = next(e for e in camps if e.starts_at > now)
    past = next(e for e in reversed(camps) if e.starts_at < now)
    people = list(
        session.scalars(
            select(Person).where(Person.email.like("%@example.org")).order_by(Person.id)
        )
    )
    _confirmed_bookings(session, upcoming, [accounts["attendee"], *people[:150]], capacity=250)
    session.add(
        EventRole(
            event_id=upcoming.id, person_id=accounts["volunteer"].id, role=EventRoleName.SCANNER
        )
    )
    session.add(
        ScannerLink(
            event_id=upcoming.id,
            label=DEMO_SCANNER_LINK_LABEL,
            nonce=secrets.token_urlsafe(16),
            secret_hash="",  # set from the app's secret key by demo_scanner_links()
            expires_at=upcoming.ends_at + timedelta(days=1),
            created_by_id=accounts["organiser"].id,
        )
    )
    _confirmed_bookings(session, past, [accounts["attendee"], *people[100:280]], capacity=200)
    # Check in every confirmed booking of last year's camp (seeded here or by the ticketing
    # demo), less the usual no-shows.
    bookings = session.scalars(
        select(Booking)
        .where(Booking.event_id == past.id, Booking.status == BookingStatus.CONFIRMED)
        .order_by(Booking.id)
    ).all()
    doors = ["Door 1", "Door 1", "Door 2"]  # the main door is busier
    for n, booking in enumerate(bookings):
        if booking.person_id != accounts["attendee"].id and rng.random() < 0.14:
            continue  # a no-show
        at = (
            past.starts_at
            - timedelta(minutes=20)
            + timedelta(seconds=rng.triangular(0, 9000, 1800))
        )
        door = rng.choice(doors)
        log = ScanLog(
            scan_id=f"demo-{past.id}-{n:05d}",
            event_id=past.id,
            booking_id=booking.id,
            token_hash=booking.token_hash,
            method=ScanMethod.QR,
            result=ScanResult.ACCEPTED,
            device_label=door,
            device_time=at,
            received_at=at,
            scanned_at=at,
        )
        session.add(log)
        session.flush()
        session.add(
            CheckIn(
                booking_id=booking.id,
                event_id=past.id,
                scan_log_id=log.id,
                scanned_at=at,
                received_at=at,
                door_label=door,
            )
        )
        booking.checked_in_at = at
    session.flush()


def demo_scanner_links(session: Session, key: str) -> list[tuple[Event, str]]:
    """The demo scanner links with their paths (secrets derive from the app's secret key)."""
    found = []
    for link in session.scalars(
        select(ScannerLink).where(ScannerLink.label == DEMO_SCANNER_LINK_LABEL)
    ):
        secret = link_secret(key, link)
        link.secret_hash = hash_secret(secret)
        if link.is_active():
            found.append((link.event, f"/events/{link.event.slug}/door/link/{secret}"))
    session.flush()
    return found


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
        planning.add_room(
            session, camp, planning.RoomDetails(name, capacity, directions, notes, order)
        )
    slots = [s for s in planning.create_default_day(session, camp) if s.kind.takes_sessions]
    rooms = planning.active_rooms(session, camp)
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


def _past_camp_programme(session: Session, camp: Event, hosts: list[Person]) -> None:
    """Rooms, a slot and three sessions that took place at last year's camp."""
    rooms = [Room(event_id=camp.id, name=n, capacity=40) for n in ("Council Chamber", "Room 2")]
    slot = TimeSlot(
        event_id=camp.id,
        starts_at=camp.starts_at + timedelta(hours=2),
        ends_at=camp.starts_at + timedelta(hours=3),
        kind=SlotKind.SESSION,
    )
    session.add_all([*rooms, slot])
    session.flush()
    titles = ["Open data in planning", "Accessibility is everyone's job"]
    for title, room, host in zip(titles, rooms, hosts, strict=False):
        camp_session = CampSession(
            event_id=camp.id, title=title, pitched_by_id=host.id, slot_id=slot.id, room_id=room.id
        )
        camp_session.hosts = [SessionHost(person_id=host.id)]
        session.add(camp_session)
    corridor = CampSession(
        event_id=camp.id,
        title="Corridor chat: AI",
        pitched_by_id=hosts[-1].id,
        took_place_override=True,
    )
    corridor.hosts = [SessionHost(person_id=hosts[-1].id)]
    session.add(corridor)


def _participation(session: Session, accounts: dict[str, Person], rng: random.Random) -> None:
    """Last year's camp sessions and volunteer, membership types, members, an AGM list.

    Last year's check-ins come from seed_door(), which runs first.
    """
    camp = session.scalar(
        select(Event).where(Event.kind == EventKind.LOCALGOVCAMP).order_by(Event.starts_at)
    )
    assert camp is not None
    crowd = list(
        session.scalars(
            select(Person).where(Person.email.like("%@example.org")).order_by(Person.id).limit(150)
        )
    )
    attendee, volunteer = accounts["attendee"], accounts["volunteer"]
    session.add(EventRole(event_id=camp.id, person_id=volunteer.id, role=EventRoleName.VOLUNTEER))
    _past_camp_programme(session, camp, [attendee, crowd[0], crowd[1]])
    session.flush()

    now = utcnow()
    types = [
        participation.save_membership_type(session, participation.TypeDetails(n, d, True, i))
        for i, (n, d) in enumerate(MEMBERSHIP_TYPES)
    ]
    admin = accounts["admin"]
    joined = now - timedelta(days=200)
    for n, person in enumerate([attendee, accounts["organiser"], *crowd[:6]]):
        application = participation.apply_for_membership(
            session, person, types[n % 2].id, "I want a say in how the network is run.", joined
        )
        participation.approve_membership(session, admin, application.id, joined)
        fee = FeeStatus.DUE if n == 7 else (FeeStatus.WAIVED if n % 3 == 2 else FeeStatus.PAID)
        participation.record_fee(session, admin, application.id, fee, joined)
    participation.apply_for_membership(
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

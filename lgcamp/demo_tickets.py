"""Demo tickets and door: ticket types, questions and bookings made through `book_ticket`,
a scanner role, and last year's check-ins (seeded as rows: they carry past times)."""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.checkin.links import hash_secret, link_secret
from lgcamp.checkin.models import (
    CheckIn,
    ScanLog,
    ScanMethod,
    ScannerLink,
    ScanResult,
)
from lgcamp.database import utcnow
from lgcamp.events.models import Event, EventRole, EventRoleName
from lgcamp.tickets.answers import BookingAnswers
from lgcamp.tickets.booking import book_ticket
from lgcamp.tickets.bulk_email import BulkMessage, send_bulk_email
from lgcamp.tickets.models import (
    Booking,
    BookingStatus,
    Question,
    QuestionKind,
    TicketSettings,
    TicketType,
    TicketVisibility,
)

DEMO_SCANNER_LINK_LABEL = "Door 1 (demo)"
DIETS = ["None", "None", "None", "Vegetarian", "Vegan", "Gluten free", "Halal"]
ROLES = ["Developer", "Service designer", "Product manager", "Councillor", "Data analyst"]
NEEDS = ["Step-free route", "Hearing loop", "Quiet room", "BSL interpreter"]


def _questions(session: Session, camp: Event) -> list[Question]:
    """The camp's questions: dietary needs (for catering), access needs, photos."""
    questions = [
        Question(
            event_id=camp.id,
            label="Dietary needs",
            kind=QuestionKind.CHOICE,
            choices="\n".join(dict.fromkeys(DIETS)),
            is_required=True,
            visibility=EventRoleName.CATERING.value,
            sort_order=1,
        ),
        Question(
            event_id=camp.id,
            label="Access needs",
            hint="Anything that would help you take part fully",
            kind=QuestionKind.TEXT,
            visibility=EventRoleName.ACCESS_LEAD.value,
            sort_order=2,
        ),
        Question(
            event_id=camp.id,
            label="Are you happy to appear in photos?",
            kind=QuestionKind.YES_NO,
            is_required=True,
            is_sensitive=False,
            sort_order=3,
        ),
    ]
    session.add_all(questions)
    return questions


def _answers(person: Person, questions: list[Question], rng: random.Random) -> BookingAnswers:
    """What a person might enter on the camp's booking form."""
    diet, access, photos = questions
    values = {diet.id: rng.choice(DIETS), photos.id: rng.choice(["yes", "no"])}
    if rng.random() < 0.08:
        values[access.id] = rng.choice(NEEDS)
    return BookingAnswers(person.organisation, rng.choice(ROLES), values)


def seed_tickets(
    session: Session,
    rng: random.Random,
    camp: Event,
    last_year: Event,
    accounts: dict[str, Person],
    people: list[Person],
) -> None:
    """A sold-out camp with a waitlist and a hidden volunteers' ticket, and last year's camp,
    each booking made by the booking service (last year's at a time its sale was open)."""
    now = utcnow()
    general = TicketType(
        event_id=camp.id,
        name="General admission",
        description="A place at the unconference, lunch included.",
        capacity=250,
        opens_at=now - timedelta(days=14),
        sort_order=1,
    )
    volunteers = TicketType(
        event_id=camp.id,
        name="Volunteers",
        description="For the people who run the day: arrive at 8:00.",
        capacity=20,
        visibility=TicketVisibility.HIDDEN,
        sort_order=2,
    )
    previous = TicketType(event_id=last_year.id, name="General admission", capacity=200)
    session.add_all([general, volunteers, previous])
    session.add(TicketSettings(event_id=camp.id, reconfirm_days=7, door_release_minutes=45))
    questions = _questions(session, camp)
    volunteer = accounts["volunteer"]
    session.add(EventRole(event_id=camp.id, person_id=volunteer.id, role=EventRoleName.CATERING))
    session.flush()

    # 250 places: the first 250 get tickets, the next 40 join the waitlist.
    for person in [accounts["attendee"], *people[:289]]:
        book_ticket(session, person, general, _answers(person, questions, rng))
    book_ticket(
        session, volunteer, volunteers, _answers(volunteer, questions, rng), volunteers.secret
    )
    booked_at = last_year.starts_at - timedelta(days=30)
    for person in [accounts["attendee"], *people[100:299]]:
        book_ticket(session, person, previous, BookingAnswers(person.organisation), now=booked_at)
    # A message already sent, so the email page's log has something in it.
    message = BulkMessage(
        audience="holders", ticket_type_id=None, subject="Lunch, access and getting there",
        body="Lunch is included. Tell us about access needs by replying to this email.",
        idempotency_key=secrets.token_urlsafe(16),
    )  # fmt: skip
    send_bulk_email(session, accounts["organiser"], camp, message)


def seed_two_types(session: Session, event: Event, people: list[Person]) -> None:
    """Two ticket types on sale at once, with a required question: the day, and a workshop
    with a few places left (each has its own booking form on the tickets page)."""
    rng = random.Random(14)  # its own: the other seeds' draws stay as they were
    day = TicketType(
        event_id=event.id,
        name="The day",
        description="Talks, conversations and lunch.",
        capacity=150,
        sort_order=1,
    )
    workshop = TicketType(
        event_id=event.id,
        name="Morning workshop: participatory budgeting",
        description="Hands-on, in small groups, before the day starts.",
        capacity=30,
        sort_order=2,
    )
    lunch = Question(
        event_id=event.id,
        label="Lunch",
        kind=QuestionKind.CHOICE,
        choices="\n".join(dict.fromkeys(DIETS)),
        is_required=True,
        visibility=EventRoleName.CATERING.value,
        sort_order=1,
    )
    session.add_all([day, workshop, lunch])
    session.flush()
    for n, person in enumerate(people[:87]):
        answers = BookingAnswers(person.organisation, rng.choice(ROLES),
                                 {lunch.id: rng.choice(DIETS)})  # fmt: skip
        book_ticket(session, person, workshop if n % 3 == 0 else day, answers)


def seed_door(
    session: Session, upcoming: Event, past: Event, accounts: dict[str, Person], rng: random.Random
) -> None:
    """The volunteer's scanner role for the coming camp; last year's camp checked in (less the
    usual no-shows), as evidence of participation. (The demo scanner link is for the event
    happening today: `demo_door`.)"""
    session.add(
        EventRole(
            event_id=upcoming.id, person_id=accounts["volunteer"].id, role=EventRoleName.SCANNER
        )
    )
    bookings = session.scalars(
        select(Booking)
        .where(Booking.event_id == past.id, Booking.status == BookingStatus.CONFIRMED)
        .order_by(Booking.id)
    ).all()
    doors = ["Door 1", "Door 1", "Door 2"]  # the main door is busier
    scans: list[tuple[Booking, ScanLog]] = []
    for n, booking in enumerate(bookings):
        if booking.person_id != accounts["attendee"].id and rng.random() < 0.14:
            continue  # a no-show
        at = (
            past.starts_at
            - timedelta(minutes=20)
            + timedelta(seconds=rng.triangular(0, 9000, 1800))
        )
        log = ScanLog(
            scan_id=f"demo-{past.id}-{n:05d}",
            event_id=past.id,
            booking_id=booking.id,
            token_hash=booking.token_hash,
            method=ScanMethod.QR,
            result=ScanResult.ACCEPTED,
            device_label=rng.choice(doors),
            device_time=at,
            received_at=at,
            scanned_at=at,
        )
        scans.append((booking, log))
    session.add_all([log for _booking, log in scans])
    session.flush()
    for booking, log in scans:
        session.add(
            CheckIn(
                booking_id=booking.id,
                event_id=past.id,
                scan_log_id=log.id,
                scanned_at=log.scanned_at,
                received_at=log.received_at,
                door_label=log.device_label,
            )
        )
        booking.checked_in_at = log.scanned_at
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

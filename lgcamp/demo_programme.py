"""Demo programme: rooms, the default day, pitches with hosts and stars, part of the grid and
a full room at the coming camp; sessions that took place at last year's camp."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.events.models import Event, EventRole, EventRoleName
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

NO_ACCOUNT_HOST = "Jamie Rivers"
NO_ACCOUNT_PITCH = (
    "Co-operatives and councils",
    "Jamie has no account yet: the session is linked to one when they make it.",
)


def seed_programme(
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
    people = list(
        session.scalars(select(Person).where(Person.email.like("%@example.org")).limit(120))
    )
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
    # Pitched on the day by someone with no account yet: an organiser links it later.
    programme.queue_pitch(
        session, organiser, camp, programme.PitchDetails(*NO_ACCOUNT_PITCH), NO_ACCOUNT_HOST
    )
    session.flush()
    cells = [(slot, room) for slot in slots[:3] for room in rooms]
    for camp_session, (slot, room) in zip(pitches, cells, strict=False):
        programme_grid.place_session(session, organiser, camp_session, slot.id, room.id, None)
    programme.flag_room_full(session, accounts["volunteer"], pitches[2])
    session.flush()


def seed_past_programme(session: Session, camp: Event, hosts: list[Person]) -> None:
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

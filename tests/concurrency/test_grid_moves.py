"""Concurrent grid changes with real threads and separate connections (SQLite file or PostgreSQL).

Two organisers moving the same session from the same view: one move wins, the other is told
that the session changed (never a silent overwrite). Several organisers filling one empty cell:
one session gets it, the rest are told the cell is taken; the cell never holds two.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from lgcamp.accounts.models import Person
from lgcamp.errors import Conflict
from lgcamp.events.models import Event
from lgcamp.extensions import db
from lgcamp.programme import grid, service
from lgcamp.programme.models import CampSession, GridChange
from tests.factories import (
    make_camp_session,
    make_event,
    make_person,
    make_room,
    make_slot,
    make_volunteer,
)


def _run_together(app: Flask, jobs: list[Any]) -> list[str]:
    """Run each job in its own thread and app context, all starting at once; return outcomes."""
    # The test's own session must not hold SQLite's write lock while the workers run.
    db.session.commit()
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = [""] * len(jobs)

    def worker(index: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                jobs[index]()
                db.session.commit()
                outcomes[index] = "ok"
            except Conflict as error:
                db.session.rollback()
                outcomes[index] = type(error).__name__
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_organisers_moving_the_same_session_conflict(app: Flask) -> None:
    first, second = make_person("First Organiser"), make_person("Second Organiser")
    event = make_event(organisers=(first, second))
    rooms = [make_room(event, f"Room {n}") for n in range(2)]
    slot = make_slot(event, 60)
    camp_session = make_camp_session(event)
    ids = (camp_session.id, slot.id)

    def move(person_id: int, room_id: int) -> Any:
        def job() -> None:
            actor = db.session.get(Person, person_id)
            target = db.session.get(CampSession, ids[0])
            grid.place_session(db.session, actor, target, ids[1], room_id, 1)  # both saw v1

        return job

    outcomes = _run_together(app, [move(first.id, rooms[0].id), move(second.id, rooms[1].id)])
    assert sorted(outcomes) == ["StaleSession", "ok"]
    db.session.expire_all()
    moved = db.session.get(CampSession, camp_session.id)
    assert moved is not None and moved.version == 2
    change = db.session.scalar(select(GridChange))
    assert change is not None
    winner = [first, second][outcomes.index("ok")]
    assert change.actor_id == winner.id
    assert moved.room_id == change.to_room_id == rooms[outcomes.index("ok")].id
    assert db.session.scalar(select(func.count(GridChange.id))) == 1


def test_many_sessions_racing_for_one_cell_only_one_lands(app: Flask) -> None:
    organiser = make_person()
    event = make_event(organisers=(organiser,))
    room = make_room(event, "Main hall")
    slot = make_slot(event, 60)
    sessions = [make_camp_session(event, title=f"Race {n}") for n in range(4)]
    ids = [s.id for s in sessions]
    # Plain ids only inside the jobs: touching the test's ORM objects from a worker would
    # reload them on the test's own connection.
    organiser_id, slot_id, room_id = organiser.id, slot.id, room.id

    def place(session_id: int) -> Any:
        def job() -> None:
            actor = db.session.get(Person, organiser_id)
            target = db.session.get(CampSession, session_id)
            grid.place_session(db.session, actor, target, slot_id, room_id, 1)

        return job

    outcomes = _run_together(app, [place(i) for i in ids])
    assert outcomes.count("ok") == 1
    assert outcomes.count("CellTaken") == 3
    db.session.expire_all()
    in_cell = db.session.scalars(
        select(CampSession).where(CampSession.slot_id == slot_id, CampSession.room_id == room_id)
    ).all()
    assert len(in_cell) == 1 and in_cell[0].id == ids[outcomes.index("ok")]
    assert db.session.scalar(select(func.count(GridChange.id))) == 1


def test_concurrent_undo_and_move_do_not_both_apply(app: Flask) -> None:
    organiser = make_person()
    event = make_event(organisers=(organiser,))
    room_a, room_b, room_c = (make_room(event, n) for n in ("A", "B", "C"))
    slot = make_slot(event, 60)
    camp_session = make_camp_session(event, slot=slot, room=room_a)
    grid.place_session(db.session, organiser, camp_session, slot.id, room_b.id, 1)
    db.session.commit()
    change_id = db.session.scalar(select(GridChange.id))
    organiser_id, session_id, slot_id = organiser.id, camp_session.id, slot.id
    room_a_id, room_c_id = room_a.id, room_c.id

    def undo() -> None:
        change = db.session.get(GridChange, change_id)
        grid.undo_change(db.session, db.session.get(Person, organiser_id), change)

    def move() -> None:
        target = db.session.get(CampSession, session_id)
        actor = db.session.get(Person, organiser_id)
        grid.place_session(db.session, actor, target, slot_id, room_c_id, 2)

    outcomes = _run_together(app, [undo, move])
    assert outcomes.count("ok") == 1
    db.session.expire_all()
    final = db.session.get(CampSession, session_id)
    assert final is not None
    # An undo frees the cell and then fills it again: two version bumps; a move makes one.
    expected = (room_a_id, 4) if outcomes[0] == "ok" else (room_c_id, 3)
    assert (final.room_id, final.version) == expected


def test_volunteers_queueing_at_once_get_one_place_each(app: Flask) -> None:
    organiser = make_person()
    event = make_event(organisers=(organiser,))
    volunteers = [make_volunteer(event) for _ in range(4)]
    event_id, people = event.id, [v.id for v in volunteers]

    def queue(n: int) -> Any:
        def job() -> None:
            actor = db.session.get_one(Person, people[n])
            host = "Someone" if n % 2 else actor  # with and without an account
            service.queue_pitch(
                db.session, actor, db.session.get_one(Event, event_id),
                service.PitchDetails(f"Queued {n}"), host,
            )  # fmt: skip

        return job

    assert _run_together(app, [queue(n) for n in range(4)]) == ["ok"] * 4
    db.session.expire_all()
    positions = db.session.scalars(
        select(CampSession.queue_position).where(CampSession.event_id == event_id)
    ).all()
    assert sorted(positions) == [1, 2, 3, 4]

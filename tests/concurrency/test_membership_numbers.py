"""Approving members at the same time: every number once; one application approved once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from flask import Flask

from lgcamp.accounts.models import Person
from lgcamp.errors import DomainError
from lgcamp.extensions import db
from lgcamp.participation import membership as co_op
from lgcamp.participation import service
from lgcamp.participation.models import Membership
from tests.factories import make_person

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _race(app: Flask, admin_id: int, membership_ids: list[int]) -> list[str]:
    outcomes: list[str] = []
    barrier = threading.Barrier(len(membership_ids))

    def approve(membership_id: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                admin = db.session.get(Person, admin_id)
                approved = co_op.approve_membership(db.session, admin, membership_id, NOW)
                db.session.commit()
                outcomes.append(f"ok {approved.number}")
            except DomainError as error:
                db.session.rollback()
                outcomes.append(type(error).__name__)
            finally:
                db.session.remove()

    # The test's own session must not hold a transaction (SQLite: the write lock) meanwhile.
    db.session.close()
    threads = [threading.Thread(target=approve, args=(m,)) for m in membership_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _applications(count: int) -> list[int]:
    kind = co_op.save_membership_type(db.session, co_op.TypeDetails("Practitioner"))
    ids = [
        co_op.apply_for_membership(db.session, make_person(), kind.id, "", NOW).id
        for _ in range(count)
    ]
    db.session.commit()
    return ids


def test_concurrent_approvals_get_distinct_numbers(app: Flask) -> None:
    admin = make_person(is_admin=True)
    ids = _applications(6)
    outcomes = _race(app, admin.id, ids)
    assert sorted(outcomes) == sorted(f"ok {n}" for n in range(1, 7))
    db.session.expire_all()
    assert sorted(m.number for m in db.session.query(Membership)) == list(range(1, 7))


def test_approving_one_application_twice_at_once_approves_it_once(app: Flask) -> None:
    admin = make_person(is_admin=True)
    (membership_id,) = _applications(1)
    outcomes = _race(app, admin.id, [membership_id] * 4)
    assert sorted(outcomes) == ["AlreadyDecided"] * 3 + ["ok 1"]
    db.session.expire_all()
    assert service.get_settings(db.session).next_membership_number == 2

"""`lgcamp tick` does the ticket timed work, idempotently."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskCliRunner
from sqlalchemy import select

from lgcamp.cli import tick_command
from lgcamp.database import utcnow
from lgcamp.extensions import db
from lgcamp.tickets.models import AllocationMode, Booking, BookingStatus
from tests.conftest import Mailbox
from tests.factories import make_booking, make_event, make_ticket_type


def test_tick_expires_offers_draws_ballots_and_reminds(
    runner: FlaskCliRunner, mailbox: Mailbox
) -> None:
    soon = make_event(starts_at=utcnow() + timedelta(days=2))
    ticket_type = make_ticket_type(soon, capacity=1)
    offer = make_booking(ticket_type, status=BookingStatus.OFFERED)
    offer.offer_expires_at = utcnow() - timedelta(minutes=1)
    waiting = make_booking(ticket_type, status=BookingStatus.WAITLISTED)
    waiting.queue_position = 1
    holder_type = make_ticket_type(soon, capacity=5, name="Other")
    holder = make_booking(holder_type)
    ballot_type = make_ticket_type(
        make_event(),
        capacity=1,
        allocation=AllocationMode.BALLOT,
        closes_at=utcnow() - timedelta(minutes=1),
    )
    entries = [make_booking(ballot_type, status=BookingStatus.REGISTERED) for _ in range(3)]
    db.session.commit()
    result = runner.invoke(tick_command)
    assert result.exit_code == 0, result.output
    assert "offers: 2 offered or expired" in result.output
    assert "ballots drawn: 1" in result.output
    assert "reminders: 1" in result.output
    db.session.expire_all()
    assert db.session.get(Booking, offer.id).status == BookingStatus.EXPIRED  # type: ignore[union-attr]
    assert db.session.get(Booking, waiting.id).status == BookingStatus.OFFERED  # type: ignore[union-attr]
    statuses = db.session.scalars(
        select(Booking.status).where(Booking.id.in_([e.id for e in entries]))
    ).all()
    assert sorted(statuses) == ["confirmed", "waitlisted", "waitlisted"]
    assert "Release your ticket" in str(mailbox.last_to(holder.person.email)["Subject"])
    again = runner.invoke(tick_command)
    assert "offers: 0" in again.output and "ballots drawn: 0" in again.output
    assert "reminders: 0" in again.output

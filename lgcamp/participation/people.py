"""A person's own data: deleting an account, and the download of everything held about them.

Deleting anonymises the person row instead of removing it, so that reports stay correct;
what is kept (the organisation too) and what goes: README.md, Participation and membership.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person, SignIn
from lgcamp.checkin.models import CheckIn, ScanLog
from lgcamp.errors import DomainError
from lgcamp.events.models import Event, EventRole
from lgcamp.participation.evidence import person_record
from lgcamp.participation.membership import evidence_snapshot
from lgcamp.participation.models import (
    LIVE_MEMBERSHIP,
    AccountMerge,
    Membership,
    MembershipStatus,
    RecordShare,
)
from lgcamp.participation.service import share_of
from lgcamp.programme.models import CampSession, SessionHost, Star
from lgcamp.tickets.models import (
    LIVE_STATUSES,
    PLACE_HOLDING_STATUSES,
    Answer,
    Booking,
    BookingStatus,
    Question,
    TicketType,
)
from lgcamp.tickets.offers import free_place

DELETED_NAME = "Deleted person"
DELETED_DOMAIN = "deleted.invalid"


def is_deleted(person: Person) -> bool:
    """An account that was deleted (anonymised)."""
    return person.email.endswith("@" + DELETED_DOMAIN)


def end_booking(session: Session, booking: Booking, now: datetime) -> None:
    """Release a live booking (its place, if it held one, goes back)."""
    if booking.status in PLACE_HOLDING_STATUSES:
        free_place(session, booking.ticket_type_id)
    booking.status = BookingStatus.RELEASED
    booking.ended_at = now


def delete_account(session: Session, person: Person, now: datetime) -> None:
    """Remove the person's identity; keep anonymous rows so that counts stay correct.

    What it ends, releases and deletes is listed in README.md (Participation and membership).
    """
    if is_deleted(person):
        raise DomainError("This account has been deleted already.")
    for membership in session.scalars(
        select(Membership).where(
            Membership.person_id == person.id, Membership.status.in_(LIVE_MEMBERSHIP)
        )
    ):
        membership.status = MembershipStatus.LEFT
        membership.ends_on = now.date() if membership.starts_on is not None else None
        membership.note = "Account deleted."
    session.execute(delete(RecordShare).where(RecordShare.person_id == person.id))
    upcoming = session.scalars(
        select(Booking)
        .join(Event, Event.id == Booking.event_id)
        .where(
            Booking.person_id == person.id,
            Booking.status.in_(LIVE_STATUSES),
            Event.ends_at > now,
            # A checked-in ticket is attendance: it stays (anonymous), counted in reports.
            Booking.checked_in_at.is_(None),
        )
    )
    for booking in upcoming:
        end_booking(session, booking, now)
    own_bookings = select(Booking.id).where(Booking.person_id == person.id)
    session.execute(delete(Answer).where(Answer.booking_id.in_(own_bookings)))
    session.execute(update(Booking).where(Booking.person_id == person.id).values(job_role=""))
    placeholder = f"deleted-{person.id}-{secrets.token_hex(6)}@{DELETED_DOMAIN}"
    # The merge log names the person by email: scrub both.
    session.execute(
        update(AccountMerge)
        .where(AccountMerge.kept_person_id == person.id)
        .values(kept_email=placeholder, merged_email=placeholder)
    )
    person.name = DELETED_NAME
    person.email = placeholder
    # check_password_hash() is False for any value without "method$salt$hash".
    person.password_hash = "!deleted:" + secrets.token_urlsafe(24)
    session.execute(delete(SignIn).where(SignIn.person_id == person.id))  # signed out everywhere
    person.is_admin = False
    person.last_login_at = None
    session.flush()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def export_data(session: Session, person: Person, now: datetime) -> dict[str, Any]:
    """Everything lgcamp holds about the person, as JSON-ready data (their own download)."""
    bookings = session.execute(
        select(Booking, Event.name, TicketType.name)
        .join(Event, Event.id == Booking.event_id)
        .join(TicketType, TicketType.id == Booking.ticket_type_id)
        .where(Booking.person_id == person.id)
        .order_by(Booking.id)
    ).all()
    check_ins = session.execute(
        select(CheckIn, Event.name)
        .join(Booking, Booking.id == CheckIn.booking_id)
        .join(Event, Event.id == CheckIn.event_id)
        .where(Booking.person_id == person.id)
        .order_by(CheckIn.id)
    ).all()
    hosted = session.execute(
        select(CampSession, Event.name)
        .join(SessionHost, SessionHost.camp_session_id == CampSession.id)
        .join(Event, Event.id == CampSession.event_id)
        .where(SessionHost.person_id == person.id)
        .order_by(CampSession.id)
    ).all()
    stars = session.execute(
        select(Star, CampSession.title, Event.name)
        .join(CampSession, CampSession.id == Star.camp_session_id)
        .join(Event, Event.id == CampSession.event_id)
        .where(Star.person_id == person.id)
        .order_by(Star.id)
    ).all()
    roles = session.execute(
        select(EventRole, Event.name)
        .join(Event, Event.id == EventRole.event_id)
        .where(EventRole.person_id == person.id)
        .order_by(EventRole.id)
    ).all()
    answers = session.execute(
        select(Event.name, Question.label, Answer.value)
        .join(Booking, Booking.id == Answer.booking_id)
        .join(Question, Question.id == Answer.question_id)
        .join(Event, Event.id == Booking.event_id)
        .where(Booking.person_id == person.id)
        .order_by(Booking.id, Question.sort_order, Question.id)
    ).all()
    scans = session.execute(
        select(Event.name, ScanLog.result, ScanLog.scanned_at)
        .join(Event, Event.id == ScanLog.event_id)
        .where(ScanLog.person_id == person.id)
        .order_by(ScanLog.id)
    ).all()
    memberships = session.scalars(
        select(Membership).where(Membership.person_id == person.id).order_by(Membership.id)
    ).all()
    share = share_of(session, person)
    return {
        "exported_at": now.isoformat(),
        "person": {
            "id": person.id,
            "name": person.name,
            "email": person.email,
            "organisation": person.organisation,
            "is_admin": person.is_admin,
            "created_at": _iso(person.created_at),
            "last_login_at": _iso(person.last_login_at),
        },
        "bookings": [
            {
                "id": b.id,
                "event": event,
                "ticket_type": ticket_type,
                "status": b.status.value,
                "source": b.source,
                "created_at": _iso(b.created_at),
                "confirmed_at": _iso(b.confirmed_at),
                "ended_at": _iso(b.ended_at),
                "organisation": b.organisation,
                "role": b.job_role,
            }
            for b, event, ticket_type in bookings
        ],
        "answers": [
            {"event": event, "question": label, "answer": value} for event, label, value in answers
        ],
        "check_ins": [
            {
                "id": c.id,
                "event": event,
                "scanned_at": _iso(c.scanned_at),
                "door": c.door_label,
                "undone_at": _iso(c.undone_at),
            }
            for c, event in check_ins
        ],
        "hosted_sessions": [
            {
                "id": s.id,
                "event": event,
                "title": s.title,
                "status": s.status.value,
                "took_place": s.took_place(now),
            }
            for s, event in hosted
        ],
        "stars": [
            {"session": title, "event": event, "created_at": _iso(s.created_at)}
            for s, title, event in stars
        ],
        "roles": [
            {"event": event, "role": r.role, "created_at": _iso(r.created_at)} for r, event in roles
        ],
        "scans_made": [
            {"event": event, "result": result.value, "scanned_at": _iso(at)}
            for event, result, at in scans
        ],
        "memberships": [
            {
                "id": m.id,
                "type": m.membership_type.name,
                "status": m.status.value,
                "number": m.number,
                "applied_at": _iso(m.applied_at),
                "starts_on": m.starts_on.isoformat() if m.starts_on else None,
                "ends_on": m.ends_on.isoformat() if m.ends_on else None,
                "fee_status": m.fee_status.value,
                "statement": m.statement,
                "evidence_at_application": evidence_snapshot(m),
            }
            for m in memberships
        ],
        "verification_link": None
        if share is None
        else {
            "version": share.version,
            "is_revoked": share.is_revoked,
            "shows": {
                "name": share.show_name,
                "organisation": share.show_organisation,
                "years": share.show_years,
                "events": share.show_events,
            },
        },
        "participation": person_record(session, person, now).summary(),
    }

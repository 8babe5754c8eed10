"""Organiser operations on an event's tickets: lists, helpers and settings (bulk email is in
bulk_email)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.accounts.service import find_person_by_email
from lgcamp.errors import Conflict, DomainError
from lgcamp.events.models import Event, EventRole
from lgcamp.pagination import Paged, paginate
from lgcamp.permissions import HELPER_ROLES
from lgcamp.tickets.models import Booking, BookingStatus, TicketSettings
from lgcamp.tickets.offers import settings_for

MAX_LIST = 2000


@dataclass(frozen=True)
class AttendeeFilter:
    """Search and filters for the attendee list."""

    q: str = ""
    ticket_type_id: int | None = None
    status: str = ""
    checked_in: str = ""  # "", "yes", "no"


def attendee_list(session: Session, event: Event, filters: AttendeeFilter) -> list[Booking]:
    """Bookings of the event matching the filters, by name (all of them: the CSV export)."""
    return list(session.scalars(_attendee_query(event, filters).limit(MAX_LIST)))


def attendee_page(
    session: Session, event: Event, filters: AttendeeFilter, page: int
) -> Paged[Booking]:
    """One page of the bookings matching the filters, by name, and how many match."""
    return paginate(session, _attendee_query(event, filters), page)


def _attendee_query(event: Event, filters: AttendeeFilter) -> Select[Booking]:
    query = (
        select(Booking)
        .join(Person, Person.id == Booking.person_id)
        .where(Booking.event_id == event.id)
        .order_by(Person.name, Booking.id)
    )
    if filters.q.strip():
        like = f"%{filters.q.strip().lower()}%"
        query = query.where(
            or_(
                Person.name.ilike(like),
                Person.email.ilike(like),
                Booking.organisation.ilike(like),
            )
        )
    if filters.ticket_type_id:
        query = query.where(Booking.ticket_type_id == filters.ticket_type_id)
    if filters.status in {s.value for s in BookingStatus}:
        query = query.where(Booking.status == BookingStatus(filters.status))
    if filters.checked_in == "yes":
        query = query.where(Booking.checked_in_at.is_not(None))
    elif filters.checked_in == "no":
        query = query.where(Booking.checked_in_at.is_(None))
    return query


def helpers_of(session: Session, event: Event) -> list[EventRole]:
    """The event's helper roles (catering, access lead), by role then name."""
    return list(
        session.scalars(
            select(EventRole)
            .join(Person, Person.id == EventRole.person_id)
            .where(EventRole.event_id == event.id, EventRole.role.in_(list(HELPER_ROLES)))
            .order_by(EventRole.role, Person.name)
        )
    )


def add_helper(session: Session, event: Event, email: str, role: str) -> EventRole:
    """Give a person with an account a helper role in the event."""
    if role not in HELPER_ROLES:
        raise DomainError("Choose a role", field="role")
    person = find_person_by_email(session, email)
    if person is None:
        raise DomainError(
            "There is no account with that email address. Ask them to sign up first.",
            field="email",
        )
    exists = session.scalar(
        select(EventRole.id).where(
            EventRole.event_id == event.id, EventRole.person_id == person.id, EventRole.role == role
        )
    )
    if exists is not None:
        raise Conflict(f"{person.name} already has that role.", field="email")
    helper = EventRole(event_id=event.id, person_id=person.id, role=role)
    session.add(helper)
    session.flush()
    return helper


def remove_helper(session: Session, event: Event, role_id: int) -> None:
    """Take a helper role away."""
    helper = session.get(EventRole, role_id)
    if helper is None or helper.event_id != event.id or helper.role not in HELPER_ROLES:
        raise DomainError("That helper is not part of this event.")
    session.delete(helper)
    session.flush()


@dataclass(frozen=True)
class SettingsDetails:
    """What an organiser enters on the settings page."""

    offer_hours: int
    offer_hours_near: int
    reminder_days: int | None
    answer_retention_days: int
    reconfirm_days: int | None
    reconfirm_deadline_days: int
    door_release_minutes: int | None


def save_settings(session: Session, event: Event, details: SettingsDetails) -> TicketSettings:
    """Store the event's ticket settings."""
    if (
        details.reconfirm_days is not None
        and details.reconfirm_days <= details.reconfirm_deadline_days
    ):
        raise DomainError(
            "Ask for reconfirmation before the release deadline (more days before the event)",
            field="reconfirm_days",
        )
    settings = settings_for(session, event)
    for name, value in details.__dict__.items():
        setattr(settings, name, value)
    session.add(settings)
    session.flush()
    return settings

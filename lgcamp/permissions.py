"""Every "may this person do this?" rule, in one place.

Views load the object (or 404), then call ``authorize(predicate(...))``; templates call the
same predicates to decide which buttons to show."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeAlias, TypeVar

from flask import abort
from flask_login import AnonymousUserMixin, current_user
from sqlalchemy import exists, select

from lgcamp.accounts.models import Person
from lgcamp.checkin.models import ScannerLink
from lgcamp.errors import wants_json
from lgcamp.events.models import Event, EventRole, EventRoleName, EventStatus
from lgcamp.extensions import db, login_manager
from lgcamp.programme.models import CampSession, SessionHost
from lgcamp.tickets.models import Booking, BookingStatus

Actor: TypeAlias = Person | AnonymousUserMixin | None
F = TypeVar("F", bound=Callable[..., Any])


def is_signed_in(actor: Actor) -> bool:
    """A real, signed-in person."""
    return isinstance(actor, Person)


def is_admin(actor: Actor) -> bool:
    """A network admin: may do anything."""
    return isinstance(actor, Person) and actor.is_admin


def has_event_role(actor: Actor, event: Event, *roles: str) -> bool:
    """Whether the person holds any of these roles in this event (one query)."""
    if not isinstance(actor, Person) or event.id is None:
        return False
    query = select(
        exists().where(
            EventRole.event_id == event.id,
            EventRole.person_id == actor.id,
            EventRole.role.in_(roles),
        )
    )
    return bool(db.session.scalar(query))


def is_organiser(actor: Actor, event: Event) -> bool:
    """An organiser of this event (admins are not organisers, but may manage)."""
    return has_event_role(actor, event, EventRoleName.ORGANISER)


def organises_any_event(actor: Actor) -> bool:
    """Organisers of any event may start new events."""
    if not isinstance(actor, Person):
        return False
    query = select(
        exists().where(EventRole.person_id == actor.id, EventRole.role == EventRoleName.ORGANISER)
    )
    return bool(db.session.scalar(query))


def can_create_event(actor: Actor) -> bool:
    """Admins and people who already organise an event."""
    return is_admin(actor) or organises_any_event(actor)


def can_manage_event(actor: Actor, event: Event) -> bool:
    """Edit the event, its organisers and everything under it."""
    return is_admin(actor) or is_organiser(actor, event)


def can_view_event(actor: Actor, event: Event) -> bool:
    """Published and cancelled events are public; drafts only for those who manage them."""
    return event.is_published or can_manage_event(actor, event)


def can_scan(actor: Actor | ScannerLink, event: Event) -> bool:
    """Check people in at the event's door: its organisers, people with the scanner role, and
    holders of an active scanner link for this event (which grants nothing else)."""
    if isinstance(actor, ScannerLink):
        return actor.event_id == event.id and actor.is_active()
    return is_admin(actor) or has_event_role(
        actor, event, EventRoleName.ORGANISER, EventRoleName.SCANNER
    )


def can_see_door_dashboard(actor: Actor, event: Event) -> bool:
    """The live door dashboard (and undoing check-ins from it) and scanner links are for the
    event's organisers: not scanner links, not the scanner role."""
    return can_manage_event(actor, event)


def can_link_walk_in(actor: Actor | ScannerLink, event: Event) -> bool:
    """Tie a walk-in to an existing account at the door (which tells who has one and creates
    their evidence): the event's organisers. A scanner link or the scanner role keeps what was
    typed, for the person to confirm by email (checkin/walk_in_records.py)."""
    return not isinstance(actor, ScannerLink) and can_manage_event(actor, event)


def can_subscribe(status: EventStatus) -> bool:
    """Calendar feeds carry published and cancelled events, never drafts, whoever asks.

    Calendar apps fetch feeds without cookies, so a draft shown to its organisers in a feed
    would end up in a shared calendar; organisers can still download a draft's .ics file.
    """
    return status != EventStatus.DRAFT


def can_administer_network(actor: Actor) -> bool:
    """Network-wide settings, roles and registers."""
    return is_admin(actor)


# Helper roles that may be given questions' answers; door volunteers are not among them.
HELPER_ROLES = {
    EventRoleName.CATERING.value: "Catering lead",
    EventRoleName.ACCESS_LEAD.value: "Access lead",
}


def helper_roles_of(actor: Actor, event: Event) -> set[str]:
    """The helper roles (catering, access lead) this person holds in the event."""
    if not isinstance(actor, Person) or event.id is None:
        return set()
    roles = db.session.scalars(
        select(EventRole.role).where(
            EventRole.event_id == event.id,
            EventRole.person_id == actor.id,
            EventRole.role.in_(list(HELPER_ROLES)),
        )
    )
    return set(roles)


def can_manage_tickets(actor: Actor, event: Event) -> bool:
    """Ticket types, attendee lists, waitlists, exports and bulk email: the event's managers."""
    return can_manage_event(actor, event)


def can_book(actor: Actor, event: Event) -> bool:
    """Signed-in people may book events they can see."""
    return is_signed_in(actor) and can_view_event(actor, event)


def can_see_answers_to(actor: Actor, event: Event, visibility: str) -> bool:
    """Organisers see every answer; a helper sees the questions opened to their role."""
    if can_manage_event(actor, event):
        return True
    return visibility in HELPER_ROLES and visibility in helper_roles_of(actor, event)


def can_view_answers(actor: Actor, event: Event) -> bool:
    """The answers page: organisers and helpers (catering, access lead), nobody else."""
    return can_manage_event(actor, event) or bool(helper_roles_of(actor, event))


def can_view_booking(actor: Actor, booking: Any) -> bool:
    """A booking's page: its holder and the event's managers."""
    if not isinstance(actor, Person):
        return False
    return booking.person_id == actor.id or can_manage_event(actor, booking.event)


def holds_ticket(actor: Actor, event: Event) -> bool:
    """A ticket holder: a confirmed booking for this event."""
    if not isinstance(actor, Person) or event.id is None:
        return False
    query = select(
        exists().where(
            Booking.event_id == event.id,
            Booking.person_id == actor.id,
            Booking.status == BookingStatus.CONFIRMED,
        )
    )
    return bool(db.session.scalar(query))


def is_volunteer(actor: Actor, event: Event) -> bool:
    """A volunteer at this event (pitch queue, room-full flags)."""
    return has_event_role(actor, event, EventRoleName.VOLUNTEER)


def is_event_team(actor: Actor, event: Event) -> bool:
    """Organisers, volunteers and admins: the people running the day."""
    return can_manage_event(actor, event) or is_volunteer(actor, event)


def is_session_host(actor: Actor, camp_session: CampSession) -> bool:
    """A host (pitcher or co-host) of this session."""
    if not isinstance(actor, Person):
        return False
    if camp_session.pitched_by_id == actor.id:
        return True
    query = select(
        exists().where(
            SessionHost.camp_session_id == camp_session.id, SessionHost.person_id == actor.id
        )
    )
    return bool(db.session.scalar(query))


def can_pitch(actor: Actor, event: Event) -> bool:
    """Ticket holders pitch sessions; so may the event team."""
    return holds_ticket(actor, event) or is_event_team(actor, event)


def can_use_pitch_queue(actor: Actor, event: Event) -> bool:
    """Enter pitches for others on the day: organisers and volunteers."""
    return is_event_team(actor, event)


def can_star(actor: Actor, event: Event) -> bool:
    """Star sessions ("I'd go to this"): people coming to the event."""
    return holds_ticket(actor, event) or is_event_team(actor, event)


def can_edit_session(actor: Actor, camp_session: CampSession) -> bool:
    """Edit or withdraw a pitch, add notes, say whether it took place: hosts and organisers."""
    return is_session_host(actor, camp_session) or can_manage_event(actor, camp_session.event)


def can_flag_room_full(actor: Actor, camp_session: CampSession) -> bool:
    """Flag a session's room as full: volunteers, hosts and organisers."""
    return is_volunteer(actor, camp_session.event) or can_edit_session(actor, camp_session)


def same_name(a: str, b: str) -> bool:
    """Two names written alike, ignoring case and spacing."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def can_claim_host(actor: Actor, host: SessionHost) -> bool:
    """Claim a host entry queued under one's own name with no account yet: a ticket holder."""
    return (
        isinstance(actor, Person)
        and host.person_id is None
        and same_name(actor.name, host.name)
        and can_pitch(actor, host.camp_session.event)
    )


def can_edit_grid(actor: Actor, event: Event) -> bool:
    """Rooms, slots and the grid editor: organisers (and admins)."""
    return can_manage_event(actor, event)


def can_see_reports(actor: Actor) -> bool:
    """Participation reports: organisers (of their events) and admins (of all)."""
    return is_admin(actor) or organises_any_event(actor)


def can_see_event_report(actor: Actor, event: Event) -> bool:
    """One event's participation report: its organisers and admins."""
    return can_manage_event(actor, event)


def can_see_network_reports(actor: Actor) -> bool:
    """Network-wide figures across years: admins."""
    return is_admin(actor)


def can_manage_members(actor: Actor) -> bool:
    """The co-op's member register, AGM lists, membership types, the status rule: admins."""
    return is_admin(actor)


def can_merge_accounts(actor: Actor) -> bool:
    """Merge duplicate accounts: admins."""
    return is_admin(actor)


def authorize(allowed: bool) -> None:
    """Stop the request unless allowed: sign-in page for anonymous people, 403 otherwise."""
    if allowed:
        return
    if not is_signed_in(current_user):
        if wants_json():
            abort(401)
        abort(login_manager.unauthorized())
    abort(403)


def _event_by_slug(slug: str) -> Event | None:
    return db.session.scalar(select(Event).where(Event.slug == slug))


def visible_event(event: Event | None) -> Event:
    """The event, or 404: for none, and for a draft this person may not manage, on every page
    of it alike, so that no answer (302, 403) tells anyone else that a draft's address exists.

    Every loader of an event by its slug ends here, including the door's and the reports'."""
    if event is None or not can_view_event(current_user, event):
        abort(404)
    return event


def load_event(slug: str) -> Event:
    """The event, or 404; drafts are 404 too for those who may not see them."""
    return visible_event(_event_by_slug(slug))


def load_event_for(slug: str, allowed: Callable[[Actor, Event], bool]) -> Event:
    """The event, or 404 (drafts too, as `load_event`); then stop the request unless
    `allowed(person, event)`."""
    event = visible_event(_event_by_slug(slug))
    authorize(allowed(current_user, event))
    return event


def load_managed_event(slug: str) -> Event:
    """The event, or 404; then 403 unless the person manages it."""
    return load_event_for(slug, can_manage_event)


def signin_required(view: F) -> F:
    """Decorator: the view needs a signed-in person (under an event's address, the event must
    exist and be visible first: a draft's pages are 404, not a sign-in page)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if "slug" in kwargs and not is_signed_in(current_user):
            load_event(kwargs["slug"])
        authorize(is_signed_in(current_user))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


TEMPLATE_PREDICATES = {
    "can_manage_event": can_manage_event,
    "can_create_event": can_create_event,
    "can_administer_network": can_administer_network,
    "can_manage_tickets": can_manage_tickets,
    "can_view_answers": can_view_answers,
    "can_scan": can_scan,
    "can_see_door_dashboard": can_see_door_dashboard,
    "can_pitch": can_pitch,
    "can_use_pitch_queue": can_use_pitch_queue,
    "can_star": can_star,
    "can_edit_session": can_edit_session,
    "can_flag_room_full": can_flag_room_full,
    "can_claim_host": can_claim_host,
    "can_edit_grid": can_edit_grid,
    "can_see_reports": can_see_reports,
    "can_manage_members": can_manage_members,
}

"""Every "may this person do this?" rule, in one place.

Views load the object (or 404), then call ``authorize(predicate(...))``. Templates call the
same predicates (registered as globals) to decide which buttons to show.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import AnonymousUserMixin, current_user
from sqlalchemy import exists, select

from lgcamp.accounts.models import Person
from lgcamp.checkin.models import DoorEvent, LinkGrant, ScannerLink
from lgcamp.errors import wants_json
from lgcamp.events.models import Event, EventRole, EventRoleName
from lgcamp.extensions import db, login_manager

Actor = Person | AnonymousUserMixin | None
F = TypeVar("F", bound=Callable[..., Any])


def is_signed_in(actor: Actor) -> bool:
    """A real, signed-in person."""
    return isinstance(actor, Person)


def is_admin(actor: Actor) -> bool:
    """A network admin: may do anything."""
    return isinstance(actor, Person) and actor.is_admin


def has_event_role(actor: Actor, event: Event | DoorEvent, role: str) -> bool:
    """Whether the person holds this role in this event."""
    if not isinstance(actor, Person) or event.id is None:
        return False
    query = select(
        exists().where(
            EventRole.event_id == event.id,
            EventRole.person_id == actor.id,
            EventRole.role == role,
        )
    )
    return bool(db.session.scalar(query))


def is_organiser(actor: Actor, event: Event | DoorEvent) -> bool:
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


def can_manage_event(actor: Actor, event: Event | DoorEvent) -> bool:
    """Edit the event, its organisers and everything under it."""
    return is_admin(actor) or is_organiser(actor, event)


def can_view_event(actor: Actor, event: Event) -> bool:
    """Published and cancelled events are public; drafts only for those who manage them."""
    return event.is_published or can_manage_event(actor, event)


def can_scan(actor: Actor | ScannerLink | LinkGrant, event: Event | DoorEvent) -> bool:
    """Check people in at the event's door: its organisers, people with the scanner role, and
    holders of an active scanner link for this event (which grants nothing else)."""
    if isinstance(actor, ScannerLink | LinkGrant):
        return actor.event_id == event.id and actor.is_active()
    return can_manage_event(actor, event) or has_event_role(actor, event, EventRoleName.SCANNER)


def can_see_door_dashboard(actor: Actor, event: Event) -> bool:
    """The live door dashboard and scanner links are for the event's organisers."""
    return can_manage_event(actor, event)


def can_administer_network(actor: Actor) -> bool:
    """Network-wide settings, roles and registers."""
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


def admin_required(view: F) -> F:
    """Decorator: the view is for network admins only."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        authorize(is_admin(current_user))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def signin_required(view: F) -> F:
    """Decorator: the view needs a signed-in person."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        authorize(is_signed_in(current_user))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


TEMPLATE_PREDICATES = {
    "can_manage_event": can_manage_event,
    "can_create_event": can_create_event,
    "can_administer_network": can_administer_network,
    "can_scan": can_scan,
    "can_see_door_dashboard": can_see_door_dashboard,
}

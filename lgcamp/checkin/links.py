"""Who may scan: scanner links for volunteers without accounts, and the scanner role.

(Split from service.py, which holds the scans themselves.)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, select
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.accounts.service import find_person_by_email
from lgcamp.checkin.models import DoorEvent, LinkGrant, ScannerLink
from lgcamp.database import utcnow
from lgcamp.errors import Conflict, DomainError, NotAllowed
from lgcamp.events.models import Event, EventRole, EventRoleName
from lgcamp.prepared import Prepared

# The session key under which a phone paired by scanner links keeps {event id: link id}.
GRANTS = "door_links"


class LinkUnusable(NotAllowed):
    """A scanner link that is unknown, revoked or expired."""


def link_secret(key: str, link: ScannerLink) -> str:
    """The link's secret, derived from the app's secret key: only its hash is stored."""
    digest = hmac.new(key.encode(), f"scanner-link:{link.nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def hash_secret(secret: str) -> str:
    """How a link secret is looked up."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_scanner_link(
    session: Session, actor: Person, event: Event, label: str, expires_at: datetime, key: str
) -> ScannerLink:
    """A new scanner link for one door of the event."""
    if expires_at <= utcnow():
        raise DomainError("The expiry must be in the future.", field="expires_in")
    link = ScannerLink(
        event_id=event.id,
        label=label.strip(),
        nonce=secrets.token_urlsafe(16),
        expires_at=expires_at,
        created_by_id=actor.id,
    )
    link.secret_hash = hash_secret(link_secret(key, link))
    session.add(link)
    session.flush()
    return link


def scanner_links_of(session: Session, event: Event) -> list[ScannerLink]:
    """The event's scanner links, newest first."""
    query = select(ScannerLink).where(ScannerLink.event_id == event.id)
    return list(session.scalars(query.order_by(ScannerLink.id.desc())))


def get_scanner_link(session: Session, event: Event, link_id: int) -> ScannerLink | None:
    """One of the event's scanner links."""
    link = session.get(ScannerLink, link_id)
    return link if link is not None and link.event_id == event.id else None


def revoke_scanner_link(session: Session, link: ScannerLink) -> None:
    """Stop a link working at once (phones holding it lose access on their next request)."""
    if link.revoked_at is not None:
        raise Conflict("This link has been revoked already.")
    link.revoked_at = utcnow()
    session.flush()


def open_scanner_link(session: Session, secret: str) -> ScannerLink:
    """The active link with this secret; LinkUnusable with a clear reason otherwise."""
    link = None
    if 20 <= len(secret) <= 64:
        link = session.scalar(
            select(ScannerLink).where(ScannerLink.secret_hash == hash_secret(secret))
        )
    if link is None:
        raise LinkUnusable("This scanner link is not valid. Ask an organiser for a new one.")
    if link.revoked_at is not None:
        raise LinkUnusable("This scanner link has been revoked. Ask an organiser for a new one.")
    if not link.is_active():
        raise LinkUnusable("This scanner link has expired. Ask an organiser for a new one.")
    link.last_used_at = utcnow()
    return link


def active_link(session: Session, link_id: int, event: Event) -> ScannerLink | None:
    """The link a phone was paired with, while it still works for this event."""
    link = session.get(ScannerLink, link_id)
    if link is None or link.event_id != event.id or not link.is_active():
        return None
    return link


# The event and the phone's scanner link in one statement (built once, so compiled once): the
# scanner's API reads these on every call, without loading ORM objects.
_event, _link = Event.__table__, ScannerLink.__table__
_DOOR_GRANT = Prepared(
    select(
        _event.c.id,
        _event.c.slug,
        _event.c.timezone,
        _link.c.id,
        _link.c.event_id,
        _link.c.label,
        _link.c.expires_at,
        _link.c.revoked_at,
    )
    .select_from(
        _event.outerjoin(
            _link,
            (_link.c.id == bindparam("link_id")) & (_link.c.event_id == _event.c.id),
        )
    )
    .where(_event.c.slug == bindparam("slug"))
)


def door_grant(
    connection: Connection, slug: str, granted: dict[str, int]
) -> tuple[DoorEvent | None, LinkGrant | None]:
    """The event with this slug, and the scanner link this phone was paired with for it (if
    any, active or not): ``granted`` maps event ids to link ids, as the phone's session holds
    them (under ``GRANTS``). The caller checks the link with ``can_scan``."""
    # One query: a phone is nearly always paired with one door. For a phone paired with
    # several events, the link for this one is read once the event's id is known.
    link_ids = [i for i in granted.values() if isinstance(i, int)]
    guess = link_ids[0] if len(link_ids) == 1 else None
    row = _DOOR_GRANT.first(connection, {"slug": slug, "link_id": guess})
    if row is None:
        return None, None
    event = DoorEvent(row[0], row[1], row[2])
    link_id = granted.get(str(event.id))
    if not isinstance(link_id, int):
        return event, None
    if link_id != guess:
        row = _DOOR_GRANT.first(connection, {"slug": slug, "link_id": link_id})
    if row is None or row[3] is None:
        return event, None
    return event, LinkGrant(*row[3:])


def scanners_of(session: Session, event: Event) -> list[Person]:
    """People with the scanner role for the event."""
    query = (
        select(Person)
        .join(EventRole, EventRole.person_id == Person.id)
        .where(EventRole.event_id == event.id, EventRole.role == EventRoleName.SCANNER)
        .order_by(Person.name)
    )
    return list(session.scalars(query))


def grant_scanner_role(session: Session, event: Event, email: str) -> Person:
    """Give an account holder the scanner role for this event."""
    person = find_person_by_email(session, email)
    if person is None:
        raise DomainError("There is no account with this email address.", field="email")
    if person in scanners_of(session, event):
        raise Conflict(f"{person.name} can already scan for this event.", field="email")
    session.add(EventRole(event_id=event.id, person_id=person.id, role=EventRoleName.SCANNER))
    session.flush()
    return person


def remove_scanner_role(session: Session, event: Event, person_id: int) -> None:
    """Take the scanner role away."""
    session.execute(
        delete(EventRole).where(
            EventRole.event_id == event.id,
            EventRole.person_id == person_id,
            EventRole.role == EventRoleName.SCANNER,
        )
    )

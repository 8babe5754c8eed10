"""Who may scan: scanner links for volunteers without accounts, and the scanner role."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.accounts.service import find_person_by_email
from lgcamp.checkin.models import ScanLog, ScannerLink
from lgcamp.database import utcnow
from lgcamp.errors import Conflict, DomainError, NotAllowed
from lgcamp.events.models import Event, EventRole, EventRoleName

# The session key under which a phone paired by scanner links keeps {event id: link id}.
GRANTS = "door_links"
# The longest a link may work (README.md, Scanner links): a lost phone stops scanning soon.
MAX_LINK_LIFETIME = timedelta(days=7)


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
    """A new scanner link for one door of the event, working for a week at most."""
    now = utcnow()
    if expires_at <= now:
        raise DomainError("The expiry must be in the future.", field="expires_in")
    if expires_at > now + MAX_LINK_LIFETIME:
        raise DomainError("A scanner link can work for a week at most.", field="expires_in")
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


def scanner_links_of(session: Session, event: Event) -> list[tuple[ScannerLink, datetime | None]]:
    """The event's scanner links, newest first, each with the time of its last scan.

    When a link was last used is read from the scan log, which records every scan's link:
    nothing is written when a phone opens or uses a link.
    """
    last_scan = (
        select(func.max(ScanLog.received_at))
        .where(ScanLog.scanner_link_id == ScannerLink.id)
        .scalar_subquery()
    )
    query = select(ScannerLink, last_scan).where(ScannerLink.event_id == event.id)
    rows = session.execute(query.order_by(ScannerLink.id.desc()))
    return [(link, last_used_at) for link, last_used_at in rows]


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
    return link


# The event and, when the phone was paired with one of its links, that link: one statement.
_DOOR_GRANT = (
    select(Event, ScannerLink)
    .outerjoin(
        ScannerLink,
        (ScannerLink.event_id == Event.id)
        & ScannerLink.id.in_(bindparam("link_ids", expanding=True)),
    )
    .where(Event.slug == bindparam("slug"))
)


def door_grant(
    session: Session, slug: str, granted: dict[str, int]
) -> tuple[Event | None, ScannerLink | None]:
    """The event with this slug, and the scanner link this phone was paired with for it (if
    any, active or not): ``granted`` maps event ids to link ids, as the phone's session holds
    them (under ``GRANTS``). The caller checks the link with ``can_scan``."""
    link_ids = [i for i in granted.values() if isinstance(i, int)]
    row = session.execute(_DOOR_GRANT, {"slug": slug, "link_ids": link_ids}).first()
    if row is None:
        return None, None
    event, link = row
    if link is None or granted.get(str(event.id)) != link.id:
        return event, None
    return event, link


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

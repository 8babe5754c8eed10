"""Hosts without an account yet: the name a pitch was queued under on the day, linked to an
account later by an organiser or a co-host, or claimed by the person once they have one."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person
from lgcamp.accounts.service import find_person_by_email
from lgcamp.errors import Conflict
from lgcamp.events.models import Event
from lgcamp.permissions import same_name
from lgcamp.programme.grid import lock_grid
from lgcamp.programme.models import CampSession, SessionHost, SessionStatus
from lgcamp.programme.service import NoSuchPerson


def host_for_queue(session: Session, text: str) -> Person | str:
    """The host typed at the pitch queue: an account by email, or by a name only one account
    has; otherwise the name itself, for someone without an account (yet)."""
    name = " ".join(text.split())
    if not name:
        raise NoSuchPerson("Enter the host's name or email address", field="host")
    if "@" in name:
        person = find_person_by_email(session, name)
        if person is None:
            raise NoSuchPerson(
                f"No account uses the email address {name}. Enter the host's name instead: "
                "the session can be linked to their account later.",
                field="host",
            )
        return person
    matches = list(
        session.scalars(select(Person).where(func.lower(Person.name) == name.lower()).limit(2))
    )
    # Two people with one name: keep the name and let an organiser link the right account.
    return matches[0] if len(matches) == 1 else name


def link_host(session: Session, host: SessionHost, person: Person) -> None:
    """Link a host entered by name to an account; hosting then counts for that person."""
    camp_session = host.camp_session
    if host.person_id is not None:
        raise Conflict(f"{host.display_name} already has an account linked.")
    if camp_session.is_scheduled:
        lock_grid(session, camp_session.event_id)  # the name may change on the live grid
    if camp_session.pitched_by_id is None:
        camp_session.pitched_by_id = person.id
    if any(h.person_id == person.id for h in camp_session.hosts):
        camp_session.hosts.remove(host)  # they host it already: the name entry goes
        session.flush()
        return
    host.person_id = person.id
    session.flush()
    session.expire(host, ["person"])


def unlinked_host(camp_session: CampSession, host_id: int) -> SessionHost:
    """One of the session's hosts without an account, or an error."""
    host = next((h for h in camp_session.hosts if h.id == host_id), None)
    if host is None:
        raise NoSuchPerson("That person does not host this session.")
    if host.person_id is not None:
        raise Conflict(f"{host.display_name} already has an account linked.")
    return host


def claimable_hosts(session: Session, person: Person, event: Event) -> list[SessionHost]:
    """Hosts of the event's pitches entered under this person's name, with no account yet."""
    rows = session.scalars(
        select(SessionHost)
        .join(CampSession, CampSession.id == SessionHost.camp_session_id)
        .where(
            CampSession.event_id == event.id,
            CampSession.status == SessionStatus.PITCHED,
            SessionHost.person_id.is_(None),
            func.lower(SessionHost.name) == " ".join(person.name.split()).lower(),
        )
        .order_by(CampSession.queue_position, SessionHost.id)
    )
    return [host for host in rows if same_name(host.name, person.name)]

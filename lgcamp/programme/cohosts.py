"""Co-hosts named by email are invited, not added (issue 16): the answer is the same whether
or not the address has an account, and no one hosts a session without saying yes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, render_template
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from lgcamp import mail
from lgcamp.accounts.models import Person
from lgcamp.accounts.service import normalise_email
from lgcamp.errors import Conflict, DomainError
from lgcamp.programme.grid import lock_grid
from lgcamp.programme.models import CampSession, SessionHost
from lgcamp.programme.service import find_host
from lgcamp.urls import external_url

INVITATION_MAX_AGE = 14 * 24 * 60 * 60  # seconds
MAX_CO_HOSTS = 10


class InvitationInvalid(DomainError):
    """A co-host invitation link that was tampered with, is too old or is for someone else."""


@dataclass
class CoHosts:
    """Co-hosts as entered: people found by name, and email addresses to invite."""

    people: list[Person] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)


def split_co_hosts(session: Session, text: str, field_name: str = "co_hosts") -> CoHosts:
    """Names (one account each, else an error on the field) and email addresses, one a line
    or separated by commas."""
    entries = [e.strip() for line in text.splitlines() for e in line.split(",") if e.strip()]
    if len(entries) > MAX_CO_HOSTS:
        raise DomainError(f"A session can have up to {MAX_CO_HOSTS} co-hosts", field=field_name)
    found = CoHosts()
    for entry in entries:
        if "@" in entry:
            email = normalise_email(entry)
            if len(email) > 254 or email.startswith("@") or email.endswith("@"):
                raise DomainError(f"{entry} is not an email address", field=field_name)
            found.emails.append(email)
        else:
            found.people.append(find_host(session, entry, field=field_name))
    return found


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lgcamp.co-host")


def invite_co_host(
    session: Session, inviter: Person, camp_session: CampSession, email: str
) -> None:
    """Email an invitation to co-host; the same message whether or not the address has an
    account (it says how to make one)."""
    token = _serializer().dumps({"s": camp_session.id, "e": normalise_email(email)})
    link = external_url(
        "programme.accept_co_host",
        slug=camp_session.event.slug,
        session_id=camp_session.id,
        token=token,
    )
    text = render_template(
        "programme/email/co_host_invite.txt",
        inviter=inviter,
        camp_session=camp_session,
        event=camp_session.event,
        link=link,
        days=INVITATION_MAX_AGE // 86400,
    )
    subject = f"Co-host “{camp_session.title}” at {camp_session.event.name}?"
    mail.queue(session, mail.compose(normalise_email(email), subject, text))


def accept_invitation(
    session: Session, person: Person, camp_session: CampSession, token: str
) -> None:
    """Make the signed-in person a host, if the invitation was sent to their address."""
    try:
        data = _serializer().loads(token, max_age=INVITATION_MAX_AGE)
    except BadSignature as error:  # SignatureExpired included
        raise InvitationInvalid(
            "This invitation is not valid or has expired. Ask the host to invite you again."
        ) from error
    if not isinstance(data, dict) or data.get("s") != camp_session.id:
        raise InvitationInvalid("This invitation is not valid. Check you copied all of it.")
    if data.get("e") != person.email:
        raise InvitationInvalid(
            "This invitation was sent to another email address: sign in with that address."
        )
    if camp_session.is_withdrawn:
        raise Conflict("This session has been withdrawn.")
    if any(h.person_id == person.id for h in camp_session.hosts):
        raise Conflict("You already host this session.")
    if camp_session.is_scheduled:
        lock_grid(session, camp_session.event_id)
    camp_session.hosts.append(SessionHost(person_id=person.id))
    session.flush()

"""Sign-ins: each signed-in browser is a row, named by the key in its cookies (issue 16).

Flask keeps the session in a signed cookie, which a copy keeps valid until it expires; the
row is what makes sign-out, a password change and "sign out everywhere" end it for good. The
key is ``<person id>.<sign-in id>.<secret>``; the database keeps only the secret's hash.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lgcamp.accounts.models import Person, SignIn
from lgcamp.database import utcnow

MAX_ID = 2**31 - 1  # a key names ids as text: never pass the database an integer it cannot hold


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _lifetime(remember: bool) -> timedelta:
    """ "Keep me signed in" lasts as long as its cookie; any other sign-in SIGN_IN_MAX_AGE."""
    config = current_app.config
    value = config["REMEMBER_COOKIE_DURATION"] if remember else config["SIGN_IN_MAX_AGE"]
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


def start(session: Session, person: Person, remember: bool = False) -> str:
    """Record a new sign-in for this person and return its key (also set on ``person``)."""
    now = utcnow()
    session.execute(
        delete(SignIn)
        .where(SignIn.person_id == person.id, SignIn.expires_at <= now)
        .execution_options(synchronize_session=False)
    )
    secret = secrets.token_urlsafe(32)
    sign_in = SignIn(
        person_id=person.id,
        secret_hash=_hash(secret),
        created_at=now,
        expires_at=now + _lifetime(remember),
    )
    session.add(sign_in)
    session.flush()
    key = f"{person.id}.{sign_in.id}.{secret}"
    person.use_sign_in(key)
    return key


def _parse(key: str) -> tuple[int, int, str] | None:
    parts = key.split(".")
    if len(parts) != 3 or not all(
        p.isascii() and p.isdigit() and 0 < int(p) <= MAX_ID for p in parts[:2]
    ):
        return None
    return int(parts[0]), int(parts[1]), parts[2]


def load(session: Session, key: str) -> Person | None:
    """The person signed in with this key, if the sign-in has not ended (one statement)."""
    parsed = _parse(key)
    if parsed is None:
        return None
    person_id, sign_in_id, secret = parsed
    person = session.scalar(
        select(Person)
        .join(SignIn, SignIn.person_id == Person.id)
        .where(
            Person.id == person_id,
            SignIn.id == sign_in_id,
            SignIn.secret_hash == _hash(secret),
            SignIn.expires_at > utcnow(),
        )
    )
    if person is not None:
        person.use_sign_in(key)
    return person


def end(session: Session, key: str) -> None:
    """End one sign-in (sign-out): its session and remember cookies stop working."""
    parsed = _parse(key)
    if parsed is not None:
        session.execute(
            delete(SignIn)
            .where(SignIn.id == parsed[1], SignIn.person_id == parsed[0])
            .execution_options(synchronize_session=False)
        )


def end_all(session: Session, person: Person, keep: str | None = None) -> None:
    """End every sign-in of this person, but the one with key ``keep`` if given."""
    statement = delete(SignIn).where(SignIn.person_id == person.id)
    parsed = _parse(keep) if keep else None
    if parsed is not None:
        statement = statement.where(SignIn.id != parsed[1])
    session.execute(statement.execution_options(synchronize_session=False))


def current_key(person: Person) -> str | None:
    """The key this loaded person was signed in with, if any."""
    return getattr(person, "_sign_in_key", None)

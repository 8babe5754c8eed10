"""Account operations: sign-up, sign-in, passwords and password reset.

Sign-up and reset answer the same whether or not an address has an account, and do the same
work (one message queued either way), so neither their pages nor their timing tell (issue 16).
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from lgcamp import mail
from lgcamp.accounts import sessions
from lgcamp.accounts.models import Person
from lgcamp.database import utcnow
from lgcamp.errors import Conflict, DomainError
from lgcamp.extensions import db
from lgcamp.urls import external_url

# A hash to compare against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class EmailTaken(Conflict):
    """An account with this email exists already."""


class WrongCredentials(DomainError):
    """The email and password do not match an account."""


class LinkInvalid(DomainError):
    """A signed link was tampered with, used already, or is for something else."""


class LinkExpired(DomainError):
    """A signed link is genuine but too old."""


def normalise_email(email: str) -> str:
    """Emails are compared case-insensitively: keep them lower-cased and trimmed."""
    return email.strip().lower()


def hash_password(password: str) -> str:
    """A modern, salted, slow hash (scrypt, werkzeug's default)."""
    return generate_password_hash(password)


def find_person_by_email(session: Session, email: str) -> Person | None:
    """The account with this email, in any letter case."""
    return session.scalar(select(Person).where(Person.email == normalise_email(email)))


def create_account(
    session: Session, name: str, email: str, password: str, organisation: str
) -> Person:
    """Create an account for an address known to be its owner's; EmailTaken if in use."""
    if find_person_by_email(session, email) is not None:
        raise EmailTaken("An account with this email address already exists. Sign in instead.")
    person = Person(
        name=name.strip(),
        email=normalise_email(email),
        organisation=organisation.strip(),
        password_hash=hash_password(password),
    )
    session.add(person)
    session.flush()
    return person


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"lgcamp.{purpose}")


def sign_token(purpose: str, data: dict[str, Any]) -> str:
    """A signed, timed token for an emailed link."""
    return str(_serializer(purpose).dumps(data))


def load_token(purpose: str, token: str, max_age: int) -> dict[str, Any]:
    """The data of a signed link; LinkExpired or LinkInvalid otherwise."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise LinkExpired("This link has expired. Ask for a new one.") from error
    except BadSignature as error:
        raise LinkInvalid("This link is not valid. Check you copied all of it.") from error
    if not isinstance(data, dict):
        raise LinkInvalid("This link is not valid. Check you copied all of it.")
    return data


def queue_email(session: Session, to: str, subject: str, template: str, **values: Any) -> None:
    """Queue one message from templates/accounts/email/<template>.txt."""
    text = render_template(f"accounts/email/{template}.txt", **values)
    mail.queue(session, mail.compose(to, subject, text))


# --- sign-up: the address is proved before an account exists --------------------------------


def request_sign_up(
    session: Session, name: str, email: str, organisation: str, next_path: str
) -> None:
    """Email a link that finishes the sign-up, or, if the address has an account, tell its
    owner someone tried: the page says the same either way."""
    email = normalise_email(email)
    person = find_person_by_email(session, email)
    if person is not None:
        queue_email(
            session,
            person.email,
            "Someone tried to create an lgcamp account with your address",
            "sign_up_exists",
            person=person,
            sign_in=external_url("accounts.login"),
            reset=external_url("accounts.forgot_password"),
        )
        return
    data = {"name": name.strip(), "email": email, "org": organisation.strip(), "next": next_path}
    queue_email(
        session,
        email,
        "Finish creating your lgcamp account",
        "sign_up",
        name=data["name"],
        link=external_url("accounts.finish_sign_up", token=sign_token("sign-up", data)),
        hours=current_app.config["EMAIL_CHANGE_MAX_AGE"] // 3600,
    )


def sign_up_details(token: str) -> dict[str, str]:
    """Name, email, organisation and next page of a sign-up link."""
    data = load_token("sign-up", token, current_app.config["EMAIL_CHANGE_MAX_AGE"])
    if not all(isinstance(data.get(k), str) for k in ("name", "email", "org", "next")):
        raise LinkInvalid("This link is not valid. Check you copied all of it.")
    return {k: str(data[k]) for k in ("name", "email", "org", "next")}


def finish_sign_up(session: Session, token: str, password: str) -> Person:
    """Create the account from a sign-up link (it works once: the address is then taken)."""
    details = sign_up_details(token)
    if find_person_by_email(session, details["email"]) is not None:
        raise LinkInvalid("This link has been used already. Sign in with your email address.")
    return create_account(session, details["name"], details["email"], password, details["org"])


# --- sign-in and passwords ---------------------------------------------------------------------


def authenticate(session: Session, email: str, password: str) -> Person:
    """The person with this email and password; WrongCredentials otherwise."""
    person = find_person_by_email(session, email)
    if person is None:
        check_password_hash(_DUMMY_HASH, password)
        raise WrongCredentials("Enter a correct email address and password.", field="email")
    if not check_password_hash(person.password_hash, password):
        raise WrongCredentials("Enter a correct email address and password.", field="email")
    person.last_login_at = utcnow()
    return person


def check_password(person: Person, password: str, field: str = "current_password") -> None:
    """WrongCredentials unless this is the person's password (before sensitive changes)."""
    if not check_password_hash(person.password_hash, password):
        raise WrongCredentials("Your current password is not correct.", field=field)


def _password_changed(session: Session, person: Person) -> None:
    """Tell the person, so that a change they did not make does not go unnoticed."""
    queue_email(
        session,
        person.email,
        "Your lgcamp password has been changed",
        "password_changed",
        person=person,
        reset=external_url("accounts.forgot_password"),
    )


def change_password(session: Session, person: Person, current: str, new: str) -> None:
    """Change a password after checking the current one; every other sign-in ends."""
    check_password(person, current)
    person.password_hash = hash_password(new)
    sessions.end_all(session, person, keep=sessions.current_key(person))
    _password_changed(session, person)


def update_profile(person: Person, name: str, organisation: str) -> None:
    """Change the name and organisation shown on bookings and records."""
    person.name = name.strip()
    person.organisation = organisation.strip()


# --- password reset ------------------------------------------------------------------------


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def request_password_reset(session: Session, email: str) -> None:
    """Email a reset link to an account, or say to an unknown address that it has none: one
    message either way, so the answer and its timing do not tell."""
    person = find_person_by_email(session, email)
    if person is None:
        queue_email(
            session,
            normalise_email(email),
            "Reset your lgcamp password",
            "reset_no_account",
            sign_up=external_url("accounts.sign_up"),
        )
        return
    token = sign_token("reset", {"id": person.id, "pw": _fingerprint(person.password_hash)})
    queue_email(
        session,
        person.email,
        "Reset your lgcamp password",
        "reset",
        person=person,
        link=external_url("accounts.reset_password", token=token),
        minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )


def person_for_reset(session: Session, token: str) -> Person:
    """The person a reset link is for; the link works once (it names the old password)."""
    data = load_token("reset", token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    person_id = data.get("id")
    person = (
        session.get(Person, person_id)
        if isinstance(person_id, int) and 0 < person_id <= sessions.MAX_ID
        else None
    )
    if person is None or data.get("pw") != _fingerprint(person.password_hash):
        raise LinkInvalid("This link has been used already or is not valid. Ask for a new one.")
    return person


def reset_password(session: Session, token: str, password: str) -> Person:
    """Set a new password from a reset link; every sign-in of the person ends."""
    person = person_for_reset(session, token)
    person.password_hash = hash_password(password)
    sessions.end_all(session, person)
    _password_changed(session, person)
    return person


def load_person(key: str) -> Person | None:
    """Flask-Login's loader: the person a session or remember cookie's sign-in key names."""
    return sessions.load(db.session, key)

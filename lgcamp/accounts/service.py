"""Account operations: sign-up, sign-in, password reset and email change."""

from __future__ import annotations

import hashlib

from flask import current_app, render_template, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from lgcamp import mail
from lgcamp.accounts.models import Person
from lgcamp.database import utcnow
from lgcamp.errors import Conflict, DomainError

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


def sign_up(session: Session, name: str, email: str, password: str, organisation: str) -> Person:
    """Create an account; raise EmailTaken if the email is in use."""
    if find_person_by_email(session, email) is not None:
        raise EmailTaken(
            "An account with this email address already exists. Sign in instead.", field="email"
        )
    person = Person(
        name=name.strip(),
        email=normalise_email(email),
        organisation=organisation.strip(),
        password_hash=hash_password(password),
    )
    session.add(person)
    session.flush()
    return person


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


def change_password(person: Person, current: str, new: str) -> None:
    """Change a password after checking the current one."""
    if not check_password_hash(person.password_hash, current):
        raise WrongCredentials("Your current password is not correct.", field="current_password")
    person.password_hash = hash_password(new)


def update_profile(person: Person, name: str, organisation: str) -> None:
    """Change the name and organisation shown on bookings and records."""
    person.name = name.strip()
    person.organisation = organisation.strip()


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"lgcamp.{purpose}")


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def request_password_reset(session: Session, email: str) -> None:
    """Email a reset link if the account exists; say nothing either way."""
    person = find_person_by_email(session, email)
    if person is None:
        return
    token = _serializer("reset").dumps({"id": person.id, "pw": _fingerprint(person.password_hash)})
    link = url_for("accounts.reset_password", token=token, _external=True)
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    text = render_template("accounts/email/reset.txt", person=person, link=link, minutes=minutes)
    mail.queue(session, mail.compose(person.email, "Reset your lgcamp password", text))


def _load(purpose: str, token: str, max_age: int) -> dict[str, object]:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise LinkExpired("This link has expired. Ask for a new one.") from error
    except BadSignature as error:
        raise LinkInvalid("This link is not valid. Check you copied all of it.") from error
    if not isinstance(data, dict):
        raise LinkInvalid("This link is not valid. Check you copied all of it.")
    return data


def person_for_reset(session: Session, token: str) -> Person:
    """The person a reset link is for; the link works once (it names the old password)."""
    data = _load("reset", token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    person = session.get(Person, data.get("id")) if isinstance(data.get("id"), int) else None
    if person is None or data.get("pw") != _fingerprint(person.password_hash):
        raise LinkInvalid("This link has been used already or is not valid. Ask for a new one.")
    return person


def reset_password(session: Session, token: str, password: str) -> Person:
    """Set a new password from a reset link."""
    person = person_for_reset(session, token)
    person.password_hash = hash_password(password)
    return person


def request_email_change(session: Session, person: Person, new_email: str) -> None:
    """Send a confirmation link to the new address; the change happens when it is followed."""
    new_email = normalise_email(new_email)
    if new_email == person.email:
        raise DomainError("That is already your email address.", field="email")
    if find_person_by_email(session, new_email) is not None:
        raise EmailTaken("Another account uses this email address.", field="email")
    token = _serializer("email").dumps({"id": person.id, "old": person.email, "new": new_email})
    link = url_for("accounts.confirm_email", token=token, _external=True)
    text = render_template("accounts/email/confirm_email.txt", person=person, link=link)
    mail.queue(session, mail.compose(new_email, "Confirm your new email address", text))


def confirm_email_change(session: Session, token: str) -> Person:
    """Apply an email change from its confirmation link."""
    data = _load("email", token, current_app.config["EMAIL_CHANGE_MAX_AGE"])
    person = session.get(Person, data.get("id")) if isinstance(data.get("id"), int) else None
    if person is None or person.email != data.get("old") or not isinstance(data.get("new"), str):
        raise LinkInvalid("This link has been used already or is not valid.")
    new_email = str(data["new"])
    other = session.scalar(
        select(Person).where(func.lower(Person.email) == new_email, Person.id != person.id)
    )
    if other is not None:
        raise EmailTaken("Another account now uses this email address.")
    person.email = new_email
    return person


def load_person(person_id: str) -> Person | None:
    """Flask-Login's loader: the signed-in person from the session cookie."""
    from lgcamp.extensions import db

    return db.session.get(Person, int(person_id)) if person_id.isdigit() else None

"""Changing the email address: the password first, a link to the new address that only its
requester can use, and a way back from the old one (issue 16).
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from lgcamp.accounts import sessions
from lgcamp.accounts.models import Person
from lgcamp.accounts.service import (
    EmailTaken,
    LinkInvalid,
    check_password,
    find_person_by_email,
    load_token,
    normalise_email,
    queue_email,
    sign_token,
)
from lgcamp.errors import DomainError
from lgcamp.urls import external_url


def request_email_change(session: Session, person: Person, password: str, new_email: str) -> None:
    """Check the password, then send a confirmation link to the new address."""
    check_password(person, password, field="email_password")
    new_email = normalise_email(new_email)
    if new_email == person.email:
        raise DomainError("That is already your email address.", field="email")
    if find_person_by_email(session, new_email) is not None:
        raise EmailTaken("Another account uses this email address.", field="email")
    token = sign_token("email", {"id": person.id, "old": person.email, "new": new_email})
    queue_email(
        session,
        new_email,
        "Confirm your new email address",
        "confirm_email",
        person=person,
        link=external_url("accounts.confirm_email", token=token),
    )


def confirm_email_change(session: Session, person: Person, token: str) -> str:
    """Apply a change from its link, for the signed-in person it was made for only; tell the
    old address, with a link that undoes it. Returns the old address."""
    data = load_token("email", token, current_app.config["EMAIL_CHANGE_MAX_AGE"])
    new_email = data.get("new")
    if data.get("id") != person.id:
        raise LinkInvalid("This link is for another account. Sign in as the person who asked.")
    if person.email != data.get("old") or not isinstance(new_email, str):
        raise LinkInvalid("This link has been used already or is not valid.")
    if find_person_by_email(session, new_email) is not None:
        raise EmailTaken("Another account now uses this email address.")
    old_email = person.email
    person.email = new_email
    undo = sign_token("email-undo", {"id": person.id, "old": old_email, "new": new_email})
    queue_email(
        session,
        old_email,
        "The email address of your lgcamp account has changed",
        "email_changed",
        person=person,
        new_email=new_email,
        link=external_url("accounts.undo_email_change", token=undo),
        days=current_app.config["EMAIL_UNDO_MAX_AGE"] // 86400,
    )
    return old_email


def person_for_undo(session: Session, token: str) -> tuple[Person, str]:
    """The person an undo link is for and the address it restores; works while the account
    still has the address the change gave it."""
    data = load_token("email-undo", token, current_app.config["EMAIL_UNDO_MAX_AGE"])
    person_id, old_email = data.get("id"), data.get("old")
    person = (
        session.get(Person, person_id)
        if isinstance(person_id, int) and 0 < person_id <= sessions.MAX_ID
        else None
    )
    if person is None or person.email != data.get("new") or not isinstance(old_email, str):
        raise LinkInvalid("This link has been used already or is not valid.")
    return person, old_email


def undo_email_change(session: Session, token: str) -> Person:
    """Put the old address back and end every sign-in: whoever made the change is out."""
    person, old_email = person_for_undo(session, token)
    taken = session.scalar(
        select(Person.id).where(Person.email == old_email, Person.id != person.id)
    )
    if taken is not None:
        raise EmailTaken("Another account now uses your old address. Contact the organisers.")
    person.email = old_email
    sessions.end_all(session, person)
    return person

"""Input of the JSON booking API (public_views.api_book): the ticket type, answers, secret."""

from __future__ import annotations

from typing import Any

from lgcamp.errors import DomainError
from lgcamp.inputs import bad_text
from lgcamp.tickets.answers import BookingAnswers

MAX_ID = 2**31 - 1  # ids are INTEGER columns
JSON_ANSWERS_MESSAGE = (
    '"answers" must map question ids to text; "organisation" and "role" are text.'
)


def json_ticket_type_id(data: Any) -> int | None:
    """The ticket type a JSON booking names, or None when the body does not name one."""
    type_id = data.get("ticket_type_id") if isinstance(data, dict) else None
    if not isinstance(type_id, int) or isinstance(type_id, bool):
        return None
    return type_id


def json_answers(data: Any, default_organisation: str) -> BookingAnswers:
    """The answers of a JSON booking; DomainError (400) when they are not text."""
    raw = data.get("answers", {})
    texts = [data.get("organisation", ""), data.get("role", "")]
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in [*raw.values(), *texts]):
        raise DomainError(JSON_ANSWERS_MESSAGE)
    if any(bad_text(v) for v in [*raw.values(), *texts]):
        raise DomainError("Answers may not contain control characters such as NUL.")
    values = {int(k): v for k, v in raw.items() if k.isascii() and k.isdigit() and len(k) < 10}
    organisation = texts[0] or default_organisation
    return BookingAnswers(organisation=organisation, job_role=texts[1], values=values)


def json_secret(data: Any) -> str | None:
    """The hidden ticket type's secret a JSON booking carries, if any."""
    secret = data.get("secret")
    # A secret is URL-safe text: anything else (a NUL, which PostgreSQL refuses) matches none.
    return secret if isinstance(secret, str) and not bad_text(secret) else None

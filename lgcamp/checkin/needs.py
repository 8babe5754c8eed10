"""The access-needs flag the door sees: yes or no from the answers, never the answers."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Exists, Select, Table, exists, func, select
from sqlalchemy.orm import Session

from lgcamp.events.models import EventRoleName
from lgcamp.tickets.models import Answer, Booking, Question

# Answers that mean "no access needs" to a question shown to the access lead.
NO_ACCESS_NEEDS = ("", "no", "none", "n/a", "na", "nothing")

_answer, _question = cast(Table, Answer.__table__), cast(Table, Question.__table__)
# The rule, for an answer joined to its question: an access-needs question is one the
# organisers opened to the access lead, and the answer says there are some.
_SAYS_ACCESS_NEEDS: tuple[Any, ...] = (
    _question.c.id == _answer.c.question_id,
    _question.c.visibility == EventRoleName.ACCESS_LEAD.value,
    func.lower(func.trim(_answer.c.value)).not_in(NO_ACCESS_NEEDS),
)


def access_needs_bookings(event_id: int) -> Select[int]:
    """Bookings of the event whose answer to an access-needs question says they have some."""
    return select(_answer.c.booking_id).where(_question.c.event_id == event_id, *_SAYS_ACCESS_NEEDS)


def access_needs_flag(booking: Table) -> Exists:
    """The same rule as a column correlated to the booking table: read with the booking."""
    return exists().where(
        _answer.c.booking_id == booking.c.id,
        _question.c.event_id == booking.c.event_id,
        *_SAYS_ACCESS_NEEDS,
    )


def has_access_needs(session: Session, booking: Booking) -> bool:
    """Whether the booking's answers flag access needs (the scanner shows a flag, no details)."""
    query = access_needs_bookings(booking.event_id).where(_answer.c.booking_id == booking.id)
    return bool(session.scalar(select(exists(query))))

"""The access-needs flag the door sees: yes or no from the answers, never the answers."""

from __future__ import annotations

from sqlalchemy import Exists, Select, exists, func, select
from sqlalchemy.orm import Session

from lgcamp.events.models import EventRoleName
from lgcamp.tickets.models import Answer, Booking, Question

# Answers that mean "no access needs" to a question shown to the access lead.
NO_ACCESS_NEEDS = ("", "no", "none", "n/a", "na", "nothing")

# The rule, for an answer joined to its question: an access-needs question is one the
# organisers opened to the access lead, and the answer says there are some.
_SAYS_ACCESS_NEEDS = (
    Question.visibility == EventRoleName.ACCESS_LEAD.value,
    func.lower(func.trim(Answer.value)).not_in(NO_ACCESS_NEEDS),
)


def access_needs_bookings(event_id: int) -> Select[int]:
    """Bookings of the event whose answer to an access-needs question says they have some."""
    return (
        select(Answer.booking_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.event_id == event_id, *_SAYS_ACCESS_NEEDS)
    )


def access_needs_flag() -> Exists:
    """The same rule as a column correlated to ``Booking``: read with the booking itself."""
    return exists().where(
        Answer.booking_id == Booking.id,
        Question.id == Answer.question_id,
        Question.event_id == Booking.event_id,
        *_SAYS_ACCESS_NEEDS,
    )


def has_access_needs(session: Session, booking: Booking) -> bool:
    """Whether the booking's answers flag access needs (the scanner shows a flag, no details)."""
    query = access_needs_bookings(booking.event_id).where(Answer.booking_id == booking.id)
    return bool(session.scalar(select(exists(query))))

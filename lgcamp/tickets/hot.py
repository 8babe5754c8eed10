"""The JSON booking API on the hot path (lgcamp/hotpath.py), for a release rush.

When tickets go on sale, hundreds of signed-in people post a booking in the same minute. The
ordinary case (a signed-in person, a published event, a well-formed body) is answered here with
the same functions as ``views.api_book``: the shape checks of ``forms``, the ``can_book`` rule,
``booking.load_bookable`` and ``booking.place_booking``. Everything else (no session, a
missing header, a draft, bad input, a full ballot, any domain error) is deferred to that view,
which gives every refusal its message.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection

from lgcamp import mail
from lgcamp.accounts.models import Person
from lgcamp.database import take_write_lock, utcnow
from lgcamp.extensions import db
from lgcamp.hotpath import Defer, HotRequest, Route
from lgcamp.permissions import can_book
from lgcamp.tickets import booking
from lgcamp.tickets.forms import MAX_ID, json_answers, json_secret, json_ticket_type_id

BOOKINGS = re.compile(r"/api/events/(?P<slug>[A-Za-z0-9_-]{1,200})/bookings")


def _signed_in_id(request: HotRequest) -> int:
    """The id of the person Flask-Login would load from this session, or Defer."""
    user_id = request.session.get("_user_id")
    if not isinstance(user_id, str) or not user_id.isdigit() or len(user_id) > 10:
        raise Defer  # not signed in (or by a remember cookie only): Flask decides
    return int(user_id)


def book(request: HotRequest, connection: Connection) -> tuple[int, dict[str, Any]]:
    """Book by JSON for a signed-in person (as ``views.api_book``)."""
    if request.environ.get("HTTP_X_REQUESTED_WITH") != "lgcamp":
        raise Defer
    data = request.json()
    type_id = json_ticket_type_id(data)
    if type_id is None or not 0 < type_id <= MAX_ID:
        raise Defer
    now = utcnow()
    # One read: the ticket type, its event, the person and their live booking's status.
    bookable = booking.load_bookable(
        connection, request.match["slug"], type_id, now, person_id=_signed_in_id(request)
    )
    if bookable is None or bookable.booker is None:
        raise Defer  # no such ticket type, or no such person: Flask answers
    booker = bookable.booker
    # A detached copy of the person Flask-Login would load, for the permission rule.
    person = Person(id=booker.id, email=booker.email, name=booker.name,
                    organisation=booker.organisation, is_admin=booker.is_admin)  # fmt: skip
    if not can_book(person, bookable.event):  # type: ignore[arg-type]
        raise Defer
    answers = json_answers(data, person.organisation)
    take_write_lock(connection)  # SQLite: the write lock from here to the commit (as the view)
    placed = booking.place_booking(
        connection, person.id, person.email, person.organisation, bookable, answers,
        json_secret(data), now,
    )  # fmt: skip
    _send_after_commit(request, connection, list(placed.mail_ids))
    url = request.url_for("tickets.show_booking", booking_id=placed.id)
    return 201, {"booking": booking.placed_json(placed, url)}


def _send_after_commit(request: HotRequest, connection: Connection, email_ids: list[int]) -> None:
    """As ``transaction.commit`` does: with MAIL_SEND_AFTER_COMMIT, claim this request's email
    in its transaction and send it after the commit; otherwise the mail worker or tick sends it."""
    if not email_ids or not request.app.config["MAIL_SEND_AFTER_COMMIT"]:
        return
    mail.claim_on(connection, email_ids)

    def send() -> None:
        try:
            mail.send_claimed(db.session, email_ids)
        finally:
            db.session.remove()

    request.after_commit.append(send)


ROUTES = [Route(BOOKINGS, book)]

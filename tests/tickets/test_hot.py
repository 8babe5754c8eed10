"""The JSON booking API on the hot path (lgcamp/tickets/hot.py): it books as the Flask view
does, leaves every doubtful request to the view, and never oversells under concurrency."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from lgcamp import create_app
from lgcamp.accounts.models import Person
from lgcamp.events.models import EventStatus
from lgcamp.extensions import db
from lgcamp.tickets.models import Answer, Booking, BookingStatus, Question, QuestionKind
from tests.conftest import Mailbox
from tests.core.test_hotpath import answered_by_hot_path, call, hot_path, json_post, serve
from tests.factories import make_booking, make_event, make_person, make_ticket_type

API_HEADERS = {"X-Requested-With": "lgcamp"}


def session_cookie(app: Flask, person: Person) -> str:
    """The session cookie Flask-Login leaves after this person signs in."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    return f"session={serializer.dumps({'_user_id': str(person.id), '_fresh': True})}"


def booking_environ(
    slug: str, cookie: str | None, body: Any, headers: dict[str, str] = API_HEADERS
) -> dict[str, Any]:
    all_headers = {**headers, **({"Cookie": cookie} if cookie else {})}
    return json_post(f"/api/events/{slug}/bookings", all_headers, body)


def count(*where: Any) -> int:
    db.session.rollback()  # see what the hot path's own connection committed
    return db.session.scalar(select(func.count(Booking.id)).where(*where)) or 0


def test_a_booking_answers_as_flask_does_and_emails_the_ticket(
    app: Flask, mailbox: Mailbox
) -> None:
    ticket_type = make_ticket_type(make_event(name="Hot Camp"), capacity=1)
    first, second = make_person(), make_person()
    slug, type_id = ticket_type.event.slug, ticket_type.id
    db.session.commit()
    hot = hot_path(app)
    status, headers, body = call(
        hot, booking_environ(slug, session_cookie(app, first), {"ticket_type_id": type_id})
    )
    assert status == 201 and headers["Content-Type"] == "application/json"
    assert body["booking"]["status"] == "confirmed"
    assert body["booking"]["url"] == f"http://localhost/bookings/{body['booking']['id']}"
    ticket = mailbox.last_to(first.email)  # sent right after the commit, as Flask does
    assert "Your ticket for Hot Camp" in str(ticket["Subject"])
    names = {part.get_filename() for part in ticket.iter_attachments()}
    assert names == {"ticket-qr.png", f"{slug}.ics"}

    # The same request through the Flask view, for the second person: the same shape.
    status, _headers, through_flask = call(
        hot.wsgi_app,
        booking_environ(slug, session_cookie(app, second), {"ticket_type_id": type_id}),
    )
    assert status == 201 and set(through_flask["booking"]) == set(body["booking"])
    assert through_flask["booking"]["status"] == "waitlisted"


def test_the_hot_path_books_for_a_signed_in_person_with_answers(app: Flask) -> None:
    event = make_event()
    ticket_type = make_ticket_type(event)
    question = Question(event_id=event.id, label="Diet", kind=QuestionKind.TEXT, is_required=True)
    db.session.add(question)
    person = make_person()
    db.session.commit()
    body = {"ticket_type_id": ticket_type.id, "answers": {str(question.id): "Vegan"}}
    environ = booking_environ(event.slug, session_cookie(app, person), body)
    assert answered_by_hot_path(app, environ)
    assert count(Booking.status == BookingStatus.CONFIRMED) == 1
    assert db.session.scalar(select(Answer.value)) == "Vegan"


def test_doubtful_bookings_are_left_to_flask(app: Flask) -> None:
    event = make_event()
    ticket_type = make_ticket_type(event)
    draft = make_event(status=EventStatus.DRAFT)
    draft_type = make_ticket_type(draft)
    question = Question(event_id=event.id, label="Diet", kind=QuestionKind.TEXT, is_required=True)
    db.session.add(question)
    person, holder = make_person(), make_person()
    make_booking(ticket_type, holder)
    db.session.commit()
    cookie, holder_cookie = session_cookie(app, person), session_cookie(app, holder)
    good = {"ticket_type_id": ticket_type.id, "answers": {str(question.id): "Vegan"}}
    cases: list[tuple[str, str | None, Any, dict[str, str], int, str]] = [
        (event.slug, cookie, good, {}, 400, "X-Requested-With"),
        (event.slug, None, good, API_HEADERS, 401, ""),
        (event.slug, cookie, b"{not json", API_HEADERS, 400, "ticket_type_id"),
        (event.slug, cookie, {"ticket_type_id": True}, API_HEADERS, 400, "ticket_type_id"),
        (event.slug, cookie, {"ticket_type_id": 10**30}, API_HEADERS, 404, ""),
        (event.slug, cookie, {"ticket_type_id": ticket_type.id}, API_HEADERS, 400, "Answer the"),
        (event.slug, cookie, {**good, "answers": ["x"]}, API_HEADERS, 400, '"answers" must'),
        (draft.slug, cookie, {"ticket_type_id": draft_type.id}, API_HEADERS, 404, ""),
        (event.slug, holder_cookie, good, API_HEADERS, 409, "already have a ticket"),
    ]
    for slug, who, body, headers, status, message in cases:
        environ = booking_environ(slug, who, body, headers)
        assert not answered_by_hot_path(app, environ), (slug, body, headers)
        got, _headers, answer = call(app.wsgi_app, environ)
        assert got == status, (body, headers, answer)
        assert message in answer["error"]["message"], answer
    assert count() == 1  # only the holder's own booking


def test_a_hundred_bookers_for_ten_places_through_the_hot_path(app: Flask) -> None:
    ticket_type = make_ticket_type(make_event(), capacity=10)
    people = [make_person() for _ in range(100)]
    db.session.commit()
    slug, type_id = ticket_type.event.slug, ticket_type.id
    environs = [
        booking_environ(slug, session_cookie(app, p), {"ticket_type_id": type_id}) for p in people
    ]
    hot = hot_path(app)
    barrier = threading.Barrier(20)

    def book(i: int) -> tuple[int, str]:
        if i < 20:
            barrier.wait(timeout=30)
        status, _h, body = serve(hot, environs[i])
        return status, body["booking"]["status"]

    db.session.commit()  # the test's session may hold SQLite's write lock
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(book, range(100)))
    assert Counter(results) == {(201, "confirmed"): 10, (201, "waitlisted"): 90}
    assert count(Booking.status == BookingStatus.CONFIRMED) == 10
    positions = db.session.scalars(
        select(Booking.queue_position).where(Booking.status == BookingStatus.WAITLISTED)
    ).all()
    assert sorted(positions) == list(range(1, 91))
    db.session.refresh(ticket_type)
    assert ticket_type.taken == 10


def test_behind_a_trusted_proxy_links_follow_the_clients_scheme_and_host(app: Flask) -> None:
    ticket_type = make_ticket_type(make_event())
    person = make_person()
    db.session.commit()
    proxied = create_app(
        {**{k: app.config[k] for k in ("SECRET_KEY", "DATABASE_URL", "TESTING")},
         "TRUSTED_PROXIES": 1, "SQLITE_BACKGROUND_CHECKPOINTS": False}
    )  # fmt: skip
    environ = booking_environ(
        ticket_type.event.slug,
        session_cookie(proxied, person),
        {"ticket_type_id": ticket_type.id},
        {**API_HEADERS, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "events.example.org"},
    )
    try:
        status, _headers, body = call(proxied.wsgi_app, environ)
    finally:
        with proxied.app_context():
            db.engine.dispose()  # its own pool: close its connections now, not at collection
    assert status == 201
    assert body["booking"]["url"].startswith("https://events.example.org/bookings/")

"""Admins see what a merge of two accounts will move before they confirm it."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select

from lgcamp.accounts.models import Person
from lgcamp.extensions import db
from lgcamp.participation.models import Membership, MembershipStatus, MembershipType
from lgcamp.tickets.models import Booking, BookingStatus
from tests.conftest import Auth
from tests.factories import (
    make_booking,
    make_camp_session,
    make_check_in,
    make_event,
    make_person,
    make_ticket_type,
)


def test_the_merge_page_previews_then_merges_only_when_confirmed(
    client: FlaskClient, auth: Auth
) -> None:
    admin = make_person(is_admin=True)
    kept = make_person("Kim Kept", email="kim@council.example")
    duplicate = make_person("Kim K", email="kim@home.example")
    both = make_event("Camp both booked")
    only_dup = make_event("Fringe only the duplicate booked")
    make_booking(make_ticket_type(both), kept, BookingStatus.WAITLISTED)
    checked_in = make_booking(make_ticket_type(both, name="Speaker"), duplicate)
    make_check_in(checked_in)
    make_check_in(make_booking(make_ticket_type(only_dup), duplicate))
    make_camp_session(only_dup, duplicate, "Open data")
    kind = MembershipType(name="Practitioner")
    db.session.add(kind)
    db.session.flush()
    db.session.add(
        Membership(person_id=duplicate.id, membership_type_id=kind.id,
                   status=MembershipStatus.ACTIVE, number=7)
    )  # fmt: skip
    db.session.commit()
    auth.login(admin)

    start = client.get("/admin/merge").get_data(as_text=True)
    assert "Preview the merge" in start
    response = client.post(
        "/admin/merge", data={"keep_email": kept.email, "merge_email": duplicate.email}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "What will happen" in page and "Nothing has changed yet" in page
    summary = page[page.index("What will happen") :]
    assert 'Bookings that move</dt><dd class="govuk-summary-list__value">2' in summary
    assert 'Check-ins that move</dt><dd class="govuk-summary-list__value">2' in summary
    assert "Practitioner no. 7 (active, duplicate account): Moves to the kept account" in summary
    assert "Sessions hosted" in summary and "Sessions pitched" in summary
    # The kept account's waitlist place gives way to the duplicate's checked-in ticket.
    assert "Released: the other account has a better booking for this event" in summary
    assert 'name="step" value="confirm"' in page
    assert db.session.get(Person, duplicate.id) is not None  # nothing changed

    unconfirmed = client.post(
        "/admin/merge",
        data={"keep_email": kept.email, "merge_email": duplicate.email, "step": "confirm"},
    )
    assert unconfirmed.status_code == 400
    assert "Confirm the two accounts belong to the same person" in unconfirmed.get_data(
        as_text=True
    )
    assert db.session.get(Person, duplicate.id) is not None

    done = client.post(
        "/admin/merge",
        data={"keep_email": kept.email, "merge_email": duplicate.email, "step": "confirm",
              "confirm": "y"},
        follow_redirects=True,
    )  # fmt: skip
    assert f"Merged {duplicate.email} into {kept.email}" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Person.id)).where(Person.id == duplicate.id)) == 0
    bookings = db.session.scalars(select(Booking).where(Booking.person_id == kept.id)).all()
    assert sorted(b.status.value for b in bookings) == ["confirmed", "confirmed", "released"]

"""Feeds over HTTP: headers, content read by two parsers, 304s, links on pages, personal tokens."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from flask.testing import FlaskClient

from lgcamp.events.models import EventKind, EventStatus
from lgcamp.extensions import db
from lgcamp.feeds import service
from lgcamp.feeds.ical import event_uid, session_uid
from lgcamp.programme import grid
from lgcamp.programme import service as programme
from tests.conftest import Auth
from tests.factories import (
    make_booking,
    make_camp_session,
    make_event,
    make_person,
    make_room,
    make_slot,
    make_ticket_type,
)
from tests.feeds.parsing import parse_feed

AWKWARD = 'Leeds, Bradford; "Wakefield"\nand Łódź café'


def _camp() -> dict[str, Any]:
    organiser = make_person("Olu, Organiser; Ünïcode")
    co_host = make_person("Zoë Co-host")
    event = make_event(
        f"LocalGovCamp {AWKWARD}", organisers=(organiser,), venue_name="Civic Hall",
        venue_address="Portland Crescent\nLeeds", summary="A day, of; sessions",
    )  # fmt: skip
    rooms = make_room(event, "Room A, upstairs"), make_room(event, "Room B")
    slots = make_slot(event, 60), make_slot(event, 120)
    cs = make_camp_session(event, organiser, f"Open data; APIs, {AWKWARD}", co_hosts=(co_host,))
    grid.place_session(db.session, organiser, cs, slots[0].id, rooms[0].id, None)
    db.session.commit()
    return {"event": event, "organiser": organiser, "rooms": rooms, "slots": slots, "cs": cs}


def _check_feed_headers(response: Any) -> None:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["ETag"]
    assert response.headers["Last-Modified"]


def test_network_feed_lists_published_events_of_every_kind(client: FlaskClient) -> None:
    kinds = [EventKind.LOCALGOVCAMP, EventKind.FRINGE, EventKind.NOTWESTMINSTER]
    events = [make_event(f"{kind.label} {AWKWARD}", kind=kind) for kind in kinds]
    draft = make_event("Secret draft", status=EventStatus.DRAFT)
    cancelled = make_event("Called off", status=EventStatus.CANCELLED)
    response = client.get("/feeds/events.ics")
    _check_feed_headers(response)
    parsed = parse_feed(response.data)
    assert parsed.prop("x-wr-calname") == "LocalGov Digital events"
    assert parsed.prop("refresh-interval") == "PT1H" and parsed.prop("x-published-ttl") == "PT1H"
    assert set(parsed.events) == {event_uid(e) for e in [*events, cancelled]}
    assert event_uid(draft) not in parsed.events and "Secret draft" not in parsed.text
    for event in events:
        uid = event_uid(event)
        assert parsed.value(uid, "summary") == f"{event.kind.label} {AWKWARD}"
        assert parsed.utc(uid) == event.starts_at and parsed.utc(uid, "dtend") == event.ends_at
        assert parsed.events[uid].dtstart.params.get("X-VOBJ-ORIGINAL-TZID") == ["Europe/London"]
        assert parsed.value(uid, "status") == "CONFIRMED"
        assert parsed.value(uid, "url") == f"http://localhost/events/{event.slug}"
        assert parsed.value(uid, "dtstamp").tzinfo is not None
        assert parsed.value(uid, "last_modified").astimezone(UTC) == event.updated_at.replace(
            microsecond=0
        )
        assert int(parsed.value(uid, "sequence")) == event.sequence
    assert parsed.value(event_uid(cancelled), "status") == "CANCELLED"


def test_event_feed_carries_sessions_with_room_hosts_and_link(client: FlaskClient) -> None:
    camp = _camp()
    event, cs = camp["event"], camp["cs"]
    plain = parse_feed(client.get(f"/events/{event.slug}/calendar.ics").data)
    assert set(plain.events) == {event_uid(event)}
    assert plain.value(event_uid(event), "location") == "Civic Hall, Portland Crescent, Leeds"
    response = client.get(f"/events/{event.slug}/programme.ics")
    _check_feed_headers(response)
    parsed = parse_feed(response.data)
    assert parsed.prop("x-wr-calname") == f"LocalGovCamp {AWKWARD}: programme"
    uid = session_uid(cs)
    assert set(parsed.events) == {event_uid(event), uid}
    assert parsed.value(uid, "summary") == f"Open data; APIs, {AWKWARD}"
    assert parsed.value(uid, "location") == "Room A, upstairs, Civic Hall"
    description = parsed.value(uid, "description")
    assert "Hosted by Olu, Organiser; Ünïcode, Zoë Co-host." in description
    assert f"http://localhost/events/{event.slug}/sessions/{cs.id}" in description
    assert parsed.value(uid, "url") == f"http://localhost/events/{event.slug}/sessions/{cs.id}"
    assert parsed.utc(uid) == camp["slots"][0].starts_at


def test_moving_a_session_shows_in_the_feed_with_same_uid_and_higher_sequence(
    client: FlaskClient,
) -> None:
    camp = _camp()
    url = f"/events/{camp['event'].slug}/programme.ics"
    first = client.get(url)
    before = parse_feed(first.data)
    grid.place_session(
        db.session, camp["organiser"], camp["cs"], camp["slots"][1].id, camp["rooms"][1].id, None
    )
    db.session.commit()
    response = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert response.status_code == 200
    after = parse_feed(response.data)
    uid = session_uid(camp["cs"])
    assert uid in after.events
    assert int(after.value(uid, "sequence")) > int(before.value(uid, "sequence"))
    assert after.utc(uid) == camp["slots"][1].starts_at
    assert after.value(uid, "location").startswith("Room B")


def test_withdrawn_session_comes_back_cancelled(client: FlaskClient) -> None:
    camp = _camp()
    programme.withdraw_session(db.session, camp["organiser"], camp["cs"])
    db.session.commit()
    parsed = parse_feed(client.get(f"/events/{camp['event'].slug}/programme.ics").data)
    assert parsed.value(session_uid(camp["cs"]), "status") == "CANCELLED"


def test_conditional_get_answers_304_until_something_changes(client: FlaskClient) -> None:
    camp = _camp()
    for url in ["/feeds/events.ics", f"/events/{camp['event'].slug}/programme.ics"]:
        first = client.get(url)
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""
        assert again.headers["ETag"] == etag
        by_date = client.get(url, headers={"If-Modified-Since": modified})
        assert by_date.status_code == 304
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    event = camp["event"]
    event.name = "Renamed"
    event.updated_at = event.updated_at.replace(year=event.updated_at.year + 1)
    db.session.commit()
    assert client.get("/feeds/events.ics", headers={"If-None-Match": etag}).status_code == 200


def test_personal_feed_by_token_and_rotation_from_the_account_page(
    client: FlaskClient, auth: Auth
) -> None:
    camp = _camp()
    person = make_person("Ada Attendee")
    make_booking(make_ticket_type(camp["event"]), person)
    programme.star_session(db.session, person, camp["cs"])
    db.session.commit()
    auth.login(person)
    page = client.get("/account").get_data(as_text=True)
    assert "/account/calendar" in page and "Get a new calendar address" in page
    response = client.post("/account/calendar/new-address")
    assert response.status_code == 302
    token = service.feed_token_of(db.session, person).token  # type: ignore[union-attr]
    page = client.get("/account/calendar").get_data(as_text=True)
    assert f"webcal://localhost/feeds/personal/{token}.ics" in page
    assert f"http://localhost/feeds/personal/{token}.ics" in page
    auth.logout()
    feed = client.get(f"/feeds/personal/{token}.ics")
    _check_feed_headers(feed)
    assert feed.headers["Cache-Control"] == "private, no-cache"
    parsed = parse_feed(feed.data)
    assert set(parsed.events) == {event_uid(camp["event"]), session_uid(camp["cs"])}
    assert (
        client.get(
            f"/feeds/personal/{token}.ics", headers={"If-None-Match": feed.headers["ETag"]}
        ).status_code
        == 304
    )
    auth.login(person)
    client.post("/account/calendar/new-address")
    auth.logout()
    new_token = service.feed_token_of(db.session, person).token  # type: ignore[union-attr]
    assert client.get(f"/feeds/personal/{token}.ics").status_code == 404
    assert client.get(f"/feeds/personal/{new_token}.ics").status_code == 200


def test_bad_tokens_all_get_the_same_404(client: FlaskClient) -> None:
    person = make_person()
    real = service.rotate_feed_token(db.session, person)
    db.session.commit()
    answers = [
        client.get(f"/feeds/personal/{token}.ics")
        for token in ["A" * 32, "nope", real[:-1] + ("A" if real[-1] != "A" else "B"), "%00" * 5]
    ]
    assert {a.status_code for a in answers} == {404}
    assert len({a.data for a in answers}) == 1


def test_pages_link_to_feeds_and_downloads(client: FlaskClient) -> None:
    camp = _camp()
    event, cs = camp["event"], camp["cs"]
    index = client.get("/").get_data(as_text=True)
    assert "webcal://localhost/feeds/events.ics" in index
    assert "http://localhost/feeds/events.ics" in index
    show = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert f"/events/{event.slug}/add-to-calendar.ics" in show
    assert f"webcal://localhost/events/{event.slug}/programme.ics" in show
    session_page = client.get(f"/events/{event.slug}/sessions/{cs.id}").get_data(as_text=True)
    assert f"/events/{event.slug}/sessions/{cs.id}/add-to-calendar.ics" in session_page


def test_single_item_downloads(client: FlaskClient) -> None:
    camp = _camp()
    event, cs = camp["event"], camp["cs"]
    response = client.get(f"/events/{event.slug}/add-to-calendar.ics")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'
    assert set(parse_feed(response.data).events) == {event_uid(event)}
    response = client.get(f"/events/{event.slug}/sessions/{cs.id}/add-to-calendar.ics")
    parsed = parse_feed(response.data)
    assert parsed.value(session_uid(cs), "location") == "Room A, upstairs, Civic Hall"
    pitch = make_camp_session(event, title="Not on the grid")
    assert (
        client.get(f"/events/{event.slug}/sessions/{pitch.id}/add-to-calendar.ics").status_code
        == 404
    )

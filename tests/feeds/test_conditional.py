"""Every feed answers a conditional GET (If-None-Match, If-Modified-Since) with a 304 from one
query, and a change with a 200 and a new validator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from lgcamp.events.models import Event
from lgcamp.extensions import db
from lgcamp.feeds import service
from lgcamp.programme import grid
from lgcamp.programme import service as programme
from tests.factories import (
    make_booking,
    make_camp_session,
    make_event,
    make_person,
    make_room,
    make_slot,
    make_ticket_type,
)
from tests.statements import counting


def _camp() -> dict[str, Any]:
    organiser = make_person("Olu Organiser")
    event = make_event(organisers=(organiser,))
    slot, room = make_slot(event), make_room(event)
    placed = make_camp_session(event, title="Placed", slot=slot, room=room)
    loose = make_camp_session(event, title="Loose")
    person = make_person("Ada Attendee")
    make_booking(make_ticket_type(event), person)
    programme.star_session(db.session, person, placed)
    token = service.rotate_feed_token(db.session, person)
    db.session.commit()
    return dict(
        organiser=organiser, event=event, slot=slot, room=room, placed=placed, loose=loose,
        person=person, token=token,
    )  # fmt: skip


def _touch_event(camp: dict[str, Any]) -> None:
    event: Event = camp["event"]
    event.name = "Renamed"
    event.updated_at = event.updated_at + timedelta(minutes=1)


def _move(camp: dict[str, Any]) -> None:
    grid.place_session(db.session, camp["organiser"], camp["loose"], camp["slot"].id,
                       make_room(camp["event"]).id, None)  # fmt: skip


def _star(camp: dict[str, Any]) -> None:
    programme.star_session(db.session, camp["person"], camp["loose"])


FEEDS: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("/feeds/events.ics", _touch_event),
    ("/events/{slug}/calendar.ics", _touch_event),
    ("/events/{slug}/programme.ics", _move),
    ("/feeds/personal/{token}.ics", _star),
]


@pytest.mark.parametrize(("pattern", "change"), FEEDS)
def test_feed_answers_304_from_one_query_until_it_changes(
    client: FlaskClient, pattern: str, change: Callable[[dict[str, Any]], None]
) -> None:
    camp = _camp()
    url = pattern.format(slug=camp["event"].slug, token=camp["token"])
    first = client.get(url)
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
        db.session.remove()
        with counting() as found:
            again = client.get(url, headers=headers)
        assert again.status_code == 304 and again.data == b""
        assert again.headers["ETag"] == etag and "no-cache" in again.headers["Cache-Control"]
        assert len(found) == 1
    change(
        {k: db.session.merge(v) if hasattr(v, "_sa_instance_state") else v for k, v in camp.items()}
    )
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.data.startswith(b"BEGIN:VCALENDAR")

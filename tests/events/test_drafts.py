"""A draft is 404 on every one of its addresses to everyone who does not manage it.

The routes come from ``app.url_map`` (every rule with a ``slug``), so a new page under an
event's address is covered without being listed here. A 302 to sign in or a 403 would tell
anyone that the draft's slug exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from lgcamp.accounts.models import Person
from lgcamp.checkin.links import link_secret
from lgcamp.checkin.models import WalkInRecord
from lgcamp.events.models import EventRoleName, EventStatus
from lgcamp.extensions import db
from lgcamp.programme import grid, layout
from lgcamp.tickets.models import TicketVisibility
from tests.conftest import Auth
from tests.factories import (
    make_booking,
    make_camp_session,
    make_check_in,
    make_event,
    make_person,
    make_question,
    make_role,
    make_room,
    make_scanner_link,
    make_slot,
    make_ticket_type,
)

IGNORED_METHODS = {"HEAD", "OPTIONS"}
# Calendar feeds carry no drafts for anyone, their organisers included (permissions.can_subscribe).
NEVER_DRAFTS = {"feeds.event_feed", "feeds.programme_feed"}
# Requests that end something go last, so that the organiser's earlier requests find it all.
ENDINGS = ("remove", "delete", "revoke", "undo", "cancel", "withdraw", "unschedule")


@dataclass
class Draft:
    """A draft event with something behind every kind of address, and who asks."""

    values: dict[str, Any]
    secrets: dict[str, str]
    people: dict[str, Person]


@pytest.fixture
def draft(app: Flask) -> Draft:
    organiser = make_person("Olu Organiser")
    other = make_person("Otto Other")
    event = make_event("Secret camp", status=EventStatus.DRAFT, organisers=(organiser,))
    make_event("Other camp", organisers=(other,))
    helper = make_person("Hal Helper")  # holds every role a route can take away
    for role in (EventRoleName.SCANNER, EventRoleName.VOLUNTEER, EventRoleName.ORGANISER):
        make_role(event, helper, role)
    helper_role = make_role(event, helper, EventRoleName.CATERING)
    ticket_type = make_ticket_type(event)
    hidden = make_ticket_type(event, name="Volunteers", visibility=TicketVisibility.HIDDEN)
    booking = make_booking(ticket_type, helper)
    check_in = make_check_in(make_booking(ticket_type))
    room, slot = make_room(event), make_slot(event)
    camp_session = make_camp_session(event, co_hosts=(helper,))
    grid.place_session(db.session, organiser, camp_session, slot.id, room.id, 1)
    db.session.commit()
    change = layout.recent_changes(db.session, event, 1)[0]
    link, door_secret = make_scanner_link(event)
    walk_in = WalkInRecord(
        event_id=event.id, ticket_type_id=ticket_type.id, scan_id="walk-in-draft-1",
        name="Wally Walker", email="wally@example.org", door_label="Door 1",
    )  # fmt: skip
    db.session.add(walk_in)
    db.session.commit()
    host = next(h for h in camp_session.hosts if h.person_id == helper.id)
    values = {
        "slug": event.slug,
        "ticket_type_id": ticket_type.id,
        "booking_id": booking.id,
        "person_id": helper.id,
        "role_id": helper_role.id,
        "question_id": make_question(event).id,
        "check_in_id": check_in.id,
        "link_id": link.id,
        "room_id": room.id,
        "slot_id": slot.id,
        "session_id": camp_session.id,
        "change_id": change.id,
        "action": "reissue",
        "record_id": walk_in.id,
        "host_id": host.id,
        "token": "not-a-token",
    }
    assert link_secret("test-secret", link) == door_secret
    people = {"organiser": organiser, "other_organiser": other, "attendee": make_person()}
    return Draft(
        values, {"checkin.open_link": door_secret, "tickets.private_tickets": hidden.secret}, people
    )


def event_routes(app: Flask) -> list[tuple[Rule, str]]:
    """Every (rule, method) under an event's slug, endings last."""
    found = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if "slug" in rule.arguments
        for method in sorted((rule.methods or set()) - IGNORED_METHODS)
    ]
    return sorted(found, key=lambda item: any(word in item[0].rule for word in ENDINGS))


def ask(app: Flask, client: FlaskClient, draft: Draft, rule: Rule, method: str) -> tuple[str, int]:
    """One request to the rule, as a browser or the scanner would send it."""
    values = {name: draft.values.get(name) for name in rule.arguments}
    if "secret" in rule.arguments:
        values["secret"] = draft.secrets[rule.endpoint]
    url = app.url_map.bind("localhost").build(rule.endpoint, values, method=method)
    headers = {"X-Requested-With": "lgcamp"}
    if method == "GET":
        return url, client.get(url, headers=headers).status_code
    body: dict[str, Any] = {"json": {}} if url.startswith("/api/") else {"data": {}}
    return url, client.open(url, method=method, headers=headers, **body).status_code


def test_there_are_many_event_routes(app: Flask) -> None:
    assert len(event_routes(app)) > 80


@pytest.mark.parametrize("role", ["anonymous", "attendee", "other_organiser"])
def test_a_draft_is_404_everywhere_to_those_who_do_not_manage_it(
    app: Flask, client: FlaskClient, auth: Auth, draft: Draft, role: str
) -> None:
    if role != "anonymous":
        auth.login(draft.people[role])
    answers = [ask(app, client, draft, rule, method) for rule, method in event_routes(app)]
    assert [(url, status) for url, status in answers if status != 404] == []


def test_a_draft_answers_its_own_organiser(
    app: Flask, client: FlaskClient, auth: Auth, draft: Draft
) -> None:
    auth.login(draft.people["organiser"])
    answers = [
        (rule.endpoint, *ask(app, client, draft, rule, method))
        for rule, method in event_routes(app)
    ]
    not_found = [(e, url) for e, url, status in answers if status == 404 and e not in NEVER_DRAFTS]
    assert not_found == []
    assert {status for e, _url, status in answers if e in NEVER_DRAFTS} == {404}

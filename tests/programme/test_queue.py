"""The pitch queue on the day: pitches stay in the order they were queued, and a host with no
account is taken by name, then linked to an account by an organiser or claimed by the person."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from lgcamp.database import utcnow
from lgcamp.extensions import db
from lgcamp.participation import facts
from lgcamp.participation.evidence import person_evidence
from lgcamp.participation.models import ParticipationFact
from lgcamp.programme import hosts, service
from lgcamp.programme.models import CampSession, SessionHost
from tests.conftest import Auth
from tests.factories import (
    make_event,
    make_person,
    make_room,
    make_slot,
    make_ticket_holder,
    make_volunteer,
)


@pytest.fixture
def camp(app: Any) -> dict[str, Any]:
    """An event with an organiser, a volunteer, a room and a slot."""
    organiser = make_person("Olu Organiser")
    event = make_event(organisers=(organiser,))
    return dict(
        organiser=organiser, volunteer=make_volunteer(event), event=event,
        room=make_room(event, "Room A"), slot=make_slot(event, 60), base=f"/events/{event.slug}",
    )  # fmt: skip


def _page(response: Any) -> str:
    return response.get_data(as_text=True)


def _queue(client: FlaskClient, camp: dict[str, Any], host: str, title: str) -> str:
    response = client.post(
        f"{camp['base']}/pitch-queue",
        data={"host": host, "title": title, "format": "discussion"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    return _page(response)


def _queue_items(page: str) -> list[tuple[str, str]]:
    """(number, title) of each entry of the queue list, top to bottom."""
    listing = page.split('data-testid="pitch-queue"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'<li value="(\d+)">\s*<a[^>]*>([^<]+)</a>', listing)


def _by_title(title: str) -> CampSession:
    found = db.session.scalar(select(CampSession).where(CampSession.title == title))
    assert found is not None
    return found


def test_queue_keeps_pitches_in_the_order_they_were_queued(
    camp: dict[str, Any], client: FlaskClient, auth: Auth
) -> None:
    make_person("Kwame Evans")
    holder = make_ticket_holder(camp["event"])
    auth.login(camp["volunteer"])
    _queue(client, camp, "Kwame Evans", "Zebra crossings and open data")
    auth.logout()
    auth.login(holder)  # a ticket holder pitches for themselves in between
    client.post(
        f"{camp['base']}/sessions/new", data={"title": "My own pitch", "format": "workshop"}
    )
    auth.logout()
    auth.login(camp["volunteer"])
    _queue(client, camp, "Kwame Evans", "Agile in councils")
    # A clock behind the others (another web server) does not move a pitch up the queue.
    agile = _by_title("Agile in councils")
    agile.created_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    page = _queue(client, camp, "Kwame Evans", "Mapping with open source")
    assert "“Mapping with open source” by Kwame Evans is number 4 in the queue." in page

    expected = [
        ("1", "Zebra crossings and open data"),
        ("2", "My own pitch"),
        ("3", "Agile in councils"),
        ("4", "Mapping with open source"),
    ]
    assert _queue_items(page) == expected
    queue = service.pitch_queue(db.session, camp["event"])
    assert [(str(s.queue_position), s.title) for s in queue] == expected
    # The grid editor lists the sessions not yet placed in the same order.
    auth.logout()
    auth.login(camp["organiser"])
    editor = _page(client.get(f"{camp['base']}/programme/editor"))
    pool = editor.split('data-testid="unplaced"', 1)[1]
    positions = [pool.index(f'data-title="{title}"') for _n, title in expected]
    assert positions == sorted(positions)
    assert "No. 3 · Kwame Evans" in pool


def test_queue_takes_a_host_without_an_account_and_an_organiser_links_it(
    camp: dict[str, Any], client: FlaskClient, auth: Auth
) -> None:
    auth.login(camp["volunteer"])
    page = _queue(client, camp, "  Jamie   Rivers ", "Co-operatives and councils")
    assert "“Co-operatives and councils” by Jamie Rivers is number 1 in the queue." in page
    assert "no account linked yet" in page
    assert "Jamie Rivers (no account yet)" in page
    camp_session = _by_title("Co-operatives and councils")
    assert camp_session.pitched_by_id is None
    [host] = camp_session.hosts
    assert (host.person_id, host.name) == (None, "Jamie Rivers")
    # An email address with no account cannot stand for a host: the form says what to do.
    refused = client.post(
        f"{camp['base']}/pitch-queue",
        data={"host": "nobody@example.org", "title": "Ghost talk", "format": "other"},
    )
    assert "Enter the host&#39;s name instead" in _page(refused)
    assert db.session.scalar(select(CampSession).where(CampSession.title == "Ghost talk")) is None

    auth.logout()
    auth.login(camp["organiser"])
    client.post(
        f"{camp['base']}/programme/sessions/{camp_session.id}/place",
        data={"room_id": camp["room"].id, "slot_id": camp["slot"].id, "version": 1},
    )
    assert "Jamie Rivers" in _page(client.get(f"{camp['base']}/grid"))
    assert "Jamie Rivers" in _page(client.get(f"{camp['base']}/sessions"))
    session_page = _page(client.get(f"{camp['base']}/sessions/{camp_session.id}"))
    assert "Link Jamie Rivers to their account" in session_page

    jamie = make_person("Jamie Rivers", email="jamie.rivers@example.org")
    response = client.post(
        f"{camp['base']}/sessions/{camp_session.id}/hosts/{host.id}/link",
        data={"account": "jamie.rivers@example.org"},
        follow_redirects=True,
    )
    assert "Jamie Rivers is now linked to the account of Jamie Rivers." in _page(response)
    db.session.expire_all()
    assert [(h.person_id, h.name) for h in camp_session.hosts] == [(jamie.id, "Jamie Rivers")]
    assert camp_session.pitched_by_id == jamie.id
    assert "no account linked yet" not in _page(response)


def test_a_host_claims_the_pitch_queued_under_their_name(
    camp: dict[str, Any], client: FlaskClient, auth: Auth
) -> None:
    camp_session = service.queue_pitch(
        db.session, camp["volunteer"], camp["event"], service.PitchDetails("Plain English"),
        "Sam Okafor",
    )  # fmt: skip
    db.session.commit()
    [host] = camp_session.hosts
    claim = f"{camp['base']}/sessions/{camp_session.id}/hosts/{host.id}/claim"

    # Someone else with a ticket, and Sam before booking a ticket, may not claim it.
    auth.login(make_ticket_holder(camp["event"], make_person("Sam Other")))
    assert client.post(claim).status_code == 403
    auth.logout()
    sam = make_person("sam  okafor")
    auth.login(sam)
    assert client.post(claim).status_code == 403

    # With a ticket, the agenda points Sam at it, and Sam claims it.
    make_ticket_holder(camp["event"], sam)
    agenda = _page(client.get(f"{camp['base']}/agenda"))
    assert "Pitched under your name" in agenda and "Plain English" in agenda
    response = client.post(claim, follow_redirects=True)
    assert "“Plain English” is now linked to your account." in _page(response)
    db.session.expire_all()
    assert [h.person_id for h in camp_session.hosts] == [sam.id]
    agenda = _page(client.get(f"{camp['base']}/agenda"))
    assert "Pitched under your name" not in agenda
    assert "Sessions you host" in agenda and "Plain English" in agenda
    assert client.post(claim).status_code == 409  # already linked


def test_a_host_without_an_account_counts_for_no_one_until_linked(app: Any) -> None:
    event = make_event(starts_at=utcnow() - timedelta(days=1))  # held yesterday
    room, slot = make_room(event), make_slot(event, 60)
    camp_session = service.queue_pitch(
        db.session, make_volunteer(event), event, service.PitchDetails("Held talk"),
        "Ada Newcomer",
    )  # fmt: skip
    camp_session.slot_id, camp_session.room_id = slot.id, room.id
    db.session.commit()
    facts.rebuild_events(db.session, [event.id])
    db.session.commit()
    hosted = select(ParticipationFact).where(ParticipationFact.kind == "hosted")
    assert db.session.scalars(hosted).all() == []

    ada = make_person("Ada Newcomer")
    hosts.link_host(db.session, camp_session.hosts[0], ada)
    db.session.commit()
    facts.rebuild_events(db.session, [event.id])
    db.session.commit()
    assert [f.person_id for f in db.session.scalars(hosted)] == [ada.id]
    assert any(e.event_id == event.id for e in person_evidence(db.session, ada, utcnow()))


def test_linking_someone_who_already_hosts_drops_the_name_entry(camp: dict[str, Any]) -> None:
    kim = make_person("Kim Lee")
    camp_session = service.queue_pitch(
        db.session, camp["volunteer"], camp["event"], service.PitchDetails("Twice"), kim
    )
    camp_session.hosts.append(SessionHost(name="Kim L."))
    db.session.commit()
    hosts.link_host(db.session, camp_session.hosts[1], kim)
    db.session.commit()
    assert [(h.person_id, h.name) for h in camp_session.hosts] == [(kim.id, "")]

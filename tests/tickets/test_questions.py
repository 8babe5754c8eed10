"""Organisers edit booking questions without losing the answers already given."""

from __future__ import annotations

from flask.testing import FlaskClient

from lgcamp.extensions import db
from lgcamp.tickets.models import Answer, QuestionKind
from tests.conftest import Auth
from tests.factories import make_booking, make_event, make_person, make_question, make_ticket_type

FIELDS = {
    "label": "Lunch",
    "hint": "",
    "kind": "choice",
    "choices": "Meat\nVegetarian",
    "visibility": "catering",
}


def test_an_organiser_edits_a_question_from_the_tickets_page(
    client: FlaskClient, auth: Auth
) -> None:
    organiser = make_person()
    event = make_event(organisers=(organiser,))
    question = make_question(event, label="Lunch", kind=QuestionKind.CHOICE, choices="Meat\nVeg")
    booking = make_booking(make_ticket_type(event))
    answer = Answer(booking_id=booking.id, question_id=question.id, value="Veg")
    db.session.add(answer)
    db.session.commit()
    auth.login(organiser)
    manage = client.get(f"/events/{event.slug}/tickets/manage").get_data(as_text=True)
    edit_url = f"/events/{event.slug}/tickets/questions/{question.id}"
    assert f'href="{edit_url}"' in manage
    form = client.get(edit_url).get_data(as_text=True)
    assert 'value="Lunch"' in form and "1 person has answered" in form

    removed = client.post(edit_url, data={**FIELDS, "choices": "Meat\nVegan"})
    assert removed.status_code == 400
    assert "1 person chose “Veg”: keep that choice" in removed.get_data(as_text=True)
    kind = client.post(edit_url, data={**FIELDS, "kind": "text", "choices": ""})
    assert kind.status_code == 400
    assert "its kind of answer cannot change" in kind.get_data(as_text=True)

    saved = client.post(
        edit_url,
        data={**FIELDS, "label": "Lunch choice", "choices": "Meat\nVeg\nVegan", "is_required": "y"},
        follow_redirects=True,
    )
    page = saved.get_data(as_text=True)
    assert "The question “Lunch choice” has been saved" in page
    assert "Lunch choice (required)" in page and "Choice: Meat, Veg, Vegan" in page
    db.session.refresh(question)
    assert question.options == ["Meat", "Veg", "Vegan"] and question.is_required
    db.session.refresh(answer)
    assert answer.value == "Veg"  # answers kept


def test_a_question_nobody_answered_can_change_kind(client: FlaskClient, auth: Auth) -> None:
    organiser = make_person()
    event = make_event(organisers=(organiser,))
    question = make_question(event, label="Dietary needs")
    auth.login(organiser)
    url = f"/events/{event.slug}/tickets/questions/{question.id}"
    assert client.post(url, data=FIELDS).status_code == 302
    db.session.refresh(question)
    assert question.kind == QuestionKind.CHOICE and question.label == "Lunch"
    too_few = client.post(url, data={**FIELDS, "choices": "Only one"})
    assert "Give at least two choices" in too_few.get_data(as_text=True)


def test_only_the_events_organisers_edit_its_questions(client: FlaskClient, auth: Auth) -> None:
    event = make_event(organisers=(make_person(),))
    question = make_question(event)
    other = make_event(organisers=(make_person(),))
    url = f"/events/{event.slug}/tickets/questions/{question.id}"
    assert client.get(url).status_code in (302, 401)  # signed out: to sign in
    auth.login(make_person())
    assert client.get(url).status_code == 403
    assert client.post(url, data=FIELDS).status_code == 403
    auth.login(make_person(is_admin=True))
    assert client.get(f"/events/{other.slug}/tickets/questions/{question.id}").status_code == 404
    assert client.get(url).status_code == 200

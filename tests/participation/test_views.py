"""The participation pages through the client: what people see, and clear answers to bad input."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from lgcamp.accounts.models import Person
from lgcamp.database import utcnow
from lgcamp.events.models import EventRoleName
from lgcamp.extensions import db
from lgcamp.participation.models import Membership, MembershipStatus, MembershipType
from lgcamp.tickets.models import Answer, Question, QuestionKind
from tests.conftest import Auth
from tests.factories import (
    PASSWORD,
    make_attendance,
    make_booking,
    make_event,
    make_person,
    make_role,
    make_ticket_type,
)


def _past_camp(name: str = "LocalGovCamp 2025", days_ago: int = 100) -> object:
    return make_event(name, starts_at=(utcnow() - timedelta(days=days_ago)).replace(microsecond=0))


def _verify_link(page: str) -> str:
    match = re.search(r'id="verify-link">([^<]+)<', page)
    assert match, "no verification link on the page"
    return match.group(1).replace("http://localhost", "")


def test_record_page_shows_status_reason_and_evidence(client: FlaskClient, auth: Auth) -> None:
    person = make_person("Priya Patel")
    camp = _past_camp()
    make_attendance(
        make_event("LocalGovCamp 2019", starts_at=datetime(2019, 6, 1, tzinfo=UTC)), person
    )
    make_attendance(camp, person)
    make_booking(make_ticket_type(make_event("Future camp")), person)
    auth.login(person)
    page = client.get("/network/record").get_data(as_text=True)
    assert "Part of the network since 2019; last took part at LocalGovCamp 2025." in page
    assert "Why: You took part at LocalGovCamp 2025" in page
    assert "Future camp" not in page  # a booking alone is not evidence
    assert "Source: check in #" in page


def test_share_verify_tamper_regenerate_and_revoke(client: FlaskClient, auth: Auth) -> None:
    person = make_person("Sam Jones", organisation="Leeds City Council")
    make_attendance(_past_camp(), person)
    auth.login(person)
    response = client.post(
        "/network/record/share", data={"show_name": "y", "show_organisation": "", "show_years": "y"}
    )
    assert response.status_code == 302
    page = client.get("/network/record").get_data(as_text=True)
    assert 'alt="QR code of your verification link"' in page
    link = _verify_link(page)

    auth.logout()
    ok = client.get(link)
    text = ok.get_data(as_text=True)
    assert ok.status_code == 200
    assert "Genuine record" in text and "Sam Jones" in text
    assert "Leeds City Council" not in text  # not chosen
    assert "Part of the network since" in text

    tampered = client.get(link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb"))
    assert tampered.status_code == 404
    assert "not valid" in tampered.get_data(as_text=True)
    assert client.get("/verify/" + "x" * 500).status_code == 404

    auth.login(person)
    client.post("/network/record/share/new")
    new_link = _verify_link(client.get("/network/record").get_data(as_text=True))
    assert new_link != link
    old = client.get(link)
    assert old.status_code == 410
    assert "withdrawn or replaced" in old.get_data(as_text=True)
    assert client.get(new_link).status_code == 200

    client.post("/network/record/share/revoke")
    assert client.get(new_link).status_code == 410
    assert "verify-link" not in client.get("/network/record").get_data(as_text=True)


def test_verification_shows_only_what_was_chosen(client: FlaskClient, auth: Auth) -> None:
    person = make_person("Hidden Name", organisation="Fife Council")
    make_attendance(_past_camp("Camp A"), person)
    auth.login(person)
    client.post("/network/record/share", data={"show_events": "y", "show_organisation": "y"})
    link = _verify_link(client.get("/network/record").get_data(as_text=True))
    auth.logout()
    page = client.get(link).get_data(as_text=True)
    assert "Hidden Name" not in page
    assert "chose not to show their name" in page
    assert "Fife Council" in page and "Camp A" in page


def _statement(page: str) -> str:
    match = re.search(r'id="statement">([^<]*)<', page)
    assert match, "no statement on the page"
    return match.group(1)


def test_verification_names_no_event_or_year_the_person_did_not_choose_to_show(
    client: FlaskClient, auth: Auth
) -> None:
    person = make_person("Vera Verified")
    make_attendance(_past_camp("LocalGovCamp Secretville", days_ago=100), person)
    first_year = (utcnow() - timedelta(days=100)).year
    auth.login(person)
    client.post("/network/record/share", data={"show_name": "y"})  # years and events off
    link = _verify_link(client.get("/network/record").get_data(as_text=True))
    auth.logout()
    page = client.get(link).get_data(as_text=True)
    assert "Secretville" not in page
    assert _statement(page) == "Part of the network."

    auth.login(person)
    client.post("/network/record/share", data={"show_years": "y"})
    auth.logout()
    page = client.get(link).get_data(as_text=True)
    assert "Secretville" not in page
    assert _statement(page) == f"Part of the network since {first_year}."

    auth.login(person)
    client.post("/network/record/share", data={"show_years": "y", "show_events": "y"})
    auth.logout()
    statement = _statement(client.get(link).get_data(as_text=True))
    assert statement == (
        f"Part of the network since {first_year}; last took part at LocalGovCamp Secretville."
    )


def test_print_page_has_statement_and_qr(client: FlaskClient, auth: Auth) -> None:
    person = make_person("Printed Person")
    make_attendance(_past_camp(), person)
    auth.login(person)
    client.post("/network/record/share", data={"show_name": "y"})
    page = client.get("/network/record/print").get_data(as_text=True)
    assert "Part of the network since" in page
    assert "lgcamp-qr" in page and "lgcamp-printable" in page


def test_download_has_everything_and_delete_anonymises(client: FlaskClient, auth: Auth) -> None:
    person = make_person("Dee Leted", email="dee@example.org", organisation="Hackney Council")
    camp = _past_camp()
    make_attendance(camp, person)
    future = make_booking(make_ticket_type(make_event("Next camp"), capacity=5), person)
    access = Question(
        event_id=future.event_id,
        label="Access needs",
        kind=QuestionKind.TEXT,
        visibility=EventRoleName.ACCESS_LEAD,
    )
    db.session.add(access)
    db.session.flush()
    db.session.add(Answer(booking_id=future.id, question_id=access.id, value="Step-free route"))
    future.job_role = "Service designer"
    db.session.commit()
    auth.login(person)
    response = client.get("/network/record/download")
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.get_data(as_text=True))
    assert data["person"]["email"] == "dee@example.org"
    assert len(data["bookings"]) == 2 and len(data["check_ins"]) == 1
    assert data["participation"]["is_part"] is True
    assert data["answers"] == [
        {"event": "Next camp", "question": "Access needs", "answer": "Step-free route"}
    ]
    assert "Service designer" in [b["role"] for b in data["bookings"]]

    wrong = client.post("/account/delete", data={"password": "nope", "confirm": "y"})
    assert wrong.status_code == 400 and "Enter your current password" in wrong.get_data(
        as_text=True
    )
    done = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    gone = db.session.get(Person, person.id)
    assert gone is not None and gone.name == "Deleted person"
    assert gone.email.endswith("@deleted.invalid") and gone.organisation == "Hackney Council"
    assert db.session.get(type(future), future.id).status.value == "released"
    assert db.session.scalars(select(Answer)).all() == []  # access needs gone with the account
    assert db.session.get(type(future), future.id).job_role == ""
    assert (
        client.post("/sign-in", data={"email": "dee@example.org", "password": PASSWORD}).status_code
        == 200
    )


def test_apply_approve_twice_and_agm(client: FlaskClient, auth: Auth) -> None:
    practitioner = MembershipType(name="Practitioner", description="Works in local government")
    db.session.add(practitioner)
    db.session.commit()
    person = make_person("Ann Applicant")
    make_attendance(_past_camp(), person)
    admin = make_person("Ada Admin", is_admin=True)
    auth.login(person)
    assert (
        client.post(
            "/network/membership", data={"membership_type_id": practitioner.id, "statement": "Hi"}
        ).status_code
        == 302
    )
    again = client.post("/network/membership", data={"membership_type_id": practitioner.id})
    assert again.status_code == 400 and "applied already" in again.get_data(as_text=True)
    bad = client.post("/network/membership", data={"membership_type_id": "999"})
    assert bad.status_code == 400 and "Not a valid choice" in bad.get_data(as_text=True)
    membership = db.session.query(Membership).one()

    auth.logout()
    auth.login(admin)
    page = client.get(f"/admin/members/{membership.id}").get_data(as_text=True)
    assert "Part of the network since" in page  # the evidence attached to the application
    assert client.post(f"/admin/members/{membership.id}/approve").status_code == 302
    twice = client.post(f"/admin/members/{membership.id}/approve")
    assert twice.status_code == 409
    assert "member already (number 1)" in twice.get_data(as_text=True)
    assert (
        client.post(f"/admin/members/{membership.id}/fee", data={"fee_status": "paid"}).status_code
        == 302
    )

    today = utcnow().date()
    listing = client.get(f"/admin/agm?on={today.isoformat()}")
    assert listing.status_code == 200 and "Ann Applicant" in listing.get_data(as_text=True)
    csv = client.get(f"/admin/agm.csv?on={today.isoformat()}").get_data(as_text=True)
    assert csv.splitlines()[1].startswith("1,Ann Applicant")
    future = client.get(f"/admin/agm?on={(today + timedelta(days=3)).isoformat()}")
    assert future.status_code == 400
    assert "cannot be in the future" in future.get_data(as_text=True)
    assert client.get("/admin/agm?on=not-a-date").status_code == 400
    assert client.get("/admin/agm.csv?on=2999-01-01").status_code == 400
    register = client.get("/admin/members.csv").get_data(as_text=True)
    assert "Ann Applicant" in register and "Member" in register


def test_membership_types_are_admin_editable(client: FlaskClient, auth: Auth) -> None:
    auth.login(make_person(is_admin=True))
    assert (
        client.post(
            "/admin/membership-types", data={"name": "Supporter", "is_open": "y"}
        ).status_code
        == 302
    )
    clash = client.post("/admin/membership-types", data={"name": "supporter"})
    assert clash.status_code == 400 and "already a membership type" in clash.get_data(as_text=True)
    supporter = db.session.query(MembershipType).one()
    assert (
        client.post(
            f"/admin/membership-types/{supporter.id}/edit", data={"name": "Supporters"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert supporter.name == "Supporters" and supporter.is_open is False


def test_reports_for_an_event_with_no_check_ins_answer_clearly(
    client: FlaskClient, auth: Auth
) -> None:
    organiser = make_person()
    camp = _past_camp("Quiet camp")
    make_role(camp, organiser, EventRoleName.ORGANISER)
    make_booking(make_ticket_type(camp), make_person())
    auth.login(organiser)
    page = client.get(f"/reports/events/{camp.slug}").get_data(as_text=True)
    assert "No check-ins were recorded" in page
    assert "lgcamp-chart__bar--h20" in page  # booked bar at full height
    csv = client.get(f"/reports/events/{camp.slug}/figures.csv").get_data(as_text=True)
    assert csv.splitlines()[1].split(",")[2:6] == ["1", "0", "", ""]
    index = client.get("/reports").get_data(as_text=True)
    assert "Quiet camp" in index


def test_merge_refuses_self_and_logs(client: FlaskClient, auth: Auth) -> None:
    admin = make_person(is_admin=True)
    one = make_person(email="one@example.org")
    two = make_person(email="two@example.org")
    auth.login(admin)
    self_merge = client.post(
        "/admin/merge",
        data={"keep_email": one.email, "merge_email": one.email, "confirm": "y"},
    )
    assert self_merge.status_code == 400
    assert "cannot be merged into itself" in self_merge.get_data(as_text=True)
    unknown = client.post(
        "/admin/merge",
        data={"keep_email": one.email, "merge_email": "nobody@example.org", "confirm": "y"},
    )
    assert unknown.status_code == 400 and "no account" in unknown.get_data(as_text=True)
    done = client.post(
        "/admin/merge", data={"keep_email": one.email, "merge_email": two.email, "confirm": "y"}
    )
    assert done.status_code == 302
    log_page = client.get("/admin/merge").get_data(as_text=True)
    assert "two@example.org" in log_page and "one@example.org" in log_page
    assert db.session.query(Person).filter_by(email="two@example.org").count() == 0


def test_status_rule_form(client: FlaskClient, auth: Auth) -> None:
    auth.login(make_person(is_admin=True))
    assert (
        client.post("/admin/network/status-rule", data={"window_months": "36"}).status_code == 302
    )
    assert "36 months" in client.get("/admin/network/status-rule").get_data(as_text=True)
    bad = client.post("/admin/network/status-rule", data={"window_months": "0"})
    assert "between 1 and 240" in bad.get_data(as_text=True)
    assert db.session.query(Membership).filter_by(status=MembershipStatus.ACTIVE).count() == 0

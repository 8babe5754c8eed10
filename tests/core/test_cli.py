"""The lgcamp command: demo seeding, create-admin, the mail worker."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from lgcamp import mail
from lgcamp.accounts.models import Person
from lgcamp.events.models import Event, EventStatus
from lgcamp.extensions import db
from lgcamp.transaction import commit
from tests.conftest import Mailbox


def test_create_admin_creates_or_promotes(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "Boss@Example.org",
            "--name",
            "Boss",
            "--password",
            "long enough pw",
        ]
    )
    assert result.exit_code == 0, result.output
    person = db.session.scalar(select(Person))
    assert person is not None and person.is_admin and person.email == "boss@example.org"
    short = runner.invoke(
        args=["create-admin", "--email", "x@example.org", "--name", "X", "--password", "short"]
    )
    assert short.exit_code != 0
    assert "at least 10 characters" in short.output


def test_demo_seed_only_on_first_run(app: Flask, runner: FlaskCliRunner) -> None:
    app.config["MAIL_SERVER"] = None
    db.drop_all()  # the demo migrates an empty database itself
    first = runner.invoke(args=["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "Seeding demo data" in first.output
    for role in ["admin", "organiser", "volunteer", "attendee"]:
        assert f"{role}@demo.lgcamp" in first.output
    people = db.session.scalar(select(func.count(Person.id)))
    assert people is not None and people >= 300
    kinds = {e.kind.value for e in db.session.scalars(select(Event))}
    assert {"localgovcamp", "notwestminster", "fringe"} <= kinds
    assert db.session.scalar(select(Event).where(Event.status == EventStatus.DRAFT))
    second = runner.invoke(args=["demo", "--no-serve"])
    assert "Seeding" not in second.output
    assert db.session.scalar(select(func.count(Person.id))) == people


def test_mail_worker_sends_what_requests_left_queued(
    app: Flask, runner: FlaskCliRunner, mailbox: Mailbox
) -> None:
    app.config["MAIL_SEND_AFTER_COMMIT"] = False
    for n in range(3):
        mail.queue(db.session, mail.compose(f"p{n}@example.org", f"Hello {n}", "Text"))
    commit()  # as a request commits: nothing is sent now
    assert mailbox.messages == []
    result = runner.invoke(args=["mail-worker", "--interval", "0.01", "--max-loops", "2"])
    assert result.exit_code == 0, result.output
    assert "sent 3 email(s)" in result.output
    assert sorted(str(m["To"]) for m in mailbox.messages) == [
        "p0@example.org",
        "p1@example.org",
        "p2@example.org",
    ]
    statuses = db.session.scalars(select(mail.OutboundEmail.status)).all()
    assert statuses == ["sent"] * 3

"""The lgcamp command: demo seeding, create-admin."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from lgcamp.accounts.models import Person
from lgcamp.events.models import Event, EventStatus
from lgcamp.extensions import db


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

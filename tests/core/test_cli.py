"""The lgcamp command: demo seeding, create-admin, the mail worker."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select, text, update
from werkzeug.serving import make_ssl_devcert

from lgcamp import cli, mail
from lgcamp.accounts.models import Person
from lgcamp.database import utcnow
from lgcamp.events.models import Event, EventStatus
from lgcamp.extensions import db
from lgcamp.tickets import service as tickets
from lgcamp.tickets.models import Booking, BookingStatus, TicketType
from lgcamp.transaction import commit
from tests.conftest import Mailbox, body_text, free_port, wait_for


def empty_database() -> None:
    """Drop every table, the migrations' record too: the demo migrates an empty database
    itself (on PostgreSQL the test database outlives a test, and so would that record)."""
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


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
    assert "at least 12 characters" in short.output


def test_demo_seed_only_on_first_run(app: Flask, runner: FlaskCliRunner) -> None:
    app.config["MAIL_SERVER"] = None
    empty_database()
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


def test_demo_refuses_missing_or_unmatched_certificate_files(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    cert, key = make_ssl_devcert(str(tmp_path / "demo"), host="localhost")
    other_cert, _other_key = make_ssl_devcert(str(tmp_path / "other"), host="localhost")
    missing = runner.invoke(args=["demo", "--no-serve", "--cert", str(tmp_path / "no.pem"),
                                  "--key", key])  # fmt: skip
    assert missing.exit_code == 2
    assert "'--cert'" in missing.output and "does not exist" in missing.output
    alone = runner.invoke(args=["demo", "--no-serve", "--cert", cert])
    assert alone.exit_code == 2 and "--cert and --key go together" in alone.output
    unmatched = runner.invoke(args=["demo", "--no-serve", "--cert", other_cert, "--key", key])
    assert unmatched.exit_code == 2
    assert f"cannot serve with {other_cert} and {key}" in unmatched.output
    assert "Seeding" not in missing.output + alone.output + unmatched.output  # refused first


def test_demo_serves_with_the_given_certificate(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["MAIL_SERVER"] = None
    empty_database()
    cert, key = make_ssl_devcert(str(tmp_path / "demo"), host="localhost")
    served: dict[str, Any] = {}

    def run_simple(host: str, port: int, _app: Flask, **options: Any) -> None:
        served.update(host=host, port=port, **options)

    monkeypatch.setattr(cli, "run_simple", run_simple)
    result = runner.invoke(args=["demo", "--port", "8443", "--cert", cert, "--key", key])
    assert result.exit_code == 0, result.output
    assert "https://127.0.0.1:8443/events/" in result.output  # the scanner link
    assert f"Certificate: {cert}" in result.output
    context = served["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert (served["host"], served["port"]) == ("127.0.0.1", 8443)
    # The context really holds the certificate: a client trusting it completes a handshake.
    client = ssl.create_default_context(cafile=cert)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)) as raw:
            conn, _address = listener.accept()
            with conn:
                errors: list[BaseException] = []

                def serve() -> None:
                    try:
                        context.wrap_socket(conn, server_side=True).close()
                    except (ssl.SSLError, OSError) as error:  # a failed handshake fails below
                        errors.append(error)

                thread = threading.Thread(target=serve)
                thread.start()
                with client.wrap_socket(raw, server_hostname="localhost") as tls:
                    assert tls.version() is not None
                thread.join(timeout=10)
                assert not errors


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def test_demo_runs_the_timed_work_while_it_serves(
    app: Flask, mailbox: Mailbox, smtp_server: tuple[Mailbox, int], database_url: str,
    tmp_path: Path,
) -> None:  # fmt: skip
    """`lgcamp demo` (a real process and server): an offer that runs out is passed on by the
    background tick, and the emails it sends link to where the demo serves."""
    empty_database()
    db.session.commit()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LGCAMP_")}
    env |= {
        "LGCAMP_DATABASE_URL": database_url,
        "LGCAMP_INSTANCE_PATH": str(tmp_path / "demo-instance"),
        "LGCAMP_SECRET_KEY": "demo-test-secret",
        "LGCAMP_MAIL_SERVER": "127.0.0.1",
        "LGCAMP_MAIL_PORT": str(smtp_server[1]),
        "LGCAMP_SQLITE_BACKGROUND_CHECKPOINTS": "false",
    }
    script = "import sys; from lgcamp.console import main; sys.exit(main())"
    demo = subprocess.Popen(
        [sys.executable, "-c", script, "demo", "--port", str(port), "--tick-every", "0.2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(f"{base}/"), timeout=300, interval=0.2)
        # Someone gives their place back: it is offered to the first person waiting ...
        db.session.rollback()
        general = db.session.scalars(
            select(TicketType).join(Booking, Booking.ticket_type_id == TicketType.id)
            .where(Booking.status == BookingStatus.WAITLISTED)
        ).first()  # fmt: skip
        assert general is not None
        holder = db.session.scalars(
            select(Booking).where(Booking.ticket_type_id == general.id,
                                  Booking.status == BookingStatus.CONFIRMED,
                                  Booking.checked_in_at.is_(None))
        ).first()  # fmt: skip
        assert holder is not None
        tickets.release_booking(db.session, None, holder)
        first, second = tickets.waitlist(db.session, general)[:2]
        assert first.status == BookingStatus.OFFERED
        first_id, first_email = first.id, first.person.email
        second_id, second_email = second.id, second.person.email
        db.session.commit()  # queued, not sent: the demo's timed work sends it
        # ... who lets it run out (as if two days went by): the timed work passes it on.
        db.session.execute(
            update(Booking).where(Booking.id == first_id)
            .values(offer_expires_at=utcnow() - timedelta(minutes=1))
        )  # fmt: skip
        db.session.commit()
        db.session.close()  # on SQLite an open transaction would hold the demo's write lock

        def claim_it(address: str) -> list[Any]:
            return [m for m in mailbox.to(address) if "claim it" in str(m["Subject"])]

        offer = wait_for(lambda: claim_it(second_email), timeout=60)[-1]
        assert f"{base}/bookings/{second_id}" in body_text(offer)
        expired = wait_for(
            lambda: [m for m in mailbox.to(first_email) if "expired" in str(m["Subject"])],
            timeout=60,
        )[-1]
        assert "passed to the next person on the waitlist" in body_text(expired)
    finally:
        demo.send_signal(signal.SIGINT)
        output, _ = demo.communicate(timeout=120)
        print(output)  # shown when the test fails
    assert demo.returncode == 0, output
    assert f"Serving on {base}" in output and "Timed work (lgcamp tick) runs every" in output
    assert "[tick] offers: " in output and "[tick] sent " in output
    assert output.rstrip().endswith("Stopped serving and the timed work.")

"""Email goes through real SMTP, is queued in the transaction, and is retried by tick."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from lgcamp import mail
from lgcamp.extensions import db
from lgcamp.transaction import commit
from tests.conftest import Mailbox, body_text, free_port


def test_queued_mail_is_sent_over_smtp_after_commit(app: Flask, mailbox: Mailbox) -> None:
    message = mail.compose(
        "Someone@example.org",
        "Hello",
        "Plain body",
        attachments=[("event.ics", "text/calendar", b"BEGIN:VCALENDAR")],
    )
    mail.queue(db.session, message)
    assert mailbox.messages == []  # nothing leaves before the commit
    commit()
    received = mailbox.last_to("someone@example.org")
    assert received["Subject"] == "Hello"
    assert body_text(received).strip() == "Plain body"
    attachment = next(received.iter_attachments())
    assert attachment.get_filename() == "event.ics"
    row = db.session.scalar(select(mail.OutboundEmail))
    assert row is not None and row.status == "sent" and row.attempts == 1


def test_rolled_back_mail_is_never_sent(app: Flask, mailbox: Mailbox) -> None:
    mail.queue(db.session, mail.compose("a@example.org", "Nope", "x"))
    db.session.rollback()
    commit()
    assert mailbox.messages == []
    assert db.session.scalar(select(mail.OutboundEmail)) is None


def test_dedupe_key_makes_retries_send_once(app: Flask, mailbox: Mailbox) -> None:
    for _ in range(3):
        mail.queue(db.session, mail.compose("a@example.org", "Once", "x"), dedupe_key="news:1:a")
        commit()
    assert len(mailbox.to("a@example.org")) == 1


def test_failed_send_stays_pending_and_tick_retries(
    app: Flask, mailbox: Mailbox, runner: FlaskCliRunner
) -> None:
    real_port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # nothing listens there: the send fails
    mail.queue(db.session, mail.compose("later@example.org", "Retry me", "x"))
    commit()
    row = db.session.scalar(select(mail.OutboundEmail))
    assert row is not None and row.status == "pending" and row.last_error
    app.config["MAIL_PORT"] = real_port
    result = runner.invoke(args=["tick"])
    assert "sent 1 email" in result.output
    assert mailbox.last_to("later@example.org")["Subject"] == "Retry me"
    result = runner.invoke(args=["tick"])
    assert "sent 0 email" in result.output


def test_development_outbox_writes_eml_files(app: Flask, tmp_path: Path) -> None:
    app.config["MAIL_SERVER"] = None
    app.instance_path = str(tmp_path)
    mail.queue(db.session, mail.compose("dev@example.org", "Dev mail", "x"))
    commit()
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1
    assert b"Subject: Dev mail" in files[0].read_bytes()


def _render_note(session: Session, ref_id: int, variant: str) -> EmailMessage | None:
    if ref_id == 0:
        return None  # its record is gone
    return mail.compose("lazy@example.org", "Note", f"note {ref_id} ({variant}) built at send")


def test_lazy_mail_is_built_by_its_renderer_when_sent(app: Flask, mailbox: Mailbox) -> None:
    mail.register_renderer("test.note", _render_note)
    mail.queue_later(db.session, "test.note", 7, "lazy@example.org", "Note", variant="v")
    row = db.session.scalar(select(mail.OutboundEmail))
    assert row is not None and row.raw == b""  # nothing built inside the transaction
    commit()
    assert body_text(mailbox.last_to("lazy@example.org")).strip() == "note 7 (v) built at send"
    db.session.refresh(row)
    assert row.status == "sent" and row.attempts == 1


def test_lazy_mail_whose_record_is_gone_is_dropped(app: Flask, mailbox: Mailbox) -> None:
    mail.register_renderer("test.note", _render_note)
    mail.queue_later(db.session, "test.note", 0, "gone@example.org", "Note")
    commit()
    assert mailbox.to("gone@example.org") == []
    row = db.session.scalar(select(mail.OutboundEmail))
    assert row is not None and row.status == "dropped"


def test_unknown_kind_is_refused_when_queued(app: Flask) -> None:
    with pytest.raises(KeyError):
        mail.queue_later(db.session, "test.nobody", 1, "x@example.org", "x")

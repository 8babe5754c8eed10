"""Email: compose, queue inside the caller's transaction, send after commit.

A message is stored as an ``OutboundEmail`` row in the same transaction as the change that
caused it, so a rolled-back request sends nothing, and a failed send is retried by
``lgcamp tick``. Sending claims the row first, so concurrent senders never send it twice.
With ``MAIL_SERVER`` set, messages go over SMTP; otherwise they are written as ``.eml``
files to ``instance/outbox/`` (development).
"""

from __future__ import annotations

import email.policy
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app
from sqlalchemy import Integer, LargeBinary, String, Text, inspect, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from lgcamp.database import Base, UTCDateTime, utcnow

# SMTP lines end in CRLF; smtplib converts bare LFs only in str messages, so a message of
# more than 1,000 bytes stored with LFs reaches the server as one line. Made once: a policy
# clone builds its own header classes, which costs milliseconds per message.
SMTP_POLICY = email.policy.default.clone(linesep="\r\n")
MAX_ATTEMPTS = 8
CLAIM_TIMEOUT = timedelta(minutes=5)


class OutboundEmail(Base):
    """One message waiting to be sent, sent, or given up on."""

    __tablename__ = "outbound_email"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    # Unique when set: queuing the same logical message twice (a retried bulk send) is a no-op.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    message: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def compose(
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
) -> EmailMessage:
    """Build a message: plain text, optional HTML, and (filename, mime type, data) attachments."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="lgcamp.localgov")
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    for filename, mime_type, data in attachments or []:
        maintype, subtype = mime_type.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


def queue(session: Session, message: EmailMessage, dedupe_key: str | None = None) -> None:
    """Queue a message in the caller's transaction; it is sent after commit."""
    if dedupe_key is not None:
        exists = session.scalar(
            select(OutboundEmail.id).where(OutboundEmail.dedupe_key == dedupe_key)
        )
        if exists:
            return
    email = OutboundEmail(
        recipient=str(message["To"]),
        subject=str(message["Subject"]),
        dedupe_key=dedupe_key,
        message=message.as_bytes(policy=SMTP_POLICY),
    )
    session.add(email)
    session.info.setdefault("mail_queued", []).append(email)


def send_these(session: Session, emails: list[OutboundEmail]) -> int:
    """Send the messages a unit of work queued (after its commit); the rest wait for tick.

    Only these, not the whole backlog: under a rush, every request sweeping the backlog
    would fight over the same rows (and on SQLite over the write lock).
    """
    sent = 0
    # Rows from a rolled-back transaction are no longer persistent: they were never queued.
    for email_id in [e.id for e in emails if inspect(e).persistent]:
        if _claim(session, email_id):
            sent += _deliver(session, email_id)
    return sent


def send_queued(session: Session, limit: int = 200) -> int:
    """Send pending messages (and retry failed ones); return how many were sent."""
    now = utcnow()
    candidates = session.scalars(
        select(OutboundEmail.id)
        .where(
            (OutboundEmail.status == "pending")
            | (
                (OutboundEmail.status == "sending")
                & (OutboundEmail.claimed_at < now - CLAIM_TIMEOUT)
            )
        )
        .order_by(OutboundEmail.id)
        .limit(limit)
    ).all()
    session.commit()
    sent = 0
    for email_id in candidates:
        if _claim(session, email_id):
            sent += _deliver(session, email_id)
    return sent


def _claim(session: Session, email_id: int) -> bool:
    now = utcnow()
    result = session.execute(
        update(OutboundEmail)
        .where(OutboundEmail.id == email_id)
        .where(
            (OutboundEmail.status == "pending")
            | (
                (OutboundEmail.status == "sending")
                & (OutboundEmail.claimed_at < now - CLAIM_TIMEOUT)
            )
        )
        .values(status="sending", claimed_at=now, attempts=OutboundEmail.attempts + 1)
    )
    session.commit()
    return result.rowcount == 1


def _deliver(session: Session, email_id: int) -> int:
    email = session.get(OutboundEmail, email_id)
    assert email is not None
    try:
        transport(email.recipient, email.message)
    except (OSError, smtplib.SMTPException) as error:
        email.status = "failed" if email.attempts >= MAX_ATTEMPTS else "pending"
        email.last_error = repr(error)[:2000]
        current_app.logger.warning("mail %s to %s failed: %r", email.id, email.recipient, error)
        session.commit()
        return 0
    email.status = "sent"
    email.sent_at = utcnow()
    session.commit()
    return 1


def transport(recipient: str, raw: bytes) -> None:
    """Hand one message to SMTP, or write it to the development outbox."""
    config = current_app.config
    sender = _address_only(config["MAIL_DEFAULT_SENDER"])
    if not config.get("MAIL_SERVER"):
        _write_outbox(raw)
        return
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT"]
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(host, port, timeout=timeout) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.sendmail(sender, [recipient], raw)


def _write_outbox(raw: bytes) -> None:
    outbox = Path(current_app.instance_path) / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    (outbox / f"{stamp}.eml").write_bytes(raw)


def _address_only(value: str) -> str:
    return value.rsplit("<", 1)[-1].rstrip(">").strip()

"""Email: compose, queue inside the caller's transaction, send after commit (README.md).

``queue`` stores a message composed now; ``queue_later`` a small row naming its kind and
record, built by that kind's renderer when sent (outside the booking's transaction).
"""

from __future__ import annotations

import email.policy
import smtplib
import ssl
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, cast

from flask import current_app
from sqlalchemy import (
    CursorResult,
    Integer,
    LargeBinary,
    String,
    Text,
    case,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session

from lgcamp.database import Base, UTCDateTime, reading, utcnow

# SMTP lines end in CRLF; smtplib converts bare LFs only in str messages, so a message of
# more than 1,000 bytes stored with LFs reaches the server as one line. Made once: a policy
# clone builds its own header classes, which costs milliseconds per message.
SMTP_POLICY = email.policy.default.clone(linesep="\r\n")
MAX_ATTEMPTS = 8
CLAIM_TIMEOUT = timedelta(minutes=5)

# kind -> renderer(session, ref_id, variant): the message, or None when there is nothing to
# send any more (the record is gone). Features register theirs at import (see tickets/emails).
Renderer = Callable[[Session, int, str], EmailMessage | None]
RENDERERS: dict[str, Renderer] = {}


def register_renderer(kind: str, renderer: Renderer) -> None:
    """Let rows queued with ``queue_later(kind=...)`` be built by ``renderer`` when sent."""
    RENDERERS[kind] = renderer


class OutboundEmail(Base):
    """One message waiting to be sent, sent, or given up on."""

    __tablename__ = "outbound_email"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    # Unique when set: queuing the same logical message twice (a retried bulk send) is a no-op.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # The message as sent over SMTP; empty for a row rendered when sent (kind is set).
    raw: Mapped[bytes] = mapped_column("message", LargeBinary, default=b"")
    kind: Mapped[str] = mapped_column(String(40), default="", server_default="")
    ref_id: Mapped[int | None] = mapped_column(Integer)
    variant: Mapped[str] = mapped_column(String(32), default="", server_default="")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def message(self) -> bytes:
        """The message bytes: stored, or built now by its kind's renderer (b"" if none)."""
        if not self.kind:
            return self.raw
        session = object_session(self)
        assert session is not None, "render a queued message through its session"
        return render(session, self) or b""


def render(session: Session, email: OutboundEmail) -> bytes | None:
    """The bytes to send for this row; None when its renderer says there is nothing to send."""
    if not email.kind:
        return email.raw
    assert email.ref_id is not None
    message = RENDERERS[email.kind](session, email.ref_id, email.variant)
    return None if message is None else message.as_bytes(policy=SMTP_POLICY)


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
        raw=message.as_bytes(policy=SMTP_POLICY),
    )
    session.add(email)
    session.info.setdefault("mail_queued", []).append(email)


def queue_later(
    session: Session,
    kind: str,
    ref_id: int,
    to: str,
    subject: str,
    variant: str = "",
    dedupe_key: str | None = None,
) -> None:
    """Queue a message that the renderer registered for ``kind`` builds when it is sent."""
    if kind not in RENDERERS:
        raise KeyError(f"no mail renderer registered for {kind!r}")
    if dedupe_key is not None and session.scalar(
        select(OutboundEmail.id).where(OutboundEmail.dedupe_key == dedupe_key)
    ):
        return
    email = OutboundEmail(
        recipient=to,
        subject=subject,
        dedupe_key=dedupe_key,
        raw=b"",
        kind=kind,
        ref_id=ref_id,
        variant=variant,
    )
    session.add(email)
    session.info.setdefault("mail_queued", []).append(email)


def claim_in_transaction(session: Session, emails: list[OutboundEmail]) -> list[int]:
    """Claim these just-queued rows inside the caller's transaction; return their ids.

    The caller sends them right after its commit; should the process die before sending, the
    claim times out (CLAIM_TIMEOUT) and ``lgcamp tick`` sends them.
    """
    session.flush()
    ids = [email.id for email in emails if email in session and inspect(email).persistent]
    if ids:
        # In the caller's transaction: no separate write transaction per request.
        session.execute(
            update(OutboundEmail)
            .where(OutboundEmail.id.in_(ids), OutboundEmail.status == "pending")
            .values(status="sending", claimed_at=utcnow(), attempts=OutboundEmail.attempts + 1)
            .execution_options(synchronize_session=False)
        )
    return ids


def send_claimed(session: Session, email_ids: list[int]) -> int:
    """Send rows this process claimed (``claim_in_transaction``) after their commit."""
    return sum(_deliver(session, email_id) for email_id in email_ids)


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
    # Claimed and committed before sending, so concurrent senders never send a message twice.
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
    return cast("CursorResult[Any]", result).rowcount == 1


def _deliver(session: Session, email_id: int) -> int:
    # Loading and rendering (a QR code, an .ics file) only read: on SQLite they must not hold
    # the write lock that bookings wait for; only recording the outcome writes.
    with reading():
        email = session.get(OutboundEmail, email_id)
        assert email is not None
        recipient = email.recipient
        raw = render(session, email)
        session.rollback()
    if raw is None:
        _record(
            session,
            email_id,
            {"status": "dropped", "last_error": "nothing to send: its record is gone"},
        )
        return 0
    try:
        transport(recipient, raw)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("mail %s to %s failed: %r", email_id, recipient, error)
        outcome: dict[str, object] = {
            "status": case((OutboundEmail.attempts >= MAX_ATTEMPTS, "failed"), else_="pending"),
            "last_error": repr(error)[:2000],
        }
        _record(session, email_id, outcome)
        return 0
    _record(session, email_id, {"status": "sent", "sent_at": utcnow()})
    return 1


def _record(session: Session, email_id: int, values: Mapping[str, object]) -> None:
    session.execute(
        update(OutboundEmail)
        .where(OutboundEmail.id == email_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


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

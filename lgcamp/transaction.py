"""The one commit per unit of work, and the side effects that must wait for it."""

from __future__ import annotations

from flask import current_app

from lgcamp import mail
from lgcamp.extensions import db


def commit() -> None:
    """Commit the request's transaction, then send the email it queued (``mail.queue``,
    ``mail.queue_later``), at most 20 messages; `lgcamp tick` sends the rest.
    """
    queued = db.session.info.pop("mail_queued", [])
    claimed: list[int] = []
    if queued and current_app.config["MAIL_SEND_AFTER_COMMIT"]:
        # Claimed inside this transaction (one UPDATE), not in one of their own: one write
        # transaction fewer per request. Only this request's messages, not the backlog: under
        # a rush, every request sweeping the backlog would fight over the same rows.
        claimed = mail.claim_in_transaction(db.session, queued[:20])
    db.session.commit()
    if claimed:
        mail.send_claimed(db.session, claimed)

"""The one commit per unit of work, and the side effects that must wait for it."""

from __future__ import annotations

from flask import current_app

from lgcamp import mail
from lgcamp.extensions import db


def commit() -> None:
    """Commit the request's transaction, then send any email it queued.

    The messages sent afterwards are claimed inside the transaction itself (one UPDATE)
    rather than in a transaction of their own: one write transaction fewer per request.
    Only this request's messages, and at most 20, not the backlog: under a rush, every
    request sweeping the backlog would fight over the same rows; `lgcamp tick` sends the rest.
    They are those queued through the session (``mail.queue``, ``mail.queue_later``).
    """
    queued = db.session.info.pop("mail_queued", [])
    claimed: list[int] = []
    if queued and current_app.config["MAIL_SEND_AFTER_COMMIT"]:
        claimed = mail.claim_in_transaction(db.session, queued[:20])
    db.session.commit()
    if claimed:
        mail.send_claimed(db.session, claimed)

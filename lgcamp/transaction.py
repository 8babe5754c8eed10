"""The one commit per unit of work, and the side effects that must wait for it."""

from __future__ import annotations

import threading

from flask import Flask, current_app

from lgcamp import mail
from lgcamp.extensions import db

# Messages a request sends itself after its commit; any more (a capacity raise's offers, a
# bulk email) go at once on a thread, so the request does not wait for them all.
SENT_IN_REQUEST = 20


def commit() -> None:
    """Commit the request's transaction, then send the email it queued (``mail.queue``,
    ``mail.queue_later``): the first 20 here, the rest at once on a thread of this process.
    """
    queued = db.session.info.pop("mail_queued", [])
    claimed: list[int] = []
    if queued and current_app.config["MAIL_SEND_AFTER_COMMIT"]:
        # Claimed inside this transaction (one UPDATE), not in one of their own: one write
        # transaction fewer per request. Only this request's messages, not the backlog: under
        # a rush, every request sweeping the backlog would fight over the same rows.
        claimed = mail.claim_in_transaction(db.session, queued)
    db.session.commit()
    if len(claimed) > SENT_IN_REQUEST:
        send_in_background(current_app._get_current_object(), claimed[SENT_IN_REQUEST:])  # type: ignore[attr-defined]
    if claimed:
        mail.send_claimed(db.session, claimed[:SENT_IN_REQUEST])


def send_in_background(app: Flask, email_ids: list[int]) -> threading.Thread:
    """Send these claimed messages on a thread with its own session; should the process end
    first, their claim times out and `lgcamp tick` sends them."""

    def send() -> None:
        with app.app_context():  # its session is removed when the context ends
            mail.send_claimed(db.session, email_ids)

    thread = threading.Thread(target=send, name="lgcamp-mail-after-commit", daemon=True)
    thread.start()
    return thread

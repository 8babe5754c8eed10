"""The one commit per unit of work, and the side effects that must wait for it."""

from __future__ import annotations

from flask import current_app

from lgcamp import mail
from lgcamp.extensions import db


def commit() -> None:
    """Commit the request's transaction, then send any email it queued."""
    queued = db.session.info.pop("mail_queued", [])
    db.session.commit()
    if queued and current_app.config["MAIL_SEND_AFTER_COMMIT"]:
        mail.send_these(db.session, queued[:20])

"""The secret token behind a person's personal calendar feed."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lgcamp.database import Base, UTCDateTime, utcnow
from lgcamp.events.models import Event


def new_feed_token() -> str:
    """192 random bits, URL-safe: 32 characters, no personal data."""
    return secrets.token_urlsafe(24)


def hash_feed_token(token: str) -> str:
    """How feed tokens are looked up."""
    return hashlib.sha256(token.encode()).hexdigest()


class FeedToken(Base):
    """One person's personal feed token; rotating replaces it and the old URL stops working.

    The token is kept so that its owner can see their feed address again on the account page
    (as calendar services show a "secret address"); lookups go through the hash, as for tickets.
    """

    __tablename__ = "feed_token"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def rotate(self) -> str:
        """Give the feed a new token; the old one no longer finds anyone."""
        self.token = new_feed_token()
        self.token_hash = hash_feed_token(self.token)
        self.created_at = utcnow()
        return self.token


# The network feed's validator asks for the latest change to any event on every poll; this
# index answers that without reading the table. Declared here, with the feature that needs it.
ix_event_updated_at = Index("ix_event_updated_at", Event.updated_at)

"""People: one account per person, email unique case-insensitively."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lgcamp.database import Base, UTCDateTime, utcnow


class Person(UserMixin, Base):
    """Someone with an account: attendee by default, organiser of events, or network admin."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stored lower-cased, so the unique constraint is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    organisation: Mapped[str] = mapped_column(String(160), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.email}>"

    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        """The same person, however loaded (UserMixin would compare get_id, the sign-in key)."""
        if not isinstance(other, Person):
            return NotImplemented
        return self is other if self.id is None else self.id == other.id

    def get_id(self) -> str:
        """Flask-Login's id for the session and remember cookies: the key of this browser's
        sign-in (accounts.sessions), never the bare person id, so that ending it ends both."""
        key: str | None = getattr(self, "_sign_in_key", None)
        if key is None:
            raise NotImplementedError("sign people in through accounts.sessions.start")
        return key

    def use_sign_in(self, key: str) -> None:
        """Mark this loaded person as signed in through the sign-in with this key."""
        self._sign_in_key = key


class SignIn(Base):
    """One signed-in browser. Its session and remember-me cookies carry this row's key, so
    deleting the row (sign-out, a password change or reset, "sign out everywhere") ends them,
    copies included."""

    __tablename__ = "sign_in"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the key's secret part: a copy of the database signs no one in.
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

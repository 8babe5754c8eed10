"""Every model, imported in one place so that the metadata (Alembic, create_all) is complete."""

from lgcamp.accounts.models import Person
from lgcamp.events.models import Event, EventRole
from lgcamp.feeds.models import FeedToken
from lgcamp.mail import OutboundEmail
from lgcamp.programme.models import (
    CampSession,
    GridChange,
    ProgrammeState,
    Room,
    RoomFullFlag,
    SessionHost,
    Star,
    TimeSlot,
)
from lgcamp.tickets.models import Booking, TicketType

__all__ = [
    "Booking",
    "CampSession",
    "Event",
    "EventRole",
    "FeedToken",
    "GridChange",
    "OutboundEmail",
    "Person",
    "ProgrammeState",
    "Room",
    "RoomFullFlag",
    "SessionHost",
    "Star",
    "TicketType",
    "TimeSlot",
]

"""Every model, imported in one place so that the metadata (Alembic, create_all) is complete."""

from lgcamp.accounts.models import Person, SignIn
from lgcamp.checkin.models import CheckIn, ScanLog, ScannerLink, WalkInRecord
from lgcamp.events.models import Event, EventChange, EventRole
from lgcamp.feeds.models import FeedToken
from lgcamp.mail import OutboundEmail
from lgcamp.participation.models import (
    AccountMerge,
    Membership,
    MembershipType,
    ParticipationSetting,
    RecordShare,
)
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
from lgcamp.tickets.models import (
    Answer,
    AnswerTotal,
    BallotDraw,
    Booking,
    BulkEmail,
    Question,
    TicketSettings,
    TicketType,
    Transfer,
)

__all__ = [
    "AccountMerge",
    "Answer",
    "AnswerTotal",
    "BallotDraw",
    "Booking",
    "BulkEmail",
    "CampSession",
    "CheckIn",
    "Event",
    "EventChange",
    "EventRole",
    "FeedToken",
    "GridChange",
    "Membership",
    "MembershipType",
    "OutboundEmail",
    "ParticipationSetting",
    "Person",
    "ProgrammeState",
    "Question",
    "RecordShare",
    "Room",
    "RoomFullFlag",
    "ScanLog",
    "ScannerLink",
    "SessionHost",
    "SignIn",
    "Star",
    "TicketSettings",
    "TicketType",
    "TimeSlot",
    "Transfer",
    "WalkInRecord",
]

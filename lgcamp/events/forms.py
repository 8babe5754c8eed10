"""The event form: shape checks (dates, lengths, timezone); rules live in the service."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from lgcamp.events.models import (
    CHECK_IN_CLOSES_MINUTES,
    CHECK_IN_OPENS_MINUTES,
    EventKind,
    EventStatus,
)


def _valid_timezone(_form: FlaskForm, field: StringField) -> None:
    value = (field.data or "").strip()
    try:
        if not value or ("/" not in value and value != "UTC"):
            raise ZoneInfoNotFoundError(value)
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(
            "Enter a timezone from the tz database, like Europe/London"
        ) from error


class EventForm(FlaskForm):
    """Create or edit an event; times are in the event's own timezone."""

    name = StringField(
        "Event name",
        validators=[
            DataRequired("Enter the event name"),
            Length(max=120, message="Event name must be 120 characters or fewer"),
        ],
    )
    kind = SelectField(
        "Kind of event",
        choices=[SelectChoice(k.value, k.label) for k in EventKind],
        validators=[DataRequired("Select the kind of event")],
    )
    status = SelectField(
        "Status",
        choices=[
            SelectChoice(EventStatus.DRAFT.value, "Draft (only organisers can see it)"),
            SelectChoice(EventStatus.PUBLISHED.value, "Published"),
            SelectChoice(EventStatus.CANCELLED.value, "Cancelled"),
        ],
        default=EventStatus.DRAFT.value,
    )
    summary = StringField(
        "Summary",
        validators=[Optional(), Length(max=280, message="Summary must be 280 characters or fewer")],
        description="One or two sentences for event lists",
    )
    description = TextAreaField(
        "Description",
        validators=[
            Optional(),
            Length(max=20000, message="Description must be 20,000 characters or fewer"),
        ],
        description="You can use Markdown: **bold**, [links](https://example.org), lists",
    )
    venue_name = StringField(
        "Venue",
        validators=[Optional(), Length(max=160, message="Venue must be 160 characters or fewer")],
    )
    venue_address = TextAreaField(
        "Venue address",
        validators=[
            Optional(),
            Length(max=1000, message="Address must be 1,000 characters or fewer"),
        ],
    )
    access_info = TextAreaField(
        "Access information",
        validators=[
            Optional(),
            Length(max=5000, message="Access information must be 5,000 characters or fewer"),
        ],
        description="Step-free routes, accessible toilets, quiet room, hearing loop, parking",
    )
    start_date = DateField(
        "Start date", validators=[DataRequired("Enter a real start date, like 2027-03-14")]
    )
    start_time = TimeField(
        "Start time", validators=[DataRequired("Enter a real start time, like 09:30")]
    )
    end_date = DateField(
        "End date", validators=[DataRequired("Enter a real end date, like 2027-03-14")]
    )
    end_time = TimeField("End time", validators=[DataRequired("Enter a real end time, like 17:00")])
    timezone = StringField(
        "Timezone",
        default="Europe/London",
        validators=[DataRequired("Enter a timezone"), Length(max=64), _valid_timezone],
    )
    check_in_opens_minutes = IntegerField(
        "Check-in opens, minutes before the start",
        default=CHECK_IN_OPENS_MINUTES,
        description="180 is 3 hours (the default, if left empty). The door refuses scans before.",
        validators=[
            Optional(),
            NumberRange(min=0, max=2880, message="Enter a number of minutes from 0 to 2880"),
        ],
    )
    check_in_closes_minutes = IntegerField(
        "Check-in closes, minutes after the end",
        default=CHECK_IN_CLOSES_MINUTES,
        description="0 (the default, if left empty) closes check-in when the event ends.",
        validators=[
            Optional(),
            NumberRange(min=0, max=1440, message="Enter a number of minutes from 0 to 1440"),
        ],
    )


class EditEventForm(EventForm):
    """Edit an event, and say what happens to the programme if its date or time changes."""

    slots = RadioField(
        "If the date or start time changes, what happens to the programme's time slots?",
        choices=[
            SelectChoice("move", "Move them with the event (the day keeps its shape)"),
            SelectChoice("keep", "Leave them where they are (I will change them myself)"),
        ],
        default="move",
        validators=[DataRequired("Choose what happens to the programme's time slots")],
    )


class CancelEventForm(FlaskForm):
    """Cancel an event: the reason goes to everyone with or waiting for a place."""

    reason = TextAreaField(
        "Message to people with a place or on the waitlist",
        description="Why the event is cancelled, and anything they should know "
        "(for example where it might happen instead)",
        validators=[
            DataRequired("Enter a message for the people who booked"),
            Length(max=2000, message="The message must be 2,000 characters or fewer"),
        ],
    )
    confirm = BooleanField(
        "I understand everyone with a place or on the waitlist will be emailed now",
        validators=[DataRequired("Confirm that everyone who booked will be emailed")],
    )


class OrganiserForm(FlaskForm):
    """Add an organiser by the email of their account."""

    email = EmailField(
        "Email address of their account",
        validators=[
            DataRequired("Enter an email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email("Enter an email address in the correct format, like name@example.org"),
        ],
    )

"""Programme forms: shape checks only; the rules (tickets, cells, versions) live in the services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from lgcamp.inputs import BoundedIntegerField, bounded_int
from lgcamp.programme.models import SessionFormat, SlotKind
from lgcamp.programme.service import ACCESSIBILITY_MAX, DESCRIPTION_MAX, NOTES_URL_MAX, TITLE_MAX


class _ClearDateField(DateField):
    """A date field whose parse error says what to type."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter the day as a date, like 2026-06-13") from error


class _ClearTimeField(TimeField):
    """A time field whose parse error says what to type."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter the time as hours and minutes, like 10:00") from error


FORMAT_CHOICES = [SelectChoice(f.value, f.label) for f in SessionFormat]
TITLE_VALIDATORS = [
    DataRequired("Enter a title for the session"),
    Length(max=TITLE_MAX, message=f"Title must be {TITLE_MAX} characters or fewer"),
]


class PitchForm(FlaskForm):
    """Pitch a session, or edit your pitch."""

    title = StringField("Session title", validators=TITLE_VALIDATORS)
    description = TextAreaField(
        "What is it about?",
        validators=[
            Optional(),
            Length(
                max=DESCRIPTION_MAX,
                message=f"Description must be {DESCRIPTION_MAX:,} characters or fewer",
            ),
        ],
    )
    format = SelectField("Format", choices=FORMAT_CHOICES, default=SessionFormat.DISCUSSION.value)
    accessibility = TextAreaField(
        "Accessibility considerations",
        description="For example: slides shared in advance, step-free room needed, no video",
        validators=[
            Optional(),
            Length(
                max=ACCESSIBILITY_MAX,
                message=f"Accessibility notes must be {ACCESSIBILITY_MAX:,} characters or fewer",
            ),
        ],
    )
    co_hosts = TextAreaField(
        "Co-hosts (optional)",
        description="Their names, one a line; or their email addresses, to invite them",
        validators=[
            Optional(),
            Length(max=1000, message="Co-hosts must be 1,000 characters or fewer"),
        ],
    )


class QueuePitchForm(FlaskForm):
    """The fast pitch-queue form for organisers and volunteers on the day."""

    host = StringField(
        "Host",
        description="Their name, or the email address of their account. "
        "Someone without an account yet is added by name and linked later.",
        validators=[
            DataRequired("Enter the host's name or email address"),
            Length(max=254, message="Host must be 254 characters or fewer"),
        ],
    )
    title = StringField("Session title", validators=TITLE_VALIDATORS)
    format = SelectField("Format", choices=FORMAT_CHOICES, default=SessionFormat.DISCUSSION.value)
    description = TextAreaField(
        "Description (optional)",
        validators=[
            Optional(),
            Length(
                max=DESCRIPTION_MAX,
                message=f"Description must be {DESCRIPTION_MAX:,} characters or fewer",
            ),
        ],
    )


class LinkHostForm(FlaskForm):
    """Link a host entered by name to their account."""

    account = StringField(
        "Their account",
        description="The name or email address of their account",
        validators=[
            DataRequired("Enter the name or email address of their account"),
            Length(max=254, message="Account must be 254 characters or fewer"),
        ],
    )


class HostForm(FlaskForm):
    """Add a co-host by name or email."""

    host = StringField(
        "Add a co-host",
        description="Their name, or their email address to invite them by email",
        validators=[
            DataRequired("Enter the co-host's name or email address"),
            Length(max=254, message="Co-host must be 254 characters or fewer"),
        ],
    )


class NotesForm(FlaskForm):
    """The shared notes link."""

    notes_url = StringField(
        "Link to the shared notes",
        description="A web address starting with https://. Leave empty to remove the link.",
        validators=[
            Optional(),
            Length(max=NOTES_URL_MAX, message=f"Links must be {NOTES_URL_MAX} characters or fewer"),
        ],
    )


class TookPlaceForm(FlaskForm):
    """Whether the session took place."""

    took_place = SelectField(
        "Did this session take place?",
        choices=[
            SelectChoice("auto", "Decide from the grid (yes once its slot has ended)"),
            SelectChoice("yes", "Yes, it took place"),
            SelectChoice("no", "No, it did not take place"),
        ],
        default="auto",
    )


class RoomForm(FlaskForm):
    """A room at the venue."""

    name = StringField(
        "Room name",
        validators=[
            DataRequired("Enter the room name"),
            Length(max=80, message="Room name must be 80 characters or fewer"),
        ],
    )
    capacity = BoundedIntegerField(
        "Capacity (seats)",
        validators=[
            InputRequired("Enter how many people the room seats"),
            NumberRange(min=1, max=10000, message="Capacity must be between 1 and 10,000"),
        ],
    )
    directions = StringField(
        "Floor and directions",
        validators=[
            Optional(),
            Length(max=200, message="Directions must be 200 characters or fewer"),
        ],
    )
    access_notes = TextAreaField(
        "Accessibility notes",
        validators=[
            Optional(),
            Length(max=2000, message="Notes must be 2,000 characters or fewer"),
        ],
    )
    sort_order = BoundedIntegerField(
        "Order on the grid",
        default=0,
        validators=[Optional(), NumberRange(min=0, max=1000, message="Order must be 0 to 1,000")],
    )


class SlotForm(FlaskForm):
    """A time slot, in the event's timezone."""

    day = _ClearDateField("Day", validators=[InputRequired("Enter the day, like 2026-06-13")])
    start_time = _ClearTimeField(
        "Starts", validators=[InputRequired("Enter the start time, like 10:00")]
    )
    end_time = _ClearTimeField("Ends", validators=[InputRequired("Enter the end time, like 10:45")])
    kind = SelectField("Kind", choices=[SelectChoice(k.value, k.label) for k in SlotKind])
    label = StringField(
        "Label (optional)",
        validators=[Optional(), Length(max=80, message="Label must be 80 characters or fewer")],
    )


class PlaceForm(FlaskForm):
    """Put a session into a room and slot (the no-JavaScript editor and the JSON editor)."""

    room_id = SelectField("Room", coerce=bounded_int, validate_choice=False)
    slot_id = SelectField("Time", coerce=bounded_int, validate_choice=False)
    version = BoundedIntegerField(validators=[InputRequired("Reload the grid and try again")])
    swap = BooleanField("If the cell is taken, swap the two sessions")
    swap_version = BoundedIntegerField(validators=[Optional()])


class VersionForm(FlaskForm):
    """A button that acts on the session as the organiser saw it."""

    version = HiddenField(validators=[Optional()])


class VolunteerForm(FlaskForm):
    """Add a volunteer by account email."""

    email = EmailField(
        "Volunteer's email address",
        validators=[
            DataRequired("Enter the volunteer's email address"),
            Email("Enter an email address like name@example.org"),
        ],
    )

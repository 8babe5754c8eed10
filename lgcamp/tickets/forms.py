"""Ticket forms: shape checks only; the rules (capacity, windows, ownership) live in services."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from lgcamp.inputs import BoundedIntegerField
from lgcamp.permissions import HELPER_ROLES
from lgcamp.tickets.answers import MAX_ANSWER, MAX_ORGANISATION, MAX_ROLE, BookingAnswers
from lgcamp.tickets.bulk_email import AUDIENCES
from lgcamp.tickets.models import (
    ORGANISERS_ONLY,
    AllocationMode,
    Question,
    QuestionKind,
    TicketType,
    TicketVisibility,
)


def select_choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


EMAIL_VALIDATORS = [
    DataRequired("Enter an email address"),
    Length(max=254, message="Email address must be 254 characters or fewer"),
    Email("Enter an email address in the correct format, like name@example.org"),
]


class BookingForm(FlaskForm):
    """Book a ticket: organisation, role, and the event's questions (added per event)."""

    organisation = StringField(
        "Organisation",
        validators=[
            Optional(),
            Length(max=MAX_ORGANISATION, message="Organisation must be 160 characters or fewer"),
        ],
        description="The council or organisation you work for",
    )
    job_role = StringField(
        "Your role",
        validators=[
            Optional(),
            Length(max=MAX_ROLE, message="Role must be 120 characters or fewer"),
        ],
        description="For example: developer, service designer, councillor",
    )
    secret = HiddenField()


def booking_form(questions: list[Question], **kwargs: object) -> BookingForm:
    """A BookingForm with a field per question (q_<id>); the service checks required ones."""

    class _Form(BookingForm):
        pass

    for question in questions:
        label = question.label + ("" if question.is_required else " (optional)")
        field: Field
        if question.kind == QuestionKind.CHOICE:
            field = RadioField(
                label,
                choices=select_choices([(o, o) for o in question.options]),
                validators=[Optional()],
                description=question.hint,
            )
        elif question.kind == QuestionKind.YES_NO:
            field = RadioField(
                label,
                choices=select_choices([("yes", "Yes"), ("no", "No")]),
                validators=[Optional()],
                description=question.hint,
            )
        else:
            field = TextAreaField(
                label,
                validators=[
                    Optional(),
                    Length(
                        max=MAX_ANSWER,
                        message=f"Your answer must be {MAX_ANSWER} characters or fewer",
                    ),
                ],
                description=question.hint,
            )
        setattr(_Form, f"q_{question.id}", field)
    return _Form(**kwargs)


def answers_from(form: BookingForm, questions: list[Question]) -> BookingAnswers:
    """The answers entered in a booking form."""
    values = {}
    for question in questions:
        data = getattr(form, f"q_{question.id}").data
        values[question.id] = str(data or "")
    return BookingAnswers(
        organisation=form.organisation.data or "",
        job_role=form.job_role.data or "",
        values=values,
    )


class TicketTypeForm(FlaskForm):
    """Create or edit a ticket type; times are in the event's timezone."""

    name = StringField(
        "Name",
        validators=[
            DataRequired("Enter a name"),
            Length(max=120, message="Name must be 120 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "Description",
        validators=[
            Optional(),
            Length(max=2000, message="Description must be 2,000 characters or fewer"),
        ],
    )
    capacity = BoundedIntegerField(
        "Capacity",
        validators=[
            Optional(),
            NumberRange(
                min=0, max=100000, message="Capacity must be a whole number from 0 to 100,000"
            ),
        ],
    )
    opens_date = DateField(
        "Booking opens (date)", validators=[Optional()], description="Leave empty to open now"
    )
    opens_time = TimeField("Booking opens (time)", validators=[Optional()])
    closes_date = DateField(
        "Booking closes (date)",
        validators=[Optional()],
        description="Leave empty to close when the event starts",
    )
    closes_time = TimeField("Booking closes (time)", validators=[Optional()])
    visibility = SelectField(
        "Visibility",
        choices=select_choices(
            [
                (TicketVisibility.PUBLIC.value, "Public: listed on the event page"),
                (
                    TicketVisibility.HIDDEN.value,
                    "Hidden: only through its private link (volunteers, sponsors)",
                ),
            ]
        ),
        default=TicketVisibility.PUBLIC.value,
    )
    allocation = SelectField(
        "Allocation",
        choices=select_choices(
            [
                (AllocationMode.FIRST_COME.value, "First come, first served"),
                (AllocationMode.BALLOT.value, "Ballot: a random draw when booking closes"),
            ]
        ),
        default=AllocationMode.FIRST_COME.value,
    )
    allow_transfer = BooleanField("Holders may transfer their ticket to a colleague", default=True)

    def validate_capacity(self, field: IntegerField) -> None:
        """Capacity is required (IntegerField gives None for empty or non-numbers)."""
        if field.data is None:
            raise ValidationError("Enter the number of places as a whole number, like 250")

    def fill_from(self, ticket_type: TicketType) -> None:
        """Show a ticket type's times in the event's timezone."""
        tz = ticket_type.event.tz
        for prefix, value in (("opens", ticket_type.opens_at), ("closes", ticket_type.closes_at)):
            if value is not None:
                local = value.astimezone(tz)
                getattr(self, f"{prefix}_date").data = local.date()
                getattr(self, f"{prefix}_time").data = local.time()
        self.visibility.data = ticket_type.visibility.value
        self.allocation.data = ticket_type.allocation.value


def local_to_utc(day: date | None, at: time | None, timezone: str) -> datetime | None:
    """A date and time in the event's timezone as aware UTC (None when no date)."""
    if day is None:
        return None
    return datetime.combine(day, at or time(0, 0), tzinfo=ZoneInfo(timezone)).astimezone(
        ZoneInfo("UTC")
    )


class CapacityForm(FlaskForm):
    """Change a ticket type's capacity."""

    capacity = BoundedIntegerField(
        "New capacity",
        validators=[
            NumberRange(
                min=0, max=100000, message="Capacity must be a whole number from 0 to 100,000"
            )
        ],
    )

    def validate_capacity(self, field: IntegerField) -> None:
        """Capacity is required."""
        if field.data is None:
            raise ValidationError("Enter the number of places as a whole number, like 250")


def visibility_choices() -> list[SelectChoice]:
    """Who may see a question's answers."""
    helpers = [(r, f"Organisers and the {label.lower()}") for r, label in HELPER_ROLES.items()]
    return select_choices([(ORGANISERS_ONLY, "Organisers only"), *helpers])


class QuestionForm(FlaskForm):
    """Add a question to the booking form."""

    label = StringField(
        "Question",
        validators=[
            DataRequired("Enter the question"),
            Length(max=200, message="Question must be 200 characters or fewer"),
        ],
    )
    hint = StringField(
        "Hint",
        validators=[Optional(), Length(max=300, message="Hint must be 300 characters or fewer")],
    )
    kind = SelectField(
        "Kind of answer",
        choices=select_choices(
            [
                (QuestionKind.TEXT.value, "Text"),
                (QuestionKind.CHOICE.value, "Choice from a list"),
                (QuestionKind.YES_NO.value, "Yes or no"),
            ]
        ),
    )
    choices = TextAreaField(
        "Choices, one per line",
        validators=[
            Optional(),
            Length(max=2000, message="Choices must be 2,000 characters or fewer"),
        ],
    )
    is_required = BooleanField("People must answer")
    visibility = SelectField("Who sees the answers", choices=visibility_choices())
    is_sensitive = BooleanField(
        "Sensitive: delete answers after the retention period, keeping totals", default=True
    )


class HelperForm(FlaskForm):
    """Give someone a helper role (catering, access lead) by account email."""

    email = EmailField("Email address of their account", validators=EMAIL_VALIDATORS)
    role = SelectField("Role", choices=select_choices(list(HELPER_ROLES.items())))


class EmailForm(FlaskForm):
    """Email one person (manual add, transfer)."""

    email = EmailField("Email address", validators=EMAIL_VALIDATORS)


class ManualAddForm(EmailForm):
    """An organiser adds a ticket for someone with an account."""

    ticket_type_id = SelectField("Ticket type", choices=[])


class BulkEmailForm(FlaskForm):
    """Email a group of attendees by status (and ticket type); sent once per form."""

    audience = RadioField(
        "Send to",
        choices=select_choices([(value, label) for value, (label, _where) in AUDIENCES.items()]),
        validators=[DataRequired("Choose who to send to")],
    )
    ticket_type = SelectField("Ticket type", choices=[], default="")
    subject = StringField(
        "Subject",
        validators=[
            DataRequired("Enter a subject"),
            Length(max=150, message="Subject must be 150 characters or fewer"),
        ],
    )
    body = TextAreaField(
        "Message",
        validators=[
            DataRequired("Enter a message"),
            Length(max=10000, message="Message must be 10,000 characters or fewer"),
        ],
    )
    send_again = BooleanField("Send it again: I know these people had this message already")
    send_key = HiddenField(
        validators=[
            DataRequired("This form is out of date: reload the page and try again"),
            Length(min=8, max=64, message="This form is out of date: reload the page"),
        ]
    )


class SettingsForm(FlaskForm):
    """The event's ticketing settings."""

    offer_hours = BoundedIntegerField(
        "Offers last (hours)",
        validators=[
            NumberRange(min=1, max=24 * 14, message="Enter a number of hours from 1 to 336")
        ],
    )
    offer_hours_near = BoundedIntegerField(
        "In the last week before the event, offers last (hours)",
        validators=[
            NumberRange(min=1, max=24 * 7, message="Enter a number of hours from 1 to 168")
        ],
    )
    reminder_days = BoundedIntegerField(
        "Reminder email, days before the event",
        validators=[
            Optional(),
            NumberRange(min=1, max=60, message="Enter a number of days from 1 to 60"),
        ],
        description="Leave empty for no reminder",
    )
    answer_retention_days = BoundedIntegerField(
        "Delete sensitive answers, days after the event",
        validators=[NumberRange(min=0, max=3650, message="Enter a number of days from 0 to 3650")],
    )
    reconfirm_days = BoundedIntegerField(
        "Ask people to reconfirm, days before the event",
        validators=[
            Optional(),
            NumberRange(min=2, max=90, message="Enter a number of days from 2 to 90"),
        ],
        description="Leave empty to turn reconfirmation off",
    )
    reconfirm_deadline_days = BoundedIntegerField(
        "Release unconfirmed places, days before the event",
        validators=[NumberRange(min=1, max=60, message="Enter a number of days from 1 to 60")],
    )
    door_release_minutes = BoundedIntegerField(
        "Release places not checked in, minutes after the start",
        validators=[
            Optional(),
            NumberRange(min=0, max=24 * 60, message="Enter a number of minutes from 0 to 1440"),
        ],
        description="Leave empty to turn door release off",
    )


class AttendeeFilterForm(FlaskForm):
    """Search and filters for the attendee list (a GET form: no CSRF)."""

    class Meta:
        csrf = False

    q = StringField("Search name, email or organisation", validators=[Optional(), Length(max=100)])
    ticket_type = SelectField("Ticket type", choices=[], validators=[Optional()])
    status = SelectField("Status", choices=[], validators=[Optional()])
    checked_in = SelectField(
        "Checked in",
        choices=select_choices([("", "Any"), ("yes", "Checked in"), ("no", "Not checked in")]),
        validators=[Optional()],
    )

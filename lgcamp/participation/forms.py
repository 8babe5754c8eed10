"""Participation forms: they check shape; the services check rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from lgcamp.inputs import BoundedIntegerField, bounded_int
from lgcamp.participation.models import FeeStatus, MembershipStatus

EMAIL_RULES = [
    DataRequired("Enter the email address of the account"),
    Length(max=254, message="Email address must be 254 characters or fewer"),
    Email("Enter an email address in the correct format, like name@example.org"),
]


class ShareForm(FlaskForm):
    """What the verification link shows besides the statement."""

    show_name = BooleanField("Your name")
    show_organisation = BooleanField("Your organisation")
    show_years = BooleanField("The years you took part")
    show_events = BooleanField("The events you took part in")


class StatusRuleForm(FlaskForm):
    """The window of the network status rule."""

    window_months = BoundedIntegerField(
        "Months of the window",
        description="A person is part of the network when they took part within this many "
        "months. For example, 24.",
        validators=[
            InputRequired("Enter a number of months, for example 24"),
            NumberRange(1, 240, "Enter a number of months between 1 and 240"),
        ],
    )


class ApplicationForm(FlaskForm):
    """Apply to join the co-op."""

    membership_type_id = SelectField(
        "Type of membership", coerce=bounded_int, validate_choice=True, choices=[]
    )
    statement = TextAreaField(
        "Why you would like to join (optional)",
        validators=[Optional(), Length(max=2000, message="Keep it to 2000 characters or fewer")],
    )

    def set_types(self, types: list[tuple[int, str]]) -> None:
        """Offer these membership types."""
        self.membership_type_id.choices = [SelectChoice(i, name) for i, name in types]


class MembershipTypeForm(FlaskForm):
    """Add or change a membership type."""

    name = StringField(
        "Name",
        validators=[
            DataRequired("Enter a name, for example Practitioner"),
            Length(max=80, message="Name must be 80 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "Who it is for",
        validators=[Optional(), Length(max=2000, message="Keep it to 2000 characters or fewer")],
    )
    sort_order = BoundedIntegerField(
        "Order in lists",
        default=0,
        validators=[Optional(), NumberRange(0, 1000, "Enter a number from 0 to 1000")],
    )
    is_open = BooleanField("Open to new applications", default=True)


class FeeForm(FlaskForm):
    """Record the fee status of a membership."""

    fee_status = SelectField(
        "Fee",
        choices=[SelectChoice(s.value, s.label) for s in FeeStatus],
        validate_choice=True,
    )


class DecisionForm(FlaskForm):
    """Turn an application down, with a note."""

    note = StringField(
        "Note (optional)",
        validators=[Optional(), Length(max=500, message="Note must be 500 characters or fewer")],
    )


class EndMembershipForm(FlaskForm):
    """Record that a member left."""

    ends_on = DateField(
        "Date they left",
        validators=[InputRequired("Enter the date they left, for example 2026-11-01")],
    )


class RegisterFilterForm(FlaskForm):
    """Search the register and filter it by status (a GET form)."""

    class Meta:
        csrf = False

    q = StringField(
        "Search by name, email or organisation",
        validators=[Optional(), Length(max=100, message="Search for 100 characters or fewer")],
    )
    status = SelectField(
        "Show",
        choices=[SelectChoice("", "Everyone")]
        + [SelectChoice(s.value, s.label) for s in MembershipStatus],
        validate_choice=True,
        default="",
    )


class AgmForm(FlaskForm):
    """The date of an AGM eligibility list (a GET form)."""

    class Meta:
        csrf = False

    on = DateField(
        "Eligible on",
        description="Members in good standing on this date: joined, not left, fee paid or "
        "waived. For example, 2026-11-01.",
        validators=[InputRequired("Enter a date, for example 2026-11-01")],
    )


class MergeForm(FlaskForm):
    """Merge a duplicate account into the one to keep."""

    keep_email = EmailField("Email address of the account to keep", validators=EMAIL_RULES)
    merge_email = EmailField(
        "Email address of the duplicate account",
        description="Its bookings, check-ins, sessions, stars, roles and memberships move to "
        "the account you keep; then the duplicate is removed.",
        validators=EMAIL_RULES,
    )
    # Ticked on the preview page, under what will move; without it the page shows the preview.
    confirm = BooleanField("I have checked these two accounts belong to the same person")
    step = HiddenField(default="preview")


class DeleteAccountForm(FlaskForm):
    """Delete your own account."""

    password = PasswordField(
        "Your password",
        validators=[DataRequired("Enter your password"), Length(max=200)],
    )
    confirm = BooleanField(
        "I understand my account cannot be brought back",
        validators=[DataRequired("Confirm you understand your account cannot be brought back")],
    )

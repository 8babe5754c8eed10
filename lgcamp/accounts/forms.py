"""Account forms: they check shape; the service checks rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

PASSWORD_RULES = [
    DataRequired("Enter a password"),
    Length(min=12, max=200, message="Password must be between 12 and 200 characters"),
]
EMAIL_RULES = [
    DataRequired("Enter your email address"),
    Length(max=254, message="Email address must be 254 characters or fewer"),
    Email("Enter an email address in the correct format, like name@example.org"),
]
NAME_RULES = [
    DataRequired("Enter your name"),
    Length(max=120, message="Name must be 120 characters or fewer"),
]
ORGANISATION_RULES = [
    Optional(),
    Length(max=160, message="Organisation must be 160 characters or fewer"),
]


class SignUpForm(FlaskForm):
    """Ask for an account: a link to the address finishes it (so the address is proved)."""

    name = StringField("Full name", validators=NAME_RULES)
    email = EmailField("Email address", validators=EMAIL_RULES)
    organisation = StringField(
        "Organisation",
        validators=ORGANISATION_RULES,
        description="For example, the council or company you work for",
    )


class FinishSignUpForm(FlaskForm):
    """Choose a password from the sign-up link."""

    password = PasswordField(
        "Password", validators=PASSWORD_RULES, description="At least 12 characters"
    )
    confirm = PasswordField(
        "Confirm password",
        validators=[
            DataRequired("Confirm your password"),
            EqualTo("password", "Passwords must match"),
        ],
    )


class LoginForm(FlaskForm):
    """Sign in."""

    email = EmailField("Email address", validators=EMAIL_RULES)
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password"), Length(max=200)]
    )
    remember = BooleanField("Keep me signed in on this device")


class ForgotPasswordForm(FlaskForm):
    """Ask for a password reset link."""

    email = EmailField("Email address", validators=EMAIL_RULES)


class ResetPasswordForm(FlaskForm):
    """Choose a new password from a reset link."""

    password = PasswordField(
        "New password", validators=PASSWORD_RULES, description="At least 12 characters"
    )
    confirm = PasswordField(
        "Confirm new password",
        validators=[
            DataRequired("Confirm your password"),
            EqualTo("password", "Passwords must match"),
        ],
    )


class ProfileForm(FlaskForm):
    """Name and organisation."""

    name = StringField("Full name", validators=NAME_RULES)
    organisation = StringField("Organisation", validators=ORGANISATION_RULES)


class ChangeEmailForm(FlaskForm):
    """A new email address, confirmed by a link sent to it, after the current password."""

    email = EmailField("New email address", validators=EMAIL_RULES)
    # Not "current_password": the password form on the same page has that id.
    email_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password"), Length(max=200)],
    )


class ChangePasswordForm(FlaskForm):
    """A new password, after the current one."""

    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password"), Length(max=200)],
    )
    password = PasswordField(
        "New password", validators=PASSWORD_RULES, description="At least 12 characters"
    )

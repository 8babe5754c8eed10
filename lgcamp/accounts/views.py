"""Account pages: thin views over accounts.service."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from lgcamp.accounts import service
from lgcamp.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SignUpForm,
)
from lgcamp.errors import DomainError, show_on_form
from lgcamp.extensions import db, limiter
from lgcamp.permissions import signin_required
from lgcamp.transaction import commit

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect to another host after sign-in."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("events.index")


def _account_page(status: int = 200, **forms: FlaskForm) -> tuple[str, int]:
    """The account page with its three forms; the one that failed is passed in."""
    # Only the forms not passed in are made: a new form reads the request's data.
    if "profile_form" not in forms:
        forms["profile_form"] = ProfileForm(obj=current_user)
    if "email_form" not in forms:
        forms["email_form"] = ChangeEmailForm()
    if "password_form" not in forms:
        forms["password_form"] = ChangePasswordForm()
    return render_template("accounts/account.html", **forms), status


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up() -> ResponseReturnValue:
    """Create an account and sign in."""
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            person = service.sign_up(
                db.session,
                form.name.data or "",
                form.email.data or "",
                form.password.data or "",
                form.organisation.data or "",
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            commit()
            login_user(person)
            flash("Your account has been created. You are signed in.", "success")
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/sign_up.html", form=form)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> ResponseReturnValue:
    """Sign in with email and password."""
    form = LoginForm()
    if form.validate_on_submit():
        try:
            person = service.authenticate(
                db.session, form.email.data or "", form.password.data or ""
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            commit()
            login_user(person, remember=bool(form.remember.data))
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.route("/sign-out", methods=["POST"])
def logout() -> Response:
    """Sign out (a POST with a CSRF token, so no page can sign you out)."""
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("events.index"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    """Ask for a reset link; the answer never says whether the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        service.request_password_reset(db.session, form.email.data or "")
        commit()
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    """Choose a new password from an emailed link."""
    try:
        service.person_for_reset(db.session, token)
    except DomainError as error:
        return render_template("accounts/link_problem.html", message=error.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        person = service.reset_password(db.session, token, form.password.data or "")
        commit()
        login_user(person)
        flash("Your password has been changed. You are signed in.", "success")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/account")
@signin_required
def account() -> tuple[str, int]:
    """The person's own account page."""
    return _account_page()


@bp.route("/account/profile", methods=["POST"])
@signin_required
def update_profile() -> ResponseReturnValue:
    """Change name and organisation."""
    form = ProfileForm()
    if form.validate_on_submit():
        service.update_profile(current_user, form.name.data or "", form.organisation.data or "")
        commit()
        flash("Your details have been saved.", "success")
        return redirect(url_for("accounts.account"))
    return _account_page(400, profile_form=form)


@bp.route("/account/email", methods=["POST"])
@signin_required
def change_email() -> ResponseReturnValue:
    """Send a confirmation link to a new email address."""
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            service.request_email_change(db.session, current_user, form.email.data or "")
        except DomainError as error:
            show_on_form(form, error)
        else:
            commit()
            flash(
                f"We have sent a link to {form.email.data}. Follow it to confirm the change.",
                "success",
            )
            return redirect(url_for("accounts.account"))
    return _account_page(400, email_form=form)


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str) -> ResponseReturnValue:
    """Show, then apply, a confirmed email change (applied on POST only)."""
    if request.method == "POST":
        try:
            service.confirm_email_change(db.session, token)
        except DomainError as error:
            return render_template("accounts/link_problem.html", message=error.message), 400
        commit()
        flash("Your email address has been changed.", "success")
        return redirect(
            url_for("accounts.account" if current_user.is_authenticated else "accounts.login")
        )
    return render_template("accounts/confirm_email.html", token=token)


@bp.route("/account/password", methods=["POST"])
@signin_required
def change_password() -> ResponseReturnValue:
    """Change the password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            service.change_password(
                current_user, form.current_password.data or "", form.password.data or ""
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            commit()
            flash("Your password has been changed.", "success")
            return redirect(url_for("accounts.account"))
    return _account_page(400, password_form=form)

"""Account pages: thin views over accounts.service, accounts.sessions and email_change."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from lgcamp.accounts import email_change, service, sessions
from lgcamp.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    FinishSignUpForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SignUpForm,
)
from lgcamp.accounts.models import Person
from lgcamp.accounts.redirects import safe_next
from lgcamp.errors import DomainError, show_on_form
from lgcamp.extensions import db, limiter
from lgcamp.permissions import signin_required
from lgcamp.transaction import commit

bp = Blueprint("accounts", __name__)

# Kept when a sign-in starts a fresh session: a phone paired as a door (checkin.links.GRANTS)
# stays paired. Everything else, the CSRF token included, is made anew.
KEPT_AT_SIGN_IN = ("door_links",)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _sign_up_limit() -> str:
    return current_app.config["SIGN_UP_RATE_LIMIT"]


def _account_key() -> str:
    """Sign-in attempts counted per account, from any address."""
    return "account:" + service.normalise_email(request.form.get("email", ""))[:254]


def _failed(response: Response) -> bool:
    return response.status_code != 302


def _next_or_home(target: str | None) -> str:
    return safe_next(target) or url_for("events.index")


def _sign_in(person: Person, remember: bool = False) -> None:
    """Commit a new sign-in (ending this browser's last one), then sign in on a fresh session
    (new cookie, new CSRF token)."""
    previous = session.get("_user_id")
    if isinstance(previous, str):
        sessions.end(db.session, previous)
    sessions.start(db.session, person, remember)
    commit()
    kept = {key: session[key] for key in KEPT_AT_SIGN_IN if key in session}
    permanent = session.permanent
    session.clear()
    session.update(kept)
    session.permanent = permanent and bool(kept)
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    login_user(person, remember=remember)


def _account_page(status: int = 200, **forms: FlaskForm) -> tuple[str, int]:
    """The account page with its forms; the one that failed is passed in."""
    # Only the forms not passed in are made: a new form reads the request's data.
    if "profile_form" not in forms:
        forms["profile_form"] = ProfileForm(obj=current_user)
    if "email_form" not in forms:
        forms["email_form"] = ChangeEmailForm()
    if "password_form" not in forms:
        forms["password_form"] = ChangePasswordForm()
    return render_template("accounts/account.html", **forms), status


def _link_problem(error: DomainError) -> tuple[str, int]:
    return render_template("accounts/link_problem.html", message=error.message), 400


# --- sign-up ---------------------------------------------------------------------------------


@bp.route("/sign-up", methods=["GET", "POST"])
@limiter.limit(_sign_up_limit, methods=["POST"])
def sign_up() -> ResponseReturnValue:
    """Ask for an account; the same answer whether or not the address has one."""
    form = SignUpForm()
    if form.validate_on_submit():
        service.request_sign_up(
            db.session,
            form.name.data or "",
            form.email.data or "",
            form.organisation.data or "",
            safe_next(request.args.get("next")) or "",
        )
        commit()
        return render_template("accounts/sign_up_sent.html", email=form.email.data)
    return render_template("accounts/sign_up.html", form=form)


@bp.route("/sign-up/<token>", methods=["GET", "POST"])
def finish_sign_up(token: str) -> ResponseReturnValue:
    """Choose a password from the emailed link: the account is created and signed in."""
    try:
        details = service.sign_up_details(token)
    except DomainError as error:
        return _link_problem(error)
    form = FinishSignUpForm()
    if form.validate_on_submit():
        try:
            person = service.finish_sign_up(db.session, token, form.password.data or "")
        except DomainError as error:
            return _link_problem(error)
        _sign_in(person)
        flash("Your account has been created. You are signed in.", "success")
        return redirect(_next_or_home(details["next"]))
    return render_template("accounts/finish_sign_up.html", form=form, details=details)


# --- sign-in and sign-out --------------------------------------------------------------------


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"], deduct_when=_failed)
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
            _sign_in(person, remember=bool(form.remember.data))
            return redirect(_next_or_home(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.route("/sign-out", methods=["POST"])
def logout() -> Response:
    """Sign out (a POST with a CSRF token, so no page can sign you out); the sign-in ends,
    so a copy of this browser's cookies signs no one in afterwards."""
    if current_user.is_authenticated:
        key = sessions.current_key(current_user)
        if key is not None:
            sessions.end(db.session, key)
            commit()
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("events.index"))


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@signin_required
def logout_everywhere() -> Response:
    """End every sign-in of the person, on every device, this one included."""
    sessions.end_all(db.session, current_user)
    commit()
    logout_user()
    flash("You have signed out on every device. Sign in again to carry on.", "success")
    return redirect(url_for("accounts.login"))


# --- passwords -------------------------------------------------------------------------------


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
    """Choose a new password from an emailed link; every other sign-in ends."""
    try:
        service.person_for_reset(db.session, token)
    except DomainError as error:
        return _link_problem(error)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        person = service.reset_password(db.session, token, form.password.data or "")
        _sign_in(person)
        flash("Your password has been changed. You are signed in.", "success")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/account/password", methods=["POST"])
@signin_required
def change_password() -> ResponseReturnValue:
    """Change the password; every other sign-in ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            service.change_password(
                db.session, current_user, form.current_password.data or "", form.password.data or ""
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            commit()
            flash("Your password has been changed. You are signed out everywhere else.", "success")
            return redirect(url_for("accounts.account"))
    return _account_page(400, password_form=form)


# --- the account page --------------------------------------------------------------------------


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


# --- email address ---------------------------------------------------------------------------


@bp.route("/account/email", methods=["POST"])
@signin_required
def change_email() -> ResponseReturnValue:
    """Send a confirmation link to a new email address, after the current password."""
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            email_change.request_email_change(
                db.session, current_user, form.email_password.data or "", form.email.data or ""
            )
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
@signin_required
def confirm_email(token: str) -> ResponseReturnValue:
    """Show, then apply (on POST only), an email change: for the person who asked only."""
    if request.method == "POST":
        try:
            email_change.confirm_email_change(db.session, current_user, token)
        except DomainError as error:
            return _link_problem(error)
        commit()
        flash("Your email address has been changed.", "success")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/confirm_email.html", token=token)


@bp.route("/account/email/undo/<token>", methods=["GET", "POST"])
def undo_email_change(token: str) -> ResponseReturnValue:
    """From the old address: put it back and sign everyone out (applied on POST only)."""
    try:
        _person, old_email = email_change.person_for_undo(db.session, token)
    except DomainError as error:
        return _link_problem(error)
    if request.method == "POST":
        try:
            person = email_change.undo_email_change(db.session, token)
        except DomainError as error:
            return _link_problem(error)
        commit()
        if current_user.is_authenticated and current_user.id == person.id:
            logout_user()  # its sign-in has ended with the others
        flash(
            f"Your email address is {old_email} again, and everyone has been signed out of your"
            " account. Reset your password now.",
            "success",
        )
        return redirect(url_for("accounts.forgot_password"))
    return render_template("accounts/undo_email.html", old_email=old_email)

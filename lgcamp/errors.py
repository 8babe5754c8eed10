"""Domain errors and the one place that turns errors into HTML or JSON responses."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from lgcamp.extensions import db


class DomainError(Exception):
    """A rule of the domain said no; the message is for the person who asked."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The rule exists, and this person may not do this."""

    status_code = 403


class Conflict(DomainError):
    """The request clashes with the current state (already done, taken, changed)."""

    status_code = 409


def wants_json() -> bool:
    """JSON endpoints and clients that ask for JSON get JSON errors."""
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(status: int, title: str, message: str) -> tuple[Response | str, int]:
    """Render one error as JSON or as a page in the site's layout."""
    if wants_json():
        return jsonify(error={"status": status, "title": title, "message": message}), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


TITLES = {
    400: ("Bad request", "The request could not be understood. Check what you entered."),
    401: ("Sign in needed", "You need to sign in to see this page."),
    403: ("You do not have permission", "Your account is not allowed to do this."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("Not allowed", "This page does not accept that kind of request."),
    409: ("Conflict", "That clashes with a change someone else made. Reload and try again."),
    413: ("Too large", "What you sent is too large."),
    429: ("Too many attempts", "You have tried too many times. Wait a minute and try again."),
    500: ("Sorry, there is a problem", "Something went wrong on our side. Try again later."),
}


def register_error_handlers(app: Flask) -> None:
    """Map HTTP and domain errors to pages or JSON, rolling back the transaction."""

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException) -> tuple[Response | str, int]:
        db.session.rollback()
        status = error.code or 500
        title, default = TITLES.get(status, (error.name, error.description or ""))
        message = default
        # Show our own abort(…, description) texts; keep werkzeug's defaults generic.
        if error.description and error.description != type(error).description:
            message = error.description
        return error_response(status, title, message)

    @app.errorhandler(SecurityError)
    def handle_untrusted_host(_error: SecurityError) -> Response:
        # A Host (or X-Forwarded-Host) outside TRUSTED_HOSTS: no page, as no link can be built
        # for a host the site does not serve.
        return Response(
            "This site does not answer to that host name.\n", 400, mimetype="text/plain"
        )

    @app.errorhandler(DomainError)
    def handle_domain(error: DomainError) -> tuple[Response | str, int]:
        db.session.rollback()
        title = TITLES.get(error.status_code, ("Error", ""))[0]
        return error_response(error.status_code, title, error.message)

    @app.errorhandler(InternalServerError)
    def handle_500(error: InternalServerError) -> tuple[Response | str, int]:
        db.session.rollback()
        title, message = TITLES[500]
        return error_response(500, title, message)


def show_on_form(form: object, error: DomainError) -> None:
    """Put a domain error on the form field it concerns (or the form as a whole)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)  # type: ignore[attr-defined]

"""lgcamp: events, tickets, check-in and participation for the LocalGov Digital network."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, Response, g, request, session
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from lgcamp import config as config_module
from lgcamp import models as _models  # noqa: F401 (registers every table)
from lgcamp.accounts import views as accounts_views
from lgcamp.accounts.service import load_person
from lgcamp.checkin import door_views as _door_views  # noqa: F401 (routes on checkin's bp)
from lgcamp.checkin import link_views as _link_views  # noqa: F401 (routes on checkin's bp)
from lgcamp.checkin import views as checkin_views
from lgcamp.checkin.links import GRANTS
from lgcamp.cli import register_commands
from lgcamp.config import CHECKOUT_DIR, PACKAGE_DIR
from lgcamp.database import configure_sqlite, write_intent
from lgcamp.errors import register_error_handlers
from lgcamp.events import views as events_views
from lgcamp.events.markdown import render_markdown
from lgcamp.extensions import csrf, db, limiter, login_manager, migrate
from lgcamp.feeds import views as feeds_views
from lgcamp.inputs import register_input_guards
from lgcamp.participation import views as participation_views
from lgcamp.permissions import TEMPLATE_PREDICATES
from lgcamp.programme import views as programme_views
from lgcamp.tickets import views as tickets_views

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; worker-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)
# Signed-in answers (and a paired door phone's) are personal: no cache may keep them. Other types
# (CSS, JS, images, feeds) are the same for everyone, or say so themselves.
PERSONAL_TYPES = frozenset({"text/html", "application/json"})
# A secret in the address (a ticket and its QR, a reset or transfer link) makes the answer
# personal whoever asks; feeds are left to their own validators (conditional GET).
SECRET_ARGS = frozenset({"token", "secret", "signed"})


def _asset_folder(name: str) -> str:
    """templates/ and static/ sit beside the package in a checkout, inside it in a wheel."""
    inside = PACKAGE_DIR / name
    return str(inside if inside.is_dir() else CHECKOUT_DIR / name)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: config, extensions, blueprints, errors, CLI."""
    app = Flask(
        __name__,
        instance_path=config_module.instance_path(),
        instance_relative_config=True,
        template_folder=_asset_folder("templates"),
        static_folder=_asset_folder("static"),
    )
    config_module.load_config(app, test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    register_extensions(app)
    register_input_guards(app)  # before the blueprints add their URL rules
    register_blueprints(app)
    register_error_handlers(app)
    register_request_hooks(app)
    register_template_helpers(app)
    register_commands(app)
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies > 0:  # outermost, so that every layer sees the client's scheme and host
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies,
            x_prefix=proxies,
        )  # fmt: skip
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extension objects to this app."""
    # A copy: the defaults' dict must never be changed in place (apps would share it).
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options["connect_args"] = {"timeout": 15, **options.get("connect_args", {})}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    migrate.init_app(
        app, db, directory=str(PACKAGE_DIR / "migrations"), render_as_batch=True, compare_type=True
    )
    login_manager.init_app(app)
    login_manager.user_loader(load_person)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)


def register_blueprints(app: Flask) -> None:
    """One blueprint per feature; only this function registers them."""
    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(events_views.bp)
    app.register_blueprint(tickets_views.bp)
    app.register_blueprint(checkin_views.bp)
    app.register_blueprint(programme_views.bp)
    app.register_blueprint(participation_views.bp)
    app.register_blueprint(feeds_views.bp)


def register_request_hooks(app: Flask) -> None:
    """Per-request settings: write intent for SQLite, security headers."""

    @app.before_request
    def _set_write_intent() -> None:
        write_intent.set(request.method not in SAFE_METHODS)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS:
            response.headers.setdefault(name, value)
        if _is_personal(response):
            response.headers["Cache-Control"] = "no-store"
        seconds = int(app.config["HSTS_SECONDS"])
        if seconds > 0 and (request.is_secure or app.config["HSTS_ALWAYS"]):
            response.headers["Strict-Transport-Security"] = f"max-age={seconds}; includeSubDomains"
        return response


def _is_personal(response: Response) -> bool:
    """Whether no cache may keep this answer: a signed-in person's or a paired door phone's
    page or JSON, or anything at an address holding a secret (tickets and their QR codes)."""
    if SECRET_ARGS.intersection(request.view_args or ()) and request.blueprint != "feeds":
        return True
    if response.mimetype not in PERSONAL_TYPES:
        return False
    if GRANTS in session:
        return True
    # The person the view loaded, if it did; else whether the session names one (no query).
    user = g.get("_login_user")
    return bool(user.is_authenticated) if user is not None else "_user_id" in session


def register_template_helpers(app: Flask) -> None:
    """Filters and the permission predicates templates may call."""
    app.jinja_env.globals.update(TEMPLATE_PREDICATES)
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.globals["current_user"] = current_user

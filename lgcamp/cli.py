"""The `lgcamp` command: demo, tick, create-admin, and Flask-Migrate's `db` group."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import FlaskGroup
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from lgcamp import create_app, demo, mail
from lgcamp.accounts import service as accounts
from lgcamp.events.service import count_events
from lgcamp.extensions import db


def _create_app() -> object:
    return create_app()


@click.group(
    cls=FlaskGroup,
    create_app=_create_app,
    add_version_option=False,
    load_dotenv=False,
    set_debug_flag=False,
)
def main() -> None:
    """lgcamp: events, tickets, check-in and participation for LocalGov Digital."""


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to serve on.")
@click.option("--no-serve", is_flag=True, help="Migrate and seed, then stop.")
@click.option(
    "--https",
    "use_https",
    is_flag=True,
    help="Serve with a self-signed certificate, so phones on the network may use the camera.",
)
def demo_command(host: str, port: int, no_serve: bool, use_https: bool) -> None:
    """Migrate, seed demo data on first run, print the demo accounts, and serve."""
    upgrade()
    if count_events(db.session) == 0:
        click.echo("Seeding demo data (first run)...")
        demo.seed(db.session)
        db.session.commit()
    click.echo(f"\nDemo accounts (password for all: {demo.DEMO_PASSWORD}):")
    for role, person in demo.demo_accounts(db.session).items():
        click.echo(f"  {role:<10} {person.email}")
    scheme = "https" if use_https else "http"
    base = f"{scheme}://{host}:{port}"
    links = demo.demo_scanner_links(db.session, current_app.secret_key)  # type: ignore[arg-type]
    db.session.commit()
    for event, path in links:
        click.echo(
            f"\nScanner link for {event.name} (open it on a phone; grants the scanner only):"
        )
        click.echo(f"  {base}{path}")
    click.echo(f"\nDatabase: {current_app.config['SQLALCHEMY_DATABASE_URI']}")
    if no_serve:
        return
    if use_https:
        click.echo("Self-signed certificate: the browser warns once; accept it to continue.")
        if host in ("127.0.0.1", "localhost"):
            click.echo("For phones on the network, serve on all addresses: --host 0.0.0.0")
    click.echo(f"Serving on {base}  (Ctrl+C to stop)\n")
    # End this command's transaction: on SQLite it would hold the write lock while serving.
    db.session.remove()
    # Not app.run(): Flask ignores that inside a CLI command.
    run_simple(
        host,
        port,
        current_app._get_current_object(),  # type: ignore[attr-defined]
        threaded=True,
        ssl_context="adhoc" if use_https else None,
    )


@main.command("tick")
def tick_command() -> None:
    """Timed work: send queued email, retry failures. Safe from cron every minute."""
    sent = mail.send_queued(db.session)
    click.echo(f"sent {sent} email(s)")


@main.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option()
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create a network admin, or make an existing account one."""
    person = accounts.find_person_by_email(db.session, email)
    if person is None:
        if len(password) < 10:
            raise click.BadParameter("use at least 10 characters", param_hint="password")
        person = accounts.sign_up(db.session, name, email, password, "")
    person.is_admin = True
    db.session.commit()
    click.echo(f"{person.email} is a network admin.")

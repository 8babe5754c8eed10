"""The app's commands: demo, tick, create-admin (Flask-Migrate adds the `db` group).

They are registered on `app.cli` by create_app(); the `lgcamp` console script in
console.py runs them.
"""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from lgcamp import demo, mail
from lgcamp.accounts import service as accounts
from lgcamp.events.service import count_events
from lgcamp.extensions import db


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to serve on.")
@click.option("--no-serve", is_flag=True, help="Migrate and seed, then stop.")
def demo_command(host: str, port: int, no_serve: bool) -> None:
    """Migrate, seed demo data on first run, print the demo accounts, and serve."""
    upgrade()
    if count_events(db.session) == 0:
        click.echo("Seeding demo data (first run)...")
        demo.seed(db.session)
        db.session.commit()
    click.echo(f"\nDemo accounts (password for all: {demo.DEMO_PASSWORD}):")
    for role, person in demo.demo_accounts(db.session).items():
        click.echo(f"  {role:<10} {person.email}")
    click.echo(f"\nDatabase: {current_app.config['SQLALCHEMY_DATABASE_URI']}")
    if no_serve:
        return
    click.echo(f"Serving on http://{host}:{port}  (Ctrl+C to stop)\n")
    # Not app.run(): Flask ignores that inside a CLI command.
    run_simple(host, port, current_app._get_current_object(), threaded=True)  # type: ignore[attr-defined]


@click.command("tick")
def tick_command() -> None:
    """Timed work: send queued email, retry failures. Safe from cron every minute."""
    sent = mail.send_queued(db.session)
    click.echo(f"sent {sent} email(s)")


@click.command("create-admin")
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


def register_commands(app: Flask) -> None:
    """Add the app's commands to `app.cli` (and so to the `lgcamp` command)."""
    for command in (demo_command, tick_command, create_admin_command):
        app.cli.add_command(command)

"""The app's commands: demo, tick, mail-worker, create-admin (Flask-Migrate adds `db`).

They are registered on `app.cli` by create_app(); the `lgcamp` console script in
console.py runs them.
"""

from __future__ import annotations

import re
import signal
import socket
import ssl
import threading
import time
from typing import Literal

import click
from flask import Flask, current_app
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from lgcamp import demo, demo_tickets, mail
from lgcamp.accounts import service as accounts
from lgcamp.config import Defaults, derive_trusted_hosts
from lgcamp.database import utcnow
from lgcamp.events.service import count_events
from lgcamp.extensions import db
from lgcamp.participation import facts as participation_facts
from lgcamp.tickets import answers as ticket_answers
from lgcamp.tickets import ballot, noshow
from lgcamp.tickets import offers as ticket_offers
from lgcamp.tickets import service as tickets


def demo_ssl_context(
    use_https: bool, cert: str | None, key: str | None
) -> ssl.SSLContext | Literal["adhoc"] | None:
    """How the demo serves: plain http, a self-signed certificate made on the spot ("adhoc"),
    or the certificate and key given (checked here, so that a bad pair fails before serving)."""
    if cert is None and key is None:
        return "adhoc" if use_https else None
    if cert is None or key is None:
        raise click.UsageError("--cert and --key go together: give the certificate and its key.")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cert, key)
    except (ssl.SSLError, OSError) as error:
        raise click.BadParameter(
            f"cannot serve with {cert} and {key}: {error}. Give a PEM certificate and its "
            "private key (for example the two files mkcert makes).",
            param_hint="'--cert' / '--key'",
        ) from error
    return context


def reachable_host(host: str) -> str:
    """The address people reach the demo on: for all addresses (0.0.0.0, ::), this machine's
    address on its network (phones use it), else loopback; IPv6 in brackets."""
    if host in ("0.0.0.0", "::", ""):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.connect(("192.0.2.1", 9))  # no packet is sent: this picks the route
                host = str(probe.getsockname()[0])
        except OSError:
            host = "127.0.0.1"
    return f"[{host}]" if ":" in host else host


class TimedWork:
    """`lgcamp tick` every few seconds on a thread while the demo serves, as cron runs it on
    a site: offers, expiries, ballots, reminders and mail happen by themselves."""

    def __init__(self, app: Flask, every: float) -> None:
        self.app, self.every = app, every
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="lgcamp-timed-work", daemon=True)

    def start(self) -> None:
        """Start ticking (the first tick at once)."""
        self.thread.start()

    def stop(self) -> None:
        """Finish the tick under way, if any, and stop."""
        self.stopping.set()
        self.thread.join(timeout=60)

    def _run(self) -> None:
        while not self.stopping.is_set():
            with self.app.app_context():  # a session per tick, removed when it ends
                try:
                    for line in run_tick():
                        if re.search(r"[1-9]", line):  # only what did something
                            click.echo(f"[tick] {line}")
                except Exception:  # a failed tick is logged; the next one tries again
                    self.app.logger.exception("timed work failed")
            self.stopping.wait(self.every)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to serve on.")
@click.option("--no-serve", is_flag=True, help="Migrate and seed, then stop.")
@click.option(
    "--https",
    "use_https",
    is_flag=True,
    help="Serve with a self-signed certificate, so phones on the network may use the camera.",
)
@click.option(
    "--cert",
    type=click.Path(exists=True, dir_okay=False),
    help="Serve https with this certificate (PEM), such as one made by mkcert; with --key.",
)
@click.option(
    "--key", type=click.Path(exists=True, dir_okay=False), help="The certificate's private key."
)
@click.option(
    "--tick-every",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.05),
    help="Seconds between runs of the timed work (`lgcamp tick`) while serving.",
)
def demo_command(
    host: str,
    port: int,
    no_serve: bool,
    use_https: bool,
    cert: str | None,
    key: str | None,
    tick_every: float,
) -> None:
    """Migrate, seed demo data on first run, print the demo accounts, and serve, running the
    timed work (`lgcamp tick`) in the background as cron would."""
    ssl_context = demo_ssl_context(use_https, cert, key)
    upgrade()
    if count_events(db.session) == 0:
        click.echo("Seeding demo data (first run)...")
        demo.seed(db.session)
        db.session.commit()
    click.echo(f"\nDemo accounts (password for all: {demo.DEMO_PASSWORD}):")
    for role, person in demo.demo_accounts(db.session).items():
        click.echo(f"  {role:<10} {person.email}")
    scheme = "http" if ssl_context is None else "https"
    base = f"{scheme}://{reachable_host(host)}:{port}"
    if current_app.config["BASE_URL"] == Defaults.BASE_URL:
        # Links in mail and feeds point at where the demo really serves (--host, --port),
        # and that is the host it answers to (any host when serving on every address).
        current_app.config["BASE_URL"] = base
        current_app.config["TRUSTED_HOSTS"] = derive_trusted_hosts(
            base, current_app.config["EXTRA_HOSTS"]
        )
    links = demo_tickets.demo_scanner_links(db.session, current_app.secret_key)  # type: ignore[arg-type]
    db.session.commit()
    for event, path in links:
        click.echo(
            f"\nScanner link for {event.name} (open it on a phone; grants the scanner only):"
        )
        click.echo(f"  {base}{path}")
    click.echo(f"\nDatabase: {current_app.config['SQLALCHEMY_DATABASE_URI']}")
    if no_serve:
        return
    if ssl_context == "adhoc":
        click.echo("Self-signed certificate: the browser warns once; accept it to continue.")
        click.echo(
            "Browsers register no service worker on it: the scanner cannot be reloaded offline"
            " (see the README: --cert and --key with a locally trusted certificate)."
        )
    elif ssl_context is not None:
        click.echo(f"Certificate: {cert}")
    if ssl_context is not None and host in ("127.0.0.1", "localhost"):
        click.echo("For phones on the network, serve on all addresses: --host 0.0.0.0")
    click.echo(f"Serving on {base}  (Ctrl+C to stop)")
    click.echo(f"Timed work (lgcamp tick) runs every {tick_every:g} s in the background.\n")
    # End this command's transaction: on SQLite it would hold the write lock while serving.
    db.session.close()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    timed_work = TimedWork(app, tick_every)
    timed_work.start()
    try:
        # Not app.run(): Flask ignores that inside a CLI command.
        run_simple(host, port, app, threaded=True, ssl_context=ssl_context)
    finally:
        timed_work.stop()
        click.echo("Stopped serving and the timed work.")


@click.command("tick")
def tick_command() -> None:
    """Timed work: tickets (offers, ballots, reminders, no-shows, data retention), participation
    facts of changed events, then email; safe from cron every minute and concurrently.
    """
    for line in run_tick():
        click.echo(line)


def run_tick() -> list[str]:
    """The timed work, once (for `lgcamp tick` and the demo's background); one line per step."""
    # Every step claims its rows with conditional UPDATEs (hence safe concurrently) and commits
    # on its own, so a failure in one keeps what the steps before it did.
    lines = tick_tickets()
    refreshed = participation_facts.refresh_stale(db.session)
    lines.append(f"refreshed participation facts of {refreshed} event(s)")
    sent = mail.send_queued(db.session)
    lines.append(f"sent {sent} email(s)")
    return lines


@click.command("mail-worker")
@click.option(
    "--interval", default=1.0, show_default=True, type=float, help="Seconds between looks."
)
@click.option("--max-loops", type=int, help="Stop after this many looks (for tests).")
@click.option("--until-empty", is_flag=True, help="Stop once a look finds nothing to send.")
def mail_worker_command(interval: float, max_loops: int | None, until_empty: bool) -> None:
    """Send queued email continuously, until SIGTERM or Ctrl-C.

    For MAIL_SEND_AFTER_COMMIT=false (a release rush), so that requests never wait for SMTP;
    safe beside `tick` and on several hosts: every message is claimed before sending.
    """
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    loops = 0
    try:
        while not stopping and (max_loops is None or loops < max_loops):
            sent = mail.send_queued(db.session)
            db.session.close()
            if sent:
                click.echo(f"sent {sent} email(s)")
            elif until_empty:
                break
            loops += 1
            if not sent and not stopping and (max_loops is None or loops < max_loops):
                time.sleep(interval)
    except KeyboardInterrupt:
        pass


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option()
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create a network admin, or make an existing account one."""
    person = accounts.find_person_by_email(db.session, email)
    if person is None:
        if len(password) < 12:
            raise click.BadParameter("use at least 12 characters", param_hint="password")
        person = accounts.create_account(db.session, name, email, password, "")
    person.is_admin = True
    db.session.commit()
    click.echo(f"{person.email} is a network admin.")


def tick_tickets() -> list[str]:
    """The ticketing part of `lgcamp tick`; returns one line per step for the log."""
    now = utcnow()
    changed = 0
    for ticket_type in tickets.ticket_types_with_offer_work(db.session, now):
        changed += ticket_offers.process_offers(db.session, ticket_type, now)
        db.session.commit()
    drawn = 0
    for ticket_type in ballot.due_ballots(db.session, now):
        try:
            ballot.draw_ballot(db.session, ticket_type, now=now)
        except ballot.BallotNotDue:  # another tick drew it a moment ago
            db.session.rollback()
        else:
            db.session.commit()
            drawn += 1
    reminders = noshow.send_reminders(db.session, now)
    db.session.commit()
    reconfirmation = noshow.run_reconfirmation(db.session, now)
    db.session.commit()
    door = noshow.run_door_releases(db.session, now)
    db.session.commit()
    purged = ticket_answers.purge_due_answers(db.session, now)
    db.session.commit()
    return [
        f"offers: {changed} offered or expired",
        f"ballots drawn: {drawn}",
        f"reminders: {reminders}",
        "reconfirmation: {asked} asked, {warned} warned, {released} released".format(
            **reconfirmation
        ),
        f"door release: {door} released",
        f"answers deleted for {purged} question(s)",
    ]


def register_commands(app: Flask) -> None:
    """Add the app's commands to `app.cli` (and so to the `lgcamp` command)."""
    for command in (demo_command, tick_command, mail_worker_command, create_admin_command):
        app.cli.add_command(command)

"""The organisers' email page: a message to attendees by status and ticket type, and the log."""

from __future__ import annotations

import secrets

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from lgcamp.errors import DomainError, show_on_form
from lgcamp.events.models import Event
from lgcamp.extensions import db
from lgcamp.permissions import load_managed_event
from lgcamp.tickets import bulk_email, service
from lgcamp.tickets.blueprint import bp
from lgcamp.tickets.forms import BulkEmailForm, select_choices
from lgcamp.transaction import commit


def _form(event: Event) -> BulkEmailForm:
    form = BulkEmailForm()
    types = service.ticket_types_for(db.session, event, include_hidden=True)
    form.ticket_type.choices = select_choices(
        [("", "Every ticket type")] + [(str(t.id), t.name) for t in types]
    )
    if not form.is_submitted():
        form.send_key.data = secrets.token_urlsafe(16)
    return form


def _message(form: BulkEmailForm) -> bulk_email.BulkMessage:
    type_id = form.ticket_type.data or ""
    return bulk_email.BulkMessage(
        audience=form.audience.data or "",
        ticket_type_id=int(type_id) if type_id.isdigit() else None,
        subject=form.subject.data or "",
        body=form.body.data or "",
        idempotency_key=form.send_key.data or "",
        send_again=bool(form.send_again.data),
    )


@bp.route("/events/<slug>/tickets/email", methods=["GET", "POST"])
def email_attendees(slug: str) -> str | Response | tuple[str, int]:
    """Email attendees by status and ticket type, once per form; the log of what was sent."""
    event = load_managed_event(slug)
    form = _form(event)
    if form.validate_on_submit():
        try:
            sent = bulk_email.send_bulk_email(db.session, current_user, event, _message(form))
        except bulk_email.AlreadySent as already:
            db.session.rollback()
            flash(str(already), "info")
            return redirect(url_for("tickets.email_attendees", slug=slug))
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            commit()
            flash(
                f"Your message “{sent.subject}” is on its way to {sent.recipients} people.",
                "success",
            )
            return redirect(url_for("tickets.email_attendees", slug=slug))
    page = render_template(
        "tickets/email_attendees.html",
        event=event,
        form=form,
        log=bulk_email.bulk_email_log(db.session, event),
        audience_label=bulk_email.audience_label,
    )
    return (page, 400) if form.errors else page

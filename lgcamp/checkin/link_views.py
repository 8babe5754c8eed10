"""Organisers' pages for the door's scanner links (with their QR codes) and scanner roles."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from lgcamp.checkin import links
from lgcamp.checkin.forms import ScannerLinkForm, ScannerRoleForm
from lgcamp.checkin.views import bp, load_dashboard_event
from lgcamp.database import utcnow
from lgcamp.errors import DomainError, show_on_form
from lgcamp.events.models import Event
from lgcamp.extensions import db
from lgcamp.tickets.qr import qr_data_uri
from lgcamp.transaction import commit
from lgcamp.urls import external_url


@bp.route("/events/<slug>/door/links", methods=["GET", "POST"])
def scanner_links(slug: str) -> Response | tuple[str, int]:
    """Scanner links (with their QR codes) and people with the scanner role."""
    event = load_dashboard_event(slug)
    form = ScannerLinkForm()
    if form.validate_on_submit():
        expires_at = utcnow() + timedelta(hours=int(form.expires_in.data or 24))
        link = links.create_scanner_link(
            db.session, current_user, event, form.label.data or "", expires_at,
            current_app.secret_key,  # type: ignore[arg-type]
        )  # fmt: skip
        commit()
        flash(f"Scanner link for {link.label} created: scan its QR code with the phone.", "success")
        return redirect(url_for("checkin.scanner_links", slug=slug, _anchor=f"link-{link.id}"))
    return _links_page(event, form, ScannerRoleForm(), 400 if form.errors else 200)


def _links_page(
    event: Event, link_form: ScannerLinkForm, role_form: ScannerRoleForm, status: int
) -> tuple[str, int]:
    shown = []
    for link, last_used_at in links.scanner_links_of(db.session, event):
        url = ""
        if link.is_active():
            secret = links.link_secret(current_app.secret_key, link)  # type: ignore[arg-type]
            url = external_url("checkin.open_link", slug=event.slug, secret=secret)
        shown.append((link, last_used_at, url, qr_data_uri(url) if url else ""))
    page = render_template(
        "checkin/links.html",
        event=event,
        links=shown,
        link_form=link_form,
        role_form=role_form,
        scanners=links.scanners_of(db.session, event),
    )
    return page, status


@bp.route("/events/<slug>/door/links/<int:link_id>/revoke", methods=["POST"])
def revoke_link(slug: str, link_id: int) -> Response:
    """Stop a scanner link working."""
    event = load_dashboard_event(slug)
    link = links.get_scanner_link(db.session, event, link_id) or abort(404)
    links.revoke_scanner_link(db.session, link)
    commit()
    flash(f"The link for {link.label} no longer works.", "success")
    return redirect(url_for("checkin.scanner_links", slug=slug))


@bp.route("/events/<slug>/door/scanners", methods=["POST"])
def add_scanner(slug: str) -> Response | tuple[str, int]:
    """Give an account holder the scanner role for the event."""
    event = load_dashboard_event(slug)
    form = ScannerRoleForm()
    if form.validate_on_submit():
        try:
            person = links.grant_scanner_role(db.session, event, form.email.data or "")
        except DomainError as error:
            show_on_form(form, error)
        else:
            commit()
            flash(f"{person.name} can now scan tickets for this event.", "success")
            return redirect(url_for("checkin.scanner_links", slug=slug))
    return _links_page(event, ScannerLinkForm(formdata=None), form, 400)


@bp.route("/events/<slug>/door/scanners/<int:person_id>/remove", methods=["POST"])
def remove_scanner(slug: str, person_id: int) -> Response:
    """Take the scanner role away."""
    event = load_dashboard_event(slug)
    links.remove_scanner_role(db.session, event, person_id)
    commit()
    flash("The scanner role has been removed.", "success")
    return redirect(url_for("checkin.scanner_links", slug=slug))

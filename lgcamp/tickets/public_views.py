"""Ticket pages for the public and ticket holders: booking (form and JSON), tickets, offers,
releases and transfers."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from lgcamp import limits
from lgcamp.errors import DomainError, show_on_form
from lgcamp.extensions import csrf, db
from lgcamp.feeds.ical import event_ics
from lgcamp.permissions import (
    authorize,
    can_book,
    is_signed_in,
    load_event,
    signin_required,
)
from lgcamp.tickets import links, noshow, service, transfers
from lgcamp.tickets.api_input import json_answers, json_secret, json_ticket_type_id
from lgcamp.tickets.blueprint import (
    bp,
    load_bookable,
    load_booking,
    load_by_token,
    questions_of,
    render_booking_page,
)
from lgcamp.tickets.booking import (
    book_ticket,
    booking_json,
)
from lgcamp.tickets.forms import (
    EmailForm,
    answers_from,
    booking_form,
)
from lgcamp.tickets.models import (
    Booking,
    BookingStatus,
)
from lgcamp.tickets.qr import qr_png, qr_svg
from lgcamp.transaction import commit

# --- booking ------------------------------------------------------------------------------


@bp.route("/events/<slug>/tickets")
def event_tickets(slug: str) -> tuple[str, int]:
    """The public ticket types of an event, with the booking form."""
    event = load_event(slug)
    return render_booking_page(event, service.ticket_types_for(db.session, event), None)


@bp.route("/events/<slug>/tickets/private/<secret>")
def private_tickets(slug: str, secret: str) -> tuple[str, int]:
    """A hidden ticket type, reached by its secret link."""
    event = load_event(slug)
    ticket_type = service.ticket_type_by_secret(db.session, event, secret)
    if ticket_type is None:
        abort(404, "This private ticket link is not valid. Check you copied all of it.")
    return render_booking_page(event, [ticket_type], secret)


@bp.route("/events/<slug>/tickets/<int:ticket_type_id>/book", methods=["POST"])
@limits.booking
def book(slug: str, ticket_type_id: int) -> Response | tuple[str, int]:
    """Book a ticket (or join the waitlist, or enter the ballot)."""
    ticket_type = load_bookable(slug, ticket_type_id)
    authorize(can_book(current_user, ticket_type.event))
    questions = questions_of(ticket_type.event)
    form = booking_form(questions)
    if form.validate_on_submit():
        try:
            booking = book_ticket(
                db.session, current_user, ticket_type, answers_from(form, questions),
                secret=form.secret.data or None,
            )  # fmt: skip
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            url = url_for("tickets.show_booking", booking_id=booking.id)
            commit()
            return redirect(url)
    event = ticket_type.event
    shown = [ticket_type] if ticket_type.is_hidden else service.ticket_types_for(db.session, event)
    secret = form.secret.data or None
    return render_booking_page(event, shown, secret, (ticket_type.id, form), 400)


@bp.route("/api/events/<slug>/bookings", methods=["POST"])
@limits.booking
@csrf.exempt
def api_book(slug: str) -> tuple[Response, int]:
    """Book by JSON with the session cookie; answers {"booking": {...}} or a JSON error.

    CSRF-exempt but safe: it needs a header that another site cannot send (see below).
    """
    # A page on another site cannot add this header to a cross-site request without a CORS
    # preflight (never granted), and the SameSite=Lax session cookie is not sent on
    # cross-site POSTs.
    if request.headers.get("X-Requested-With") != "lgcamp":
        abort(400, "Send the header X-Requested-With: lgcamp.")
    if not is_signed_in(current_user):
        load_event(slug)  # a draft is 404 to anonymous callers, as on every page
        authorize(False)
    data = request.get_json(silent=True)
    type_id = json_ticket_type_id(data)
    if type_id is None:
        load_event(slug)  # an unknown event is a 404 whatever was sent
        abort(400, 'Send a JSON object with "ticket_type_id" (a number).')
    ticket_type = load_bookable(slug, type_id)
    answers = json_answers(data, current_user.organisation)
    booking = book_ticket(db.session, current_user, ticket_type, answers, json_secret(data))
    url = url_for("tickets.show_booking", booking_id=booking.id, _external=True)
    answer = booking_json(booking, url)  # read before the commit expires the booking
    commit()
    return jsonify(booking=answer), 201


# --- the holder's pages -------------------------------------------------------------------


@bp.route("/tickets/mine")
@signin_required
def mine() -> tuple[str, int]:
    """The signed-in person's bookings: upcoming events first (a large QR for each ticket),
    then past events, apart and without QR codes."""
    return _render_mine()


def _render_mine(error: str | None = None, status: int = 200) -> tuple[str, int]:
    tickets = service.tickets_of(db.session, current_user)
    return render_template("tickets/mine.html", tickets=tickets, error=error), status


@bp.route("/bookings/<int:booking_id>")
def show_booking(booking_id: int) -> str:
    """A booking's page: the ticket and its QR, an offer to claim, or the waitlist place."""
    booking = load_booking(booking_id)
    return render_template(
        "tickets/booking.html",
        booking=booking,
        transfer=transfers.pending_transfer(db.session, booking),
        transfer_form=EmailForm(),
        position=_waitlist_position(booking),
    )


def _waitlist_position(booking: Booking) -> int | None:
    if booking.status != BookingStatus.WAITLISTED:
        return None
    queue = service.waitlist(db.session, booking.ticket_type)
    waiting = [b.id for b in queue if b.status == BookingStatus.WAITLISTED]
    return waiting.index(booking.id) + 1 if booking.id in waiting else None


@bp.route("/tickets/<token>")
def ticket(token: str) -> str:
    """The ticket reached by its token: the link in emails and what the QR code holds."""
    return render_template("tickets/ticket.html", booking=load_by_token(token), token=token)


@bp.route("/tickets/<token>/qr.png")
def qr_png_view(token: str) -> Response:
    """The ticket's QR code as PNG."""
    booking = load_by_token(token)
    response = Response(qr_png(links.ticket_url(booking)), mimetype="image/png")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/tickets/<token>/qr.svg")
def qr_svg_view(token: str) -> Response:
    """The ticket's QR code as SVG (for printing)."""
    booking = load_by_token(token)
    response = Response(qr_svg(links.ticket_url(booking)), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/tickets/<token>/event.ics")
def ticket_ics(token: str) -> Response:
    """The ticket's event as an .ics file."""
    booking = load_by_token(token)
    response = Response(event_ics(booking.event), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{booking.event.slug}.ics"'
    return response


@bp.route("/bookings/<int:booking_id>/release", methods=["POST"])
def release(booking_id: int) -> Response | tuple[str, int]:
    """Release a ticket (or leave the waitlist) in one click; a refusal is shown on "Your
    tickets", where the button is."""
    booking = load_booking(booking_id)
    try:
        service.release_booking(db.session, current_user, booking)
    except DomainError as error:
        db.session.rollback()
        return _render_mine(error.message, error.status_code)
    commit()
    flash(f"You have released your place at {booking.event.name}.", "success")
    return redirect(url_for("tickets.mine"))


@bp.route("/tickets/release/<signed>", methods=["GET", "POST"])
def release_link(signed: str) -> str | Response | tuple[str, int]:
    """Release from the signed link in a ticket email (GET asks, POST releases)."""
    try:
        booking = links.booking_from_link(db.session, signed, "release")
    except DomainError as error:
        return render_template("tickets/link_problem.html", message=error.message), 400
    if request.method == "POST" and booking.is_live:
        try:
            service.release_booking(db.session, None, booking)
        except DomainError as error:  # the event is over, or the ticket was checked in
            db.session.rollback()
            page = render_template("tickets/release.html", booking=booking, error=error.message)
            return page, error.status_code
        commit()
        return render_template("tickets/released.html", booking=booking)
    try:
        if booking.is_live:  # say so at once when the place can no longer be released
            service.refuse_release_after_end(booking)
            service.refuse_if_checked_in(booking)
    except DomainError as error:
        return render_template("tickets/release.html", booking=booking, error=error.message)
    return render_template("tickets/release.html", booking=booking, signed=signed)


@bp.route("/bookings/<int:booking_id>/claim", methods=["POST"])
def claim(booking_id: int) -> Response:
    """Claim an offered place."""
    booking = load_booking(booking_id)
    service.claim_offer(db.session, current_user, booking)
    commit()
    flash("The place is yours: your ticket is below and on its way by email.", "success")
    return redirect(url_for("tickets.show_booking", booking_id=booking.id))


@bp.route("/tickets/reconfirm/<signed>", methods=["GET", "POST"])
def reconfirm_link(signed: str) -> str | tuple[str, int]:
    """ "Still coming?": GET asks, POST confirms (mail scanners follow links, never POST)."""
    try:
        booking = links.booking_from_link(db.session, signed, "reconfirm")
    except DomainError as error:
        return render_template("tickets/link_problem.html", message=error.message), 400
    if request.method == "POST":
        noshow.reconfirm_booking(db.session, booking)
        commit()
    return render_template("tickets/reconfirm.html", booking=booking, signed=signed)


@bp.route("/bookings/<int:booking_id>/transfer", methods=["POST"])
def transfer(booking_id: int) -> Response | str | tuple[str, int]:
    """Send the ticket to a colleague's email address."""
    booking = load_booking(booking_id)
    form = EmailForm()
    if form.validate_on_submit():
        try:
            transfers.start_transfer(db.session, current_user, booking, form.email.data or "")
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            commit()
            flash(f"We have emailed {form.email.data} a link to accept your ticket.", "success")
            return redirect(url_for("tickets.show_booking", booking_id=booking.id))
    return render_template(
        "tickets/booking.html", booking=booking, transfer=None, transfer_form=form, position=None
    ), 400


@bp.route("/bookings/<int:booking_id>/transfer/cancel", methods=["POST"])
def cancel_transfer(booking_id: int) -> Response:
    """Withdraw a pending transfer."""
    booking = load_booking(booking_id)
    transfers.cancel_transfer(db.session, current_user, booking)
    commit()
    flash("The transfer has been withdrawn. The ticket is still yours.", "success")
    return redirect(url_for("tickets.show_booking", booking_id=booking.id))


@bp.route("/transfers/<token>", methods=["GET", "POST"])
def accept_transfer(token: str) -> str | Response | tuple[str, int]:
    """The colleague's page: sign in (or up), answer the questions, accept."""
    try:
        pending = transfers.transfer_for_token(db.session, token)
    except DomainError as error:
        return render_template("tickets/link_problem.html", message=error.message), 400
    event = pending.booking.event
    questions = questions_of(event)
    form = booking_form(questions, organisation=getattr(current_user, "organisation", ""))
    if is_signed_in(current_user) and form.validate_on_submit():
        try:
            booking = transfers.accept_transfer(
                db.session, current_user, token, answers_from(form, questions)
            )
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            commit()
            flash(f"The ticket for {event.name} is yours.", "success")
            return redirect(url_for("tickets.show_booking", booking_id=booking.id))
    return render_template("tickets/accept_transfer.html", transfer=pending, event=event, form=form)

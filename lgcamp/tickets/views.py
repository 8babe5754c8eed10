"""Ticket pages: booking, my tickets, offers, releases, transfers, and the organisers' tools."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from lgcamp import mail
from lgcamp.accounts.models import Person
from lgcamp.database import utcnow, write_intent
from lgcamp.errors import DomainError, show_on_form
from lgcamp.events.models import Event
from lgcamp.extensions import csrf, db
from lgcamp.feeds.ical import event_ics
from lgcamp.permissions import (
    authorize,
    can_book,
    can_manage_tickets,
    can_see_answers_to,
    can_view_answers,
    can_view_booking,
    can_view_event,
    is_signed_in,
    load_event,
    load_managed_event,
    signin_required,
)
from lgcamp.tickets import answers as answer_service
from lgcamp.tickets import ballot, export, links, manage, noshow, service, transfers
from lgcamp.tickets import booking as booking_service
from lgcamp.tickets.answers import QuestionDetails
from lgcamp.tickets.forms import (
    MAX_ID,
    AttendeeFilterForm,
    BulkEmailForm,
    CapacityForm,
    EmailForm,
    HelperForm,
    ManualAddForm,
    QuestionForm,
    SettingsForm,
    TicketTypeForm,
    answers_from,
    booking_form,
    json_answers,
    json_secret,
    json_ticket_type_id,
    local_to_utc,
    select_choices,
)
from lgcamp.tickets.models import (
    AllocationMode,
    Booking,
    BookingStatus,
    QuestionKind,
    TicketType,
    TicketVisibility,
)
from lgcamp.tickets.qr import qr_png, qr_svg
from lgcamp.transaction import commit

bp = Blueprint("tickets", __name__)


# --- loaders and shared steps -------------------------------------------------------------


def _load_type(event: Event, ticket_type_id: int) -> TicketType:
    ticket_type = service.get_ticket_type(db.session, event, ticket_type_id)
    if ticket_type is None:
        abort(404)
    return ticket_type


def _load_booking(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        abort(404)
    authorize(can_view_booking(current_user, booking))
    return booking


def _load_event_booking(event: Event, booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.event_id != event.id:
        abort(404)
    return booking


def _load_by_token(token: str) -> Booking:
    booking = service.booking_by_token(db.session, token)
    if booking is None or booking.status != BookingStatus.CONFIRMED:
        abort(404, "This ticket link is not valid: the ticket may have been reissued or ended.")
    return booking


def _refresh_offers(ticket_types: list[TicketType]) -> None:
    """Lazily expire offers and offer free places on a page that shows this ticket type.

    The check is a cheap read; only when there is work does the request switch to a write
    transaction (BEGIN IMMEDIATE on SQLite), so ordinary page views never take the write lock.
    """
    due = service.offers_due(db.session, [t.id for t in ticket_types])
    if not due:
        return
    db.session.rollback()
    write_intent.set(True)
    for ticket_type in ticket_types:
        if ticket_type.id in due:
            service.process_offers(db.session, ticket_type)
    commit()


def _begin_writing() -> None:
    """End the request's read-only transaction and let the next one take the write lock.

    Bookings read first (who, which event, which ticket) without holding SQLite's write lock,
    so concurrent requests do that part in parallel under WAL; only the booking itself runs
    in the write transaction. Objects loaded so far are kept (not expired): every rule that
    matters is checked again inside the write transaction by the service.
    """
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
    write_intent.set(True)


@bp.before_request
def _read_first() -> None:
    # Booking requests start read-only; _begin_writing switches (see above).
    if request.endpoint in READ_FIRST:
        write_intent.set(False)


READ_FIRST = {"tickets.api_book", "tickets.book"}


def _questions(event: Event) -> list[Any]:
    return answer_service.questions_for(db.session, event)


def _render_booking_page(
    event: Event, ticket_types: list[TicketType], form: Any, secret: str | None, status: int = 200
) -> tuple[str, int]:
    counts = service.type_counts(db.session, ticket_types) if ticket_types else {}
    return render_template(
        "tickets/event_tickets.html",
        event=event,
        ticket_types=ticket_types,
        counts=counts,
        form=form,
        secret=secret,
        booking=service.live_booking(db.session, current_user, event),
        sale_state=service.sale_state,
        closes_at=service.closes_at,
    ), status


@bp.app_template_global()
def now_utc() -> datetime:
    """The current time, for countdowns in templates."""
    return utcnow()


@bp.app_template_filter("duration")
def duration(seconds: float) -> str:
    """A span of time in words: '2 days, 3 hours', '5 minutes'."""
    seconds = max(int(seconds), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = max(rest // 60, 0 if days or hours else 1)
    parts = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return ", ".join(words) or "less than a minute"


@bp.app_template_global()
def ticket_panel(event: Event) -> dict[str, Any]:
    """What the event page shows about tickets: counts, sale state and the viewer's booking."""
    ticket_types = service.ticket_types_for(db.session, event)
    return {
        "ticket_types": ticket_types,
        "counts": service.type_counts(db.session, ticket_types) if ticket_types else {},
        "booking": service.live_booking(db.session, current_user, event),
        "sale_state": service.sale_state,
    }


# --- booking ------------------------------------------------------------------------------


@bp.route("/events/<slug>/tickets")
def event_tickets(slug: str) -> tuple[str, int]:
    """The public ticket types of an event, with the booking form."""
    event = load_event(slug)
    ticket_types = service.ticket_types_for(db.session, event)
    _refresh_offers(ticket_types)
    form = booking_form(_questions(event), organisation=getattr(current_user, "organisation", ""))
    return _render_booking_page(event, ticket_types, form, None)


@bp.route("/events/<slug>/tickets/private/<secret>")
def private_tickets(slug: str, secret: str) -> tuple[str, int]:
    """A hidden ticket type, reached by its secret link."""
    event = load_event(slug)
    ticket_type = service.ticket_type_by_secret(db.session, event, secret)
    if ticket_type is None:
        abort(404, "This private ticket link is not valid. Check you copied all of it.")
    _refresh_offers([ticket_type])
    form = booking_form(_questions(event), organisation=getattr(current_user, "organisation", ""))
    return _render_booking_page(event, [ticket_type], form, secret)


@bp.route("/events/<slug>/tickets/<int:ticket_type_id>/book", methods=["POST"])
def book(slug: str, ticket_type_id: int) -> Response | tuple[str, int]:
    """Book a ticket (or join the waitlist, or enter the ballot)."""
    event = load_event(slug)
    authorize(can_book(current_user, event))
    ticket_type = _load_type(event, ticket_type_id)
    questions = _questions(event)
    form = booking_form(questions)
    if form.validate_on_submit():
        _begin_writing()
        try:
            booking = service.book_ticket(
                db.session, current_user, ticket_type, answers_from(form, questions),
                secret=form.secret.data or None,
            )  # fmt: skip
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            commit()
            return redirect(url_for("tickets.show_booking", booking_id=booking.id))
    shown = [ticket_type] if ticket_type.is_hidden else service.ticket_types_for(db.session, event)
    return _render_booking_page(event, shown, form, form.secret.data or None, 400)


def _placed_json(placed: booking_service.BookingResult) -> dict[str, Any]:
    url = url_for("tickets.show_booking", booking_id=placed.id, _external=True)
    return booking_service.placed_json(placed, url)


@bp.route("/api/events/<slug>/bookings", methods=["POST"])
@csrf.exempt
def api_book(slug: str) -> tuple[Response, int]:
    """Book by JSON with the session cookie; answers {"booking": {...}} or a JSON error.

    CSRF-exempt but safe: it requires the header `X-Requested-With: lgcamp`, which a page on
    another site cannot add to a cross-site request without a CORS preflight (which we never
    grant), and the session cookie is SameSite=Lax, so it is not sent on cross-site POSTs.
    """
    if request.headers.get("X-Requested-With") != "lgcamp":
        abort(400, "Send the header X-Requested-With: lgcamp.")
    authorize(is_signed_in(current_user))
    data = request.get_json(silent=True)
    type_id = json_ticket_type_id(data)
    if type_id is None:
        load_event(slug)  # an unknown event is a 404 whatever was sent
        abort(400, 'Send a JSON object with "ticket_type_id" (a number).')
    # The release-rush path: the event and the ticket type in one query, the booking on the
    # session's connection with no ORM objects (tickets/booking.py). An id no column can hold
    # names no ticket type (the database would refuse it as a parameter).
    now = utcnow()
    bookable = (
        booking_service.load_bookable(db.session.connection(), slug, type_id, now)
        if 0 < type_id <= MAX_ID
        else None
    )
    if bookable is None or not can_view_event(current_user, bookable.event):
        abort(404)  # as load_event: an unknown event, or a draft this person may not see
    answers = json_answers(data, current_user.organisation)
    _begin_writing()
    placed = booking_service.place_booking(
        db.session.connection(), current_user.id, current_user.email, current_user.organisation,
        bookable, answers, json_secret(data), now, session=db.session(),
    )  # fmt: skip
    mail.send_after_commit(db.session(), list(placed.mail_ids))
    commit()
    return jsonify(booking=_placed_json(placed)), 201


# --- the holder's pages -------------------------------------------------------------------


@bp.route("/tickets/mine")
@signin_required
def mine() -> str:
    """Every booking of the signed-in person, with a large QR for each ticket."""
    return render_template(
        "tickets/mine.html", bookings=service.bookings_of(db.session, current_user)
    )


@bp.route("/bookings/<int:booking_id>")
def show_booking(booking_id: int) -> str:
    """A booking's page: the ticket and its QR, an offer to claim, or the waitlist place."""
    booking = _load_booking(booking_id)
    if booking.status == BookingStatus.OFFERED:
        _refresh_offers([booking.ticket_type])
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
    return render_template("tickets/ticket.html", booking=_load_by_token(token), token=token)


@bp.route("/tickets/<token>/qr.png")
def qr_png_view(token: str) -> Response:
    """The ticket's QR code as PNG."""
    booking = _load_by_token(token)
    response = Response(qr_png(links.ticket_url(booking)), mimetype="image/png")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/tickets/<token>/qr.svg")
def qr_svg_view(token: str) -> Response:
    """The ticket's QR code as SVG (for printing)."""
    booking = _load_by_token(token)
    response = Response(qr_svg(links.ticket_url(booking)), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/tickets/<token>/event.ics")
def ticket_ics(token: str) -> Response:
    """The ticket's event as an .ics file."""
    booking = _load_by_token(token)
    response = Response(event_ics(booking.event), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{booking.event.slug}.ics"'
    return response


@bp.route("/bookings/<int:booking_id>/release", methods=["POST"])
def release(booking_id: int) -> Response:
    """Release a ticket (or leave the waitlist) in one click."""
    booking = _load_booking(booking_id)
    service.release_booking(db.session, current_user, booking)
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
        service.release_booking(db.session, None, booking)
        commit()
        return render_template("tickets/released.html", booking=booking)
    return render_template("tickets/release.html", booking=booking, signed=signed)


@bp.route("/bookings/<int:booking_id>/claim", methods=["POST"])
def claim(booking_id: int) -> Response:
    """Claim an offered place."""
    booking = _load_booking(booking_id)
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
    booking = _load_booking(booking_id)
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
    booking = _load_booking(booking_id)
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
    questions = _questions(event)
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


# --- organisers -----------------------------------------------------------------------------


@bp.route("/events/<slug>/tickets/manage")
def manage_tickets(slug: str) -> str:
    """The organisers' ticket page: types, counts, questions, helpers, settings."""
    event = load_managed_event(slug)
    ticket_types = service.ticket_types_for(db.session, event, include_hidden=True)
    _refresh_offers(ticket_types)
    return render_template(
        "tickets/manage.html",
        event=event,
        ticket_types=ticket_types,
        counts=service.type_counts(db.session, ticket_types) if ticket_types else {},
        draws={t.id: ballot.draw_for(db.session, t) for t in ticket_types if t.is_ballot},
        questions=_questions(event),
        helpers=manage.helpers_of(db.session, event),
        question_form=QuestionForm(),
        helper_form=HelperForm(),
        capacity_form=CapacityForm(),
        settings=service.settings_for(db.session, event),
        sale_state=service.sale_state,
        closes_at=service.closes_at,
    )


def _type_details(form: TicketTypeForm, event: Event) -> service.TicketTypeDetails:
    return service.TicketTypeDetails(
        name=form.name.data or "",
        description=form.description.data or "",
        capacity=form.capacity.data or 0,
        opens_at=local_to_utc(form.opens_date.data, form.opens_time.data, event.timezone),
        closes_at=local_to_utc(form.closes_date.data, form.closes_time.data, event.timezone),
        visibility=TicketVisibility(form.visibility.data),
        allocation=AllocationMode(form.allocation.data),
        allow_transfer=bool(form.allow_transfer.data),
    )


@bp.route("/events/<slug>/tickets/types/new", methods=["GET", "POST"])
def new_type(slug: str) -> str | Response:
    """Add a ticket type."""
    event = load_managed_event(slug)
    form = TicketTypeForm()
    if form.validate_on_submit():
        try:
            service.create_ticket_type(db.session, current_user, event, _type_details(form, event))
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            commit()
            flash(f"The ticket type {form.name.data} has been added.", "success")
            return redirect(url_for("tickets.manage_tickets", slug=slug))
    return render_template("tickets/type_form.html", event=event, form=form, ticket_type=None)


@bp.route("/events/<slug>/tickets/types/<int:ticket_type_id>", methods=["GET", "POST"])
def edit_type(slug: str, ticket_type_id: int) -> str | Response:
    """Edit a ticket type (a capacity increase offers the new places to the waitlist)."""
    event = load_managed_event(slug)
    ticket_type = _load_type(event, ticket_type_id)
    form = TicketTypeForm(obj=ticket_type)
    if not form.is_submitted():
        form.fill_from(ticket_type)
    if form.validate_on_submit():
        try:
            details = _type_details(form, event)
            service.update_ticket_type(db.session, current_user, ticket_type, details)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            commit()
            flash("The ticket type has been saved.", "success")
            return redirect(url_for("tickets.manage_tickets", slug=slug))
    return render_template(
        "tickets/type_form.html", event=event, form=form, ticket_type=ticket_type
    )


@bp.route("/events/<slug>/tickets/types/<int:ticket_type_id>/capacity", methods=["POST"])
def change_capacity(slug: str, ticket_type_id: int) -> Response:
    """Change the capacity; new places go to the waitlist as offers."""
    event = load_managed_event(slug)
    ticket_type = _load_type(event, ticket_type_id)
    form = CapacityForm()
    if not form.validate_on_submit():
        raise DomainError(" ".join(form.capacity.errors) or "Enter a capacity")
    offers = service.change_capacity(db.session, current_user, ticket_type, form.capacity.data)
    commit()
    flash(
        f"Capacity is now {form.capacity.data}. {offers} offer(s) sent to the waitlist.", "success"
    )
    return redirect(url_for("tickets.manage_tickets", slug=slug))


@bp.route("/events/<slug>/tickets/types/<int:ticket_type_id>/draw", methods=["POST"])
def draw(slug: str, ticket_type_id: int) -> Response:
    """Draw a ballot now that booking has closed."""
    event = load_managed_event(slug)
    result = ballot.draw_ballot(db.session, _load_type(event, ticket_type_id))
    commit()
    flash(f"Ballot drawn: {result.winners} of {result.entrants} entrants got a place.", "success")
    return redirect(url_for("tickets.manage_tickets", slug=slug))


def _filters(event: Event) -> tuple[AttendeeFilterForm, manage.AttendeeFilter]:
    form = AttendeeFilterForm(request.args)
    types = service.ticket_types_for(db.session, event, include_hidden=True)
    form.ticket_type.choices = select_choices([("", "All")] + [(str(t.id), t.name) for t in types])
    statuses = [(s.value, s.value.capitalize()) for s in BookingStatus]
    form.status.choices = select_choices([("", "All"), *statuses])
    form.validate()
    type_id = form.ticket_type.data if not form.ticket_type.errors else ""
    return form, manage.AttendeeFilter(
        q=(form.q.data or "")[:100],
        ticket_type_id=int(type_id) if str(type_id or "").isdigit() else None,
        status=form.status.data if not form.status.errors else "",
        checked_in=form.checked_in.data if not form.checked_in.errors else "",
    )


@bp.route("/events/<slug>/tickets/attendees")
def attendees(slug: str) -> str:
    """The attendee list with search and filters, and each person's attendance record."""
    event = load_managed_event(slug)
    form, filters = _filters(event)
    bookings = manage.attendee_list(db.session, event, filters)
    add_form = ManualAddForm()
    add_form.ticket_type_id.choices = form.ticket_type.choices[1:]  # type: ignore[index]
    return render_template(
        "tickets/attendees.html",
        event=event,
        bookings=bookings,
        form=form,
        add_form=add_form,
        records=noshow.attendance_records(db.session, sorted({b.person_id for b in bookings})),
    )


@bp.route("/events/<slug>/tickets/attendees.csv")
def export_csv(slug: str) -> Response:
    """The filtered attendee list as CSV; its first line says what it contains."""
    event = load_managed_event(slug)
    _form, filters = _filters(event)
    bookings = manage.attendee_list(db.session, event, filters)
    questions = [q for q in _questions(event) if q.purged_at is None]
    answers = answer_service.answers_by_booking(db.session, [b.id for b in bookings])
    retention = service.settings_for(db.session, event).answer_retention_days
    body = export.attendees_csv(event, bookings, questions, answers, retention)
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{event.slug}-attendees.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/events/<slug>/tickets/waitlist")
def waitlist(slug: str) -> str:
    """Each ticket type's open offers and waitlist, in order."""
    event = load_managed_event(slug)
    ticket_types = service.ticket_types_for(db.session, event, include_hidden=True)
    _refresh_offers(ticket_types)
    queues = {t.id: service.waitlist(db.session, t) for t in ticket_types}
    return render_template(
        "tickets/waitlist.html", event=event, ticket_types=ticket_types, queues=queues
    )


@bp.route("/events/<slug>/tickets/bookings", methods=["POST"])
def add_booking(slug: str) -> Response:
    """Give a ticket to someone with an account."""
    event = load_managed_event(slug)
    form = ManualAddForm()
    types = service.ticket_types_for(db.session, event, include_hidden=True)
    form.ticket_type_id.choices = select_choices([(str(t.id), t.name) for t in types])
    if not form.validate_on_submit():
        raise DomainError(" ".join(e for errs in form.errors.values() for e in errs))
    ticket_type = _load_type(event, int(form.ticket_type_id.data))
    booking = service.add_booking_manually(
        db.session, current_user, ticket_type, form.email.data or ""
    )
    commit()
    flash(f"{booking.person.name} now has a {ticket_type.name} ticket.", "success")
    return redirect(url_for("tickets.attendees", slug=slug))


@bp.route(
    "/events/<slug>/tickets/bookings/<int:booking_id>/<any(cancel,reissue,move):action>",
    methods=["POST"],
)
def booking_action(slug: str, booking_id: int, action: str) -> Response:
    """Cancel a booking, reissue its ticket, or move it from the waitlist to a ticket."""
    event = load_managed_event(slug)
    booking = _load_event_booking(event, booking_id)
    operation = {
        "cancel": service.cancel_booking,
        "reissue": service.reissue_token,
        "move": service.move_from_waitlist,
    }[action]
    operation(db.session, current_user, booking)
    commit()
    flash(f"The booking of {booking.person.name} has been {DONE[action]}.", "success")
    back = "tickets.waitlist" if request.form.get("back") == "waitlist" else "tickets.attendees"
    return redirect(url_for(back, slug=slug))


DONE = {
    "cancel": "cancelled",
    "reissue": "reissued (the old QR code no longer works)",
    "move": "given a ticket",
}


@bp.route("/events/<slug>/tickets/people/<int:person_id>")
def person_history(slug: str, person_id: int) -> str:
    """One person's attendance record across past events (a fact, not a penalty)."""
    event = load_managed_event(slug)
    person = db.session.get(Person, person_id)
    booked = person is not None and any(
        b.event_id == event.id for b in service.bookings_of(db.session, person)
    )
    if person is None or not booked:  # organisers see people who booked their event only
        abort(404)
    return render_template(
        "tickets/person.html",
        event=event,
        person=person,
        history=noshow.no_show_history(db.session, person_id),
        record=noshow.attendance_records(db.session, [person_id])[person_id],
    )


@bp.route("/events/<slug>/tickets/email", methods=["GET", "POST"])
def email_attendees(slug: str) -> str | Response:
    """Email every ticket holder or the waitlist (a retried send queues no duplicates)."""
    event = load_managed_event(slug)
    form = BulkEmailForm()
    if not form.is_submitted():
        form.send_key.data = secrets.token_urlsafe(12)
    if form.validate_on_submit():
        count = manage.email_attendees(
            db.session, current_user, event, form.audience.data or "", form.subject.data or "",
            form.body.data or "", form.send_key.data or "",
        )  # fmt: skip
        commit()
        flash(f"Your message is on its way to {count} people.", "success")
        return redirect(url_for("tickets.manage_tickets", slug=slug))
    return render_template("tickets/email_attendees.html", event=event, form=form)


@bp.route("/events/<slug>/tickets/settings", methods=["GET", "POST"])
def settings(slug: str) -> str | Response:
    """Offers, reminders, retention, reconfirmation and door release for the event."""
    event = load_managed_event(slug)
    form = SettingsForm(obj=service.settings_for(db.session, event))
    if form.validate_on_submit():
        fields = manage.SettingsDetails.__dataclass_fields__
        details = manage.SettingsDetails(**{name: form[name].data for name in fields})
        try:
            manage.save_settings(db.session, event, details)
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
        else:
            commit()
            flash("The ticket settings have been saved.", "success")
            return redirect(url_for("tickets.manage_tickets", slug=slug))
    return render_template("tickets/settings.html", event=event, form=form)


@bp.route("/events/<slug>/tickets/questions", methods=["POST"])
def add_question(slug: str) -> Response:
    """Add a question to the booking form."""
    event = load_managed_event(slug)
    form = QuestionForm()
    if not form.validate_on_submit():
        raise DomainError(" ".join(e for errs in form.errors.values() for e in errs))
    details = QuestionDetails(
        label=form.label.data or "", hint=form.hint.data or "", kind=QuestionKind(form.kind.data),
        choices=form.choices.data or "", is_required=bool(form.is_required.data),
        visibility=form.visibility.data or "", is_sensitive=bool(form.is_sensitive.data),
    )  # fmt: skip
    answer_service.add_question(db.session, event, details)
    commit()
    flash("The question has been added to the booking form.", "success")
    return redirect(url_for("tickets.manage_tickets", slug=slug))


@bp.route("/events/<slug>/tickets/questions/<int:question_id>/delete", methods=["POST"])
def delete_question(slug: str, question_id: int) -> Response:
    """Remove a question and its answers."""
    event = load_managed_event(slug)
    answer_service.delete_question(db.session, event, question_id)
    commit()
    flash("The question and its answers have been deleted.", "success")
    return redirect(url_for("tickets.manage_tickets", slug=slug))


@bp.route("/events/<slug>/tickets/helpers", methods=["POST"])
def add_helper(slug: str) -> Response:
    """Give a person a helper role (catering, access lead)."""
    event = load_managed_event(slug)
    form = HelperForm()
    if not form.validate_on_submit():
        raise DomainError(" ".join(e for errs in form.errors.values() for e in errs))
    helper = manage.add_helper(db.session, event, form.email.data or "", form.role.data or "")
    commit()
    flash(f"{helper.person.name} has been added as a helper.", "success")
    return redirect(url_for("tickets.manage_tickets", slug=slug))


@bp.route("/events/<slug>/tickets/helpers/<int:role_id>/remove", methods=["POST"])
def remove_helper(slug: str, role_id: int) -> Response:
    """Take a helper role away."""
    event = load_managed_event(slug)
    manage.remove_helper(db.session, event, role_id)
    commit()
    flash("The helper has been removed.", "success")
    return redirect(url_for("tickets.manage_tickets", slug=slug))


@bp.route("/events/<slug>/tickets/door-release", methods=["POST"])
def door_release(slug: str) -> Response:
    """Release now every ticket not checked in (places go to walk-ins)."""
    event = load_managed_event(slug)
    released = noshow.door_release(db.session, event)
    commit()
    flash(f"{released} place(s) not checked in have been released for walk-ins.", "success")
    return redirect(url_for("tickets.manage_tickets", slug=slug))


@bp.route("/events/<slug>/tickets/answers")
def answers(slug: str) -> str:
    """Answers and totals: organisers see all; a helper sees the questions opened to them."""
    event = load_event(slug)
    authorize(can_view_answers(current_user, event))
    visible = [
        q for q in _questions(event) if can_see_answers_to(current_user, event, q.visibility)
    ]
    return render_template(
        "tickets/answers.html",
        event=event,
        reports=answer_service.answer_reports(db.session, visible),
        full_list=can_manage_tickets(current_user, event),
    )

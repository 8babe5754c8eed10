"""The organisers' ticket pages: ticket types, capacity, ballot, attendees, waitlist, email,
settings, questions and helpers."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from lgcamp.accounts.models import Person
from lgcamp.errors import DomainError, show_on_form
from lgcamp.events.models import Event
from lgcamp.extensions import db
from lgcamp.pagination import page_number, page_of
from lgcamp.permissions import (
    authorize,
    can_manage_tickets,
    can_see_answers_to,
    can_view_answers,
    load_event,
    load_managed_event,
)
from lgcamp.tickets import answers as answer_service
from lgcamp.tickets import ballot, export, manage, noshow, service, types
from lgcamp.tickets.blueprint import (
    bp,
    load_event_booking,
    load_type,
    questions_of,
)
from lgcamp.tickets.booking import (
    closes_at,
    sale_state,
)
from lgcamp.tickets.forms import (
    AttendeeFilterForm,
    CapacityForm,
    HelperForm,
    ManualAddForm,
    QuestionForm,
    SettingsForm,
    TicketTypeForm,
    local_to_utc,
    select_choices,
)
from lgcamp.tickets.models import (
    AllocationMode,
    BookingStatus,
    TicketVisibility,
)
from lgcamp.tickets.offers import settings_for
from lgcamp.transaction import commit

# --- organisers -----------------------------------------------------------------------------


@bp.route("/events/<slug>/tickets/manage")
def manage_tickets(slug: str) -> str:
    """The organisers' ticket page: types, counts, questions, helpers, settings."""
    event = load_managed_event(slug)
    ticket_types = service.ticket_types_for(db.session, event, include_hidden=True)
    return render_template(
        "tickets/manage.html",
        event=event,
        ticket_types=ticket_types,
        counts=service.type_counts(db.session, ticket_types) if ticket_types else {},
        draws={t.id: ballot.draw_for(db.session, t) for t in ticket_types if t.is_ballot},
        questions=questions_of(event),
        helpers=manage.helpers_of(db.session, event),
        question_form=QuestionForm(),
        helper_form=HelperForm(),
        capacity_form=CapacityForm(),
        settings=settings_for(db.session, event),
        sale_state=sale_state,
        closes_at=closes_at,
    )


def _type_details(form: TicketTypeForm, event: Event) -> types.TicketTypeDetails:
    return types.TicketTypeDetails(
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
            types.create_ticket_type(db.session, current_user, event, _type_details(form, event))
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
    ticket_type = load_type(event, ticket_type_id)
    form = TicketTypeForm(obj=ticket_type)
    if not form.is_submitted():
        form.fill_from(ticket_type)
    if form.validate_on_submit():
        try:
            details = _type_details(form, event)
            types.update_ticket_type(db.session, current_user, ticket_type, details)
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
    ticket_type = load_type(event, ticket_type_id)
    form = CapacityForm()
    if not form.validate_on_submit():
        raise DomainError(" ".join(form.capacity.errors) or "Enter a capacity")
    offers = types.change_capacity(db.session, current_user, ticket_type, form.capacity.data)
    commit()
    flash(
        f"Capacity is now {form.capacity.data}. {offers} offer(s) sent to the waitlist.", "success"
    )
    return redirect(url_for("tickets.manage_tickets", slug=slug))


@bp.route("/events/<slug>/tickets/types/<int:ticket_type_id>/draw", methods=["POST"])
def draw(slug: str, ticket_type_id: int) -> Response:
    """Draw a ballot now that booking has closed."""
    event = load_managed_event(slug)
    result = ballot.draw_ballot(db.session, load_type(event, ticket_type_id))
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
def attendees(slug: str) -> tuple[str, int]:
    """The attendee list with search and filters, and each person's attendance record."""
    return _render_attendees(load_managed_event(slug), ManualAddForm())


def _render_attendees(
    event: Event, add_form: ManualAddForm, status: int = 200, action_error: str | None = None
) -> tuple[str, int]:
    """The attendee list; `add_form` ("Give a ticket") comes back with its errors, and a
    refused action on a booking (cancel, reissue) with its message."""
    form, filters = _filters(event)
    paged = manage.attendee_page(db.session, event, filters, page_number(request.args))
    add_form.ticket_type_id.choices = form.ticket_type.choices[1:]
    return render_template(
        "tickets/attendees.html",
        event=event,
        paged=paged,
        form=form,
        add_form=add_form,
        action_error=action_error,
        records=noshow.attendance_records(db.session, sorted({b.person_id for b in paged.items})),
    ), status


@bp.route("/events/<slug>/tickets/attendees.csv")
def export_csv(slug: str) -> Response:
    """The filtered attendee list as CSV; its first line says what it contains."""
    event = load_managed_event(slug)
    _form, filters = _filters(event)
    bookings = manage.attendee_list(db.session, event, filters)
    questions = [q for q in questions_of(event) if q.purged_at is None]
    answers = answer_service.answers_by_booking(db.session, [b.id for b in bookings])
    retention = settings_for(db.session, event).answer_retention_days
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
    queues = {
        t.id: page_of(service.waitlist(db.session, t), page_number(request.args, f"page-{t.id}"))
        for t in ticket_types
    }
    return render_template(
        "tickets/waitlist.html", event=event, ticket_types=ticket_types, queues=queues
    )


@bp.route("/events/<slug>/tickets/bookings", methods=["POST"])
def add_booking(slug: str) -> Response | tuple[str, int]:
    """Give a ticket to someone with an account; a refusal stays on the form."""
    event = load_managed_event(slug)
    form = ManualAddForm()
    types = service.ticket_types_for(db.session, event, include_hidden=True)
    form.ticket_type_id.choices = select_choices([(str(t.id), t.name) for t in types])
    if not form.validate_on_submit():
        return _render_attendees(event, form, 400)
    ticket_type = load_type(event, int(form.ticket_type_id.data))
    try:
        booking = service.add_booking_manually(
            db.session, current_user, ticket_type, form.email.data or ""
        )
    except DomainError as error:
        db.session.rollback()
        show_on_form(form, error)
        return _render_attendees(event, form, error.status_code)
    commit()
    flash(f"{booking.person.name} now has a {ticket_type.name} ticket.", "success")
    return redirect(url_for("tickets.attendees", slug=slug))


@bp.route(
    "/events/<slug>/tickets/bookings/<int:booking_id>/<any(cancel,reissue,move):action>",
    methods=["POST"],
)
def booking_action(slug: str, booking_id: int, action: str) -> Response | tuple[str, int]:
    """Cancel a booking, reissue its ticket, or move it from the waitlist to a ticket."""
    event = load_managed_event(slug)
    booking = load_event_booking(event, booking_id)
    operation = {
        "cancel": service.cancel_booking,
        "reissue": service.reissue_token,
        "move": service.move_from_waitlist,
    }[action]
    try:
        operation(db.session, current_user, booking)
    except DomainError as error:
        if request.form.get("back") == "waitlist":
            raise
        db.session.rollback()  # refused on the attendee list: shown there
        return _render_attendees(
            event, ManualAddForm(formdata=None), error.status_code, error.message
        )
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


@bp.route("/events/<slug>/tickets/settings", methods=["GET", "POST"])
def settings(slug: str) -> str | Response:
    """Offers, reminders, retention, reconfirmation and door release for the event."""
    event = load_managed_event(slug)
    form = SettingsForm(obj=settings_for(db.session, event))
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


@bp.route("/events/<slug>/tickets/door-release", methods=["GET", "POST"])
def door_release(slug: str) -> Response | str:
    """Release now every ticket not checked in (places go to walk-ins), after a confirmation
    page that says how many places that is; each holder is emailed."""
    event = load_managed_event(slug)
    if request.method == "GET":
        count = noshow.places_to_release(db.session, event)
        return render_template("tickets/door_release.html", event=event, count=count)
    released = noshow.door_release(db.session, event)
    commit()
    places = "1 place" if released == 1 else f"{released} places"
    flash(
        f"{places} not checked in released for walk-ins; each holder has been emailed.", "success"
    )
    return redirect(url_for("tickets.manage_tickets", slug=slug))


@bp.route("/events/<slug>/tickets/answers")
def answers(slug: str) -> str:
    """Answers and totals: organisers see all; a helper sees the questions opened to them."""
    event = load_event(slug)
    authorize(can_view_answers(current_user, event))
    visible = [
        q for q in questions_of(event) if can_see_answers_to(current_user, event, q.visibility)
    ]
    return render_template(
        "tickets/answers.html",
        event=event,
        reports=answer_service.answer_reports(db.session, visible),
        full_list=can_manage_tickets(current_user, event),
    )

"""Organisers' set-up pages: rooms, time slots and volunteers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from lgcamp.errors import DomainError, show_on_form
from lgcamp.events.models import Event
from lgcamp.extensions import db
from lgcamp.programme import planning
from lgcamp.programme.blueprint import bp, load_grid_event, owned
from lgcamp.programme.forms import RoomForm, SlotForm, VolunteerForm
from lgcamp.programme.models import Room, SlotKind, TimeSlot
from lgcamp.transaction import commit


def _to_utc(event: Event, form: SlotForm) -> tuple[datetime, datetime]:
    starts = datetime.combine(form.day.data, form.start_time.data, tzinfo=event.tz)
    ends = datetime.combine(form.day.data, form.end_time.data, tzinfo=event.tz)
    return starts.astimezone(UTC), ends.astimezone(UTC)


def _manage_page(event: Event, status: int = 200, **forms: Any) -> tuple[str, int]:
    forms.setdefault("room_form", RoomForm())
    slot_form = forms.setdefault("slot_form", SlotForm())
    if not slot_form.is_submitted():
        slot_form.day.data = event.local_starts_at.date()
    forms.setdefault("volunteer_form", VolunteerForm())
    return render_template(
        "programme/manage.html",
        event=event,
        rooms=planning.active_rooms(db.session, event),
        slots=planning.slots_of(db.session, event),
        outside=planning.slots_outside(db.session, event),
        volunteers=planning.volunteers_of(db.session, event),
        **forms,
    ), status


@bp.route("/events/<slug>/programme")
def manage(slug: str) -> tuple[str, int]:
    """Rooms, time slots and volunteers."""
    return _manage_page(load_grid_event(slug))


@bp.route("/events/<slug>/programme/default-day", methods=["POST"])
def default_day(slug: str) -> Response:
    """Create the typical camp day in one click."""
    event = load_grid_event(slug)
    planning.create_default_day(db.session, event)
    commit()
    flash("A default camp day has been added. Adjust the rooms and times below.", "success")
    return redirect(url_for("programme.manage", slug=slug))


def _room_details(form: RoomForm) -> planning.RoomDetails:
    return planning.RoomDetails(
        name=form.name.data or "",
        capacity=form.capacity.data or 0,
        directions=form.directions.data or "",
        access_notes=form.access_notes.data or "",
        sort_order=form.sort_order.data or 0,
    )


@bp.route("/events/<slug>/programme/rooms", methods=["POST"])
def add_room(slug: str) -> Response | tuple[str, int]:
    """Add a room."""
    event = load_grid_event(slug)
    form = RoomForm()
    if form.validate_on_submit():
        try:
            room = planning.add_room(db.session, event, _room_details(form))
        except DomainError as error:
            show_on_form(form, error)
        else:
            commit()
            flash(f"{room.name} has been added.", "success")
            return redirect(url_for("programme.manage", slug=slug))
    return _manage_page(event, 400, room_form=form)


@bp.route("/events/<slug>/programme/rooms/<int:room_id>/edit", methods=["GET", "POST"])
def edit_room(slug: str, room_id: int) -> str | Response:
    """Change a room."""
    event = load_grid_event(slug)
    room = owned(Room, room_id, event)
    form = RoomForm(obj=room)
    if form.validate_on_submit():
        try:
            planning.update_room(db.session, room, _room_details(form))
        except DomainError as error:
            show_on_form(form, error)
        else:
            commit()
            flash(f"{room.name} has been saved.", "success")
            return redirect(url_for("programme.manage", slug=slug))
    return render_template("programme/room_edit.html", event=event, room=room, form=form)


@bp.route("/events/<slug>/programme/rooms/<int:room_id>/remove", methods=["POST"])
def remove_room(slug: str, room_id: int) -> Response:
    """Remove a room; its sessions go back to the unscheduled pitches."""
    event = load_grid_event(slug)
    room = owned(Room, room_id, event)
    moved = planning.remove_room(db.session, current_user, room)
    commit()
    flash(f"{room.name} has been removed; {moved} session(s) were taken off the grid.", "success")
    return redirect(url_for("programme.manage", slug=slug))


@bp.route("/events/<slug>/programme/slots", methods=["POST"])
def add_slot(slug: str) -> Response | tuple[str, int]:
    """Add a time slot."""
    event = load_grid_event(slug)
    form = SlotForm()
    if form.validate_on_submit():
        try:
            starts, ends = _to_utc(event, form)
            planning.add_slot(
                db.session, event, starts, ends, SlotKind(form.kind.data), form.label.data or ""
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            commit()
            flash("The time slot has been added.", "success")
            return redirect(url_for("programme.manage", slug=slug))
    return _manage_page(event, 400, slot_form=form)


@bp.route("/events/<slug>/programme/slots/<int:slot_id>/edit", methods=["GET", "POST"])
def edit_slot(slug: str, slot_id: int) -> str | Response:
    """Change a time slot."""
    event = load_grid_event(slug)
    slot = owned(TimeSlot, slot_id, event)
    form = SlotForm(kind=slot.kind.value, label=slot.label)
    if not form.is_submitted():
        form.day.data = slot.starts_at.astimezone(event.tz).date()
        form.start_time.data = slot.starts_at.astimezone(event.tz).time()
        form.end_time.data = slot.ends_at.astimezone(event.tz).time()
    if form.validate_on_submit():
        try:
            starts, ends = _to_utc(event, form)
            planning.update_slot(
                db.session, slot, starts, ends, SlotKind(form.kind.data), form.label.data or ""
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            commit()
            flash("The time slot has been saved.", "success")
            return redirect(url_for("programme.manage", slug=slug))
    return render_template("programme/slot_edit.html", event=event, slot=slot, form=form)


@bp.route("/events/<slug>/programme/slots/<int:slot_id>/remove", methods=["POST"])
def remove_slot(slug: str, slot_id: int) -> Response:
    """Delete an empty time slot."""
    event = load_grid_event(slug)
    planning.remove_slot(db.session, owned(TimeSlot, slot_id, event))
    commit()
    flash("The time slot has been removed.", "success")
    return redirect(url_for("programme.manage", slug=slug))


@bp.route("/events/<slug>/programme/volunteers", methods=["POST"])
def add_volunteer(slug: str) -> Response | tuple[str, int]:
    """Give someone the volunteer role (pitch queue, room-full flags)."""
    event = load_grid_event(slug)
    form = VolunteerForm()
    if form.validate_on_submit():
        try:
            person = planning.add_volunteer(db.session, event, form.email.data or "")
        except DomainError as error:
            show_on_form(form, error)
        else:
            commit()
            flash(f"{person.name} is now a volunteer.", "success")
            return redirect(url_for("programme.manage", slug=slug))
    return _manage_page(event, 400, volunteer_form=form)


@bp.route("/events/<slug>/programme/volunteers/<int:person_id>/remove", methods=["POST"])
def remove_volunteer(slug: str, person_id: int) -> Response:
    """Take the volunteer role away."""
    event = load_grid_event(slug)
    planning.remove_volunteer(db.session, event, person_id)
    commit()
    flash("The volunteer has been removed.", "success")
    return redirect(url_for("programme.manage", slug=slug))

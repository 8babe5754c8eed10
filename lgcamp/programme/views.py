"""Programme pages: pitching, session pages, stars, the pitch queue, rooms and slots, the grid
editor, and the public live grid with its conditional (ETag) polling endpoint.

Longer than most views modules because the feature has many small routes; each handler stays
thin (parse, load, authorise, call one service, commit, answer).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie_session
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from lgcamp.database import utcnow
from lgcamp.errors import DomainError, show_on_form
from lgcamp.events.models import Event
from lgcamp.extensions import db
from lgcamp.permissions import (
    authorize,
    can_edit_grid,
    can_edit_session,
    can_flag_room_full,
    can_pitch,
    can_star,
    can_use_pitch_queue,
    is_signed_in,
    load_event,
    load_event_for,
)
from lgcamp.programme import grid as grid_service
from lgcamp.programme import service
from lgcamp.programme.forms import (
    HostForm,
    NotesForm,
    PitchForm,
    PlaceForm,
    QueuePitchForm,
    RoomForm,
    SlotForm,
    TookPlaceForm,
    VersionForm,
    VolunteerForm,
)
from lgcamp.programme.models import CampSession, GridChange, Room, SessionFormat, SlotKind, TimeSlot
from lgcamp.transaction import commit

bp = Blueprint("programme", __name__)

LIVE_VIEWS = ("grid", "screen")
_INDENT = re.compile(r"\n\s+")
POLL_SECONDS = 3  # changes reach open grids within 5 s: one poll interval plus the request
# Cache-Control of public grid answers (lgcamp/fastpath.py answers their 304s with the same).
LIVE_CACHE = "no-cache"


@bp.app_template_filter("hhmm")
def hhmm(moment: datetime, event: Event) -> str:
    """A time of day in the event's timezone."""
    return f"{moment.astimezone(event.tz):%H:%M}"


# --- loaders -----------------------------------------------------------------------------------


def load_grid_event(slug: str) -> Event:
    """The event, or 404; then 403 unless the person may edit its programme."""
    return load_event_for(slug, can_edit_grid)


def load_session(slug: str, session_id: int) -> CampSession:
    """A session of a visible event, or 404."""
    event = load_event(slug)
    camp_session = db.session.get(CampSession, session_id)
    if camp_session is None or camp_session.event_id != event.id:
        abort(404)
    return camp_session


def load_editable_session(slug: str, session_id: int) -> CampSession:
    """A session its hosts or the organisers may change."""
    camp_session = load_session(slug, session_id)
    authorize(can_edit_session(current_user, camp_session))
    return camp_session


def _owned(
    model: type[Room] | type[TimeSlot] | type[GridChange], item_id: int, event: Event
) -> Any:
    item = db.session.get(model, item_id)
    if item is None or item.event_id != event.id:
        abort(404)
    return item


def _details(form: PitchForm | QueuePitchForm) -> service.PitchDetails:
    return service.PitchDetails(
        title=form.title.data or "",
        description=form.description.data or "",
        format=SessionFormat(form.format.data),
        accessibility=(form.accessibility.data or "") if isinstance(form, PitchForm) else "",
    )


def _to_utc(event: Event, form: SlotForm) -> tuple[datetime, datetime]:
    starts = datetime.combine(form.day.data, form.start_time.data, tzinfo=event.tz)  # type: ignore[arg-type]
    ends = datetime.combine(form.day.data, form.end_time.data, tzinfo=event.tz)  # type: ignore[arg-type]
    return starts.astimezone(UTC), ends.astimezone(UTC)


def _back_to_session(camp_session: CampSession) -> Response:
    return redirect(
        url_for("programme.show_session", slug=camp_session.event.slug, session_id=camp_session.id)
    )


# --- pitches and session pages -----------------------------------------------------------------


@bp.route("/events/<slug>/sessions")
def pitches(slug: str) -> str:
    """Every pitched session, with stars for ticket holders."""
    event = load_event(slug)
    sessions = service.pitches_of(db.session, event)
    starred = (
        service.starred_ids(db.session, current_user, event)
        if is_signed_in(current_user)
        else set()
    )
    stars = grid_service.star_counts(db.session, [s.id for s in sessions])
    return render_template(
        "programme/pitches.html", event=event, sessions=sessions, starred=starred, stars=stars
    )


@bp.route("/events/<slug>/sessions/new", methods=["GET", "POST"])
def pitch(slug: str) -> str | Response | tuple[str, int]:
    """Pitch a session (ticket holders)."""
    event = load_event(slug)
    authorize(is_signed_in(current_user))
    if not can_pitch(current_user, event):
        return render_template("programme/need_ticket.html", event=event), 403
    form = PitchForm()
    if form.validate_on_submit():
        try:
            co_hosts = service.parse_co_hosts(db.session, form.co_hosts.data or "")
            camp_session = service.pitch_session(
                db.session, current_user, event, _details(form), co_hosts
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            commit()
            flash(f"Your session “{camp_session.title}” has been pitched.", "success")
            return _back_to_session(camp_session)
    return render_template("programme/pitch.html", event=event, form=form, camp_session=None)


@bp.route("/events/<slug>/sessions/<int:session_id>")
def show_session(slug: str, session_id: int) -> str:
    """A session's page: description, hosts, room and time, stars, notes."""
    camp_session = load_session(slug, session_id)
    starred = (
        camp_session.id in service.starred_ids(db.session, current_user, camp_session.event)
        if is_signed_in(current_user)
        else False
    )
    return render_template(
        "programme/session.html",
        event=camp_session.event,
        camp_session=camp_session,
        stars=grid_service.star_counts(db.session, [camp_session.id]).get(camp_session.id, 0),
        starred=starred,
        is_full=service.is_room_full(db.session, camp_session),
        took_place=camp_session.took_place(utcnow()),
        host_form=HostForm(),
        notes_form=NotesForm(notes_url=camp_session.notes_url),
        took_place_form=TookPlaceForm(
            took_place={None: "auto", True: "yes", False: "no"}[camp_session.took_place_override]
        ),
    )


@bp.route("/events/<slug>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def edit_session(slug: str, session_id: int) -> str | Response:
    """Edit a pitch (its hosts and the organisers)."""
    camp_session = load_editable_session(slug, session_id)
    form = PitchForm(obj=camp_session)
    if not form.is_submitted():
        form.format.data = camp_session.format.value
    if form.validate_on_submit():
        try:
            service.update_pitch(db.session, camp_session, _details(form))
        except DomainError as error:
            show_on_form(form, error)
        else:
            commit()
            flash("Your changes have been saved.", "success")
            return _back_to_session(camp_session)
    return render_template(
        "programme/pitch.html", event=camp_session.event, form=form, camp_session=camp_session
    )


@bp.route("/events/<slug>/sessions/<int:session_id>/withdraw", methods=["POST"])
def withdraw_session(slug: str, session_id: int) -> Response:
    """Withdraw a pitch (its hosts and the organisers)."""
    camp_session = load_editable_session(slug, session_id)
    service.withdraw_session(db.session, current_user, camp_session)
    commit()
    flash(f"“{camp_session.title}” has been withdrawn.", "success")
    return _back_to_session(camp_session)


@bp.route("/events/<slug>/sessions/<int:session_id>/hosts", methods=["POST"])
def add_host(slug: str, session_id: int) -> Response:
    """Add a co-host found by name or email."""
    camp_session = load_editable_session(slug, session_id)
    form = HostForm()
    if not form.validate():
        raise DomainError(" ".join(form.host.errors) or "Enter the co-host's name or email")
    person = service.add_co_host(db.session, camp_session, form.host.data or "")
    commit()
    flash(f"{person.name} now co-hosts this session.", "success")
    return _back_to_session(camp_session)


@bp.route("/events/<slug>/sessions/<int:session_id>/hosts/<int:person_id>/remove", methods=["POST"])
def remove_host(slug: str, session_id: int, person_id: int) -> Response:
    """Remove a host (a session keeps at least one)."""
    camp_session = load_editable_session(slug, session_id)
    service.remove_co_host(db.session, camp_session, person_id)
    commit()
    flash("The host has been removed.", "success")
    return _back_to_session(camp_session)


@bp.route("/events/<slug>/sessions/<int:session_id>/notes", methods=["POST"])
def set_notes(slug: str, session_id: int) -> Response:
    """Add or change the shared notes link (http and https only)."""
    camp_session = load_editable_session(slug, session_id)
    form = NotesForm()
    if not form.validate():
        raise DomainError(" ".join(form.notes_url.errors))
    service.set_notes_url(db.session, camp_session, form.notes_url.data or "")
    commit()
    flash("The notes link has been saved.", "success")
    return _back_to_session(camp_session)


@bp.route("/events/<slug>/sessions/<int:session_id>/took-place", methods=["POST"])
def set_took_place(slug: str, session_id: int) -> Response:
    """Say whether the session took place (evidence of hosting)."""
    camp_session = load_editable_session(slug, session_id)
    form = TookPlaceForm()
    if not form.validate():
        raise DomainError("Choose whether the session took place")
    value = {"auto": None, "yes": True, "no": False}[form.took_place.data]
    service.set_took_place(db.session, camp_session, value)
    commit()
    flash("Saved.", "success")
    return _back_to_session(camp_session)


@bp.route("/events/<slug>/sessions/<int:session_id>/star", methods=["POST"])
def star(slug: str, session_id: int) -> Response:
    """Star or unstar a session ("I'd go to this")."""
    camp_session = load_session(slug, session_id)
    authorize(can_star(current_user, camp_session.event))
    if request.form.get("action") == "unstar":
        service.unstar_session(db.session, current_user, camp_session)
    else:
        service.star_session(db.session, current_user, camp_session)
    commit()
    target = request.form.get("next", "")
    if target == "list":
        return redirect(url_for("programme.pitches", slug=slug) + f"#session-{session_id}")
    return _back_to_session(camp_session)


@bp.route("/events/<slug>/sessions/<int:session_id>/room-full", methods=["POST"])
def room_full(slug: str, session_id: int) -> Response:
    """Flag (or clear) a session's room as full."""
    camp_session = load_session(slug, session_id)
    authorize(can_flag_room_full(current_user, camp_session))
    if request.form.get("action") == "clear":
        service.clear_room_full(db.session, camp_session)
        message = "The room is marked as having space again."
    else:
        service.flag_room_full(db.session, current_user, camp_session)
        message = "The room is marked as full on the grid and the big screen."
    commit()
    flash(message, "success")
    return _back_to_session(camp_session)


@bp.route("/events/<slug>/agenda")
def agenda(slug: str) -> str:
    """The person's starred sessions."""
    event = load_event(slug)
    authorize(is_signed_in(current_user))
    return render_template(
        "programme/agenda.html",
        event=event,
        sessions=service.agenda(db.session, current_user, event),
        mine=service.sessions_hosted_by(db.session, current_user, event),
    )


@bp.route("/events/<slug>/pitch-queue", methods=["GET", "POST"])
def pitch_queue(slug: str) -> str | Response:
    """The fast form organisers and volunteers use to enter pitches on the day."""
    event = load_event(slug)
    authorize(can_use_pitch_queue(current_user, event))
    form = QueuePitchForm()
    if form.validate_on_submit():
        try:
            host = service.find_host(db.session, form.host.data or "")
            camp_session = service.queue_pitch(
                db.session, current_user, event, _details(form), host
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            commit()
            flash(f"“{camp_session.title}” by {host.name} is in the queue.", "success")
            return redirect(url_for("programme.pitch_queue", slug=slug))
    return render_template(
        "programme/queue.html",
        event=event,
        form=form,
        recent=service.pitches_of(db.session, event)[:15],
    )


# --- rooms, slots and volunteers (organisers) --------------------------------------------------


def _manage_page(event: Event, status: int = 200, **forms: Any) -> tuple[str, int]:
    forms.setdefault("room_form", RoomForm())
    slot_form = forms.setdefault("slot_form", SlotForm())
    if not slot_form.is_submitted():
        slot_form.day.data = event.local_starts_at.date()
    forms.setdefault("volunteer_form", VolunteerForm())
    return render_template(
        "programme/manage.html",
        event=event,
        rooms=service.active_rooms(db.session, event),
        slots=service.slots_of(db.session, event),
        volunteers=service.volunteers_of(db.session, event),
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
    service.create_default_day(db.session, event)
    commit()
    flash("A default camp day has been added. Adjust the rooms and times below.", "success")
    return redirect(url_for("programme.manage", slug=slug))


def _room_details(form: RoomForm) -> service.RoomDetails:
    return service.RoomDetails(
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
            room = service.add_room(db.session, event, _room_details(form))
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
    room = _owned(Room, room_id, event)
    form = RoomForm(obj=room)
    if form.validate_on_submit():
        try:
            service.update_room(db.session, room, _room_details(form))
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
    room = _owned(Room, room_id, event)
    moved = service.remove_room(db.session, current_user, room)
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
            service.add_slot(
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
    slot = _owned(TimeSlot, slot_id, event)
    form = SlotForm(kind=slot.kind.value, label=slot.label)
    if not form.is_submitted():
        form.day.data = slot.starts_at.astimezone(event.tz).date()
        form.start_time.data = slot.starts_at.astimezone(event.tz).time()
        form.end_time.data = slot.ends_at.astimezone(event.tz).time()
    if form.validate_on_submit():
        try:
            starts, ends = _to_utc(event, form)
            service.update_slot(
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
    service.remove_slot(db.session, _owned(TimeSlot, slot_id, event))
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
            person = service.add_volunteer(db.session, event, form.email.data or "")
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
    service.remove_volunteer(db.session, event, person_id)
    commit()
    flash("The volunteer has been removed.", "success")
    return redirect(url_for("programme.manage", slug=slug))


# --- the grid editor (organisers) --------------------------------------------------------------


def _editor_page(
    event: Event, status: int = 200, error: str = "", warnings: list[str] | None = None
) -> tuple[str, int]:
    grid = grid_service.load_grid(
        db.session, event, with_unscheduled=True, with_changes=20, with_warnings=True
    )
    state = grid_service.live_state(db.session, event.slug, utcnow())
    return render_template(
        "programme/editor.html",
        event=event,
        grid=grid,
        live_etag=state.etag("grid") if state else "",
        error=error,
        warnings=warnings or [],
        poll_seconds=POLL_SECONDS + 2,
    ), status


@bp.route("/events/<slug>/programme/editor")
def editor(slug: str) -> tuple[str, int]:
    """The grid editor: drag and drop, tap to select then tap to place, or plain forms."""
    return _editor_page(load_grid_event(slug))


def _editor_answer(
    event: Event, message: str, warnings: list[str], camp_session: CampSession
) -> Response | tuple[str, int]:
    if request.is_json:
        return jsonify(message=message, warnings=warnings, version=camp_session.version)
    flash(message, "success")
    for warning in warnings:
        flash(f"Warning: {warning}", "warning")
    return redirect(url_for("programme.editor", slug=event.slug))


def _editor_error(event: Event, error: DomainError) -> Response | tuple[str, int]:
    db.session.rollback()
    if request.is_json:
        return jsonify(
            error={"status": error.status_code, "message": error.message}
        ), error.status_code
    return _editor_page(event, error.status_code, error=error.message)


@bp.route("/events/<slug>/programme/sessions/<int:session_id>/place", methods=["POST"])
def place_session(slug: str, session_id: int) -> Response | tuple[str, int]:
    """Place, move or swap a session (JSON from the editor script, or the plain form)."""
    event = load_grid_event(slug)
    camp_session = _owned(CampSession, session_id, event)
    form = PlaceForm()  # Flask-WTF reads JSON bodies as form data
    if not form.validate_on_submit():
        errors = [e for field in form for e in field.errors] or ["Choose a room and a time"]
        return _editor_error(event, DomainError(" ".join(str(e) for e in errors)))
    try:
        warnings = grid_service.place_session(
            db.session, current_user, camp_session, form.slot_id.data, form.room_id.data,
            form.version.data, swap=form.swap.data, swap_version=form.swap_version.data,
        )  # fmt: skip
    except DomainError as error:
        return _editor_error(event, error)
    commit()
    where = service.where_and_when(camp_session)
    return _editor_answer(
        event, f"“{camp_session.title}” is now in {where}.", warnings, camp_session
    )


@bp.route("/events/<slug>/programme/sessions/<int:session_id>/unschedule", methods=["POST"])
def unschedule_session(slug: str, session_id: int) -> Response | tuple[str, int]:
    """Take a session off the grid."""
    event = load_grid_event(slug)
    camp_session = _owned(CampSession, session_id, event)
    form = VersionForm()
    try:
        seen = int(form.version.data) if form.version.data not in (None, "") else None
    except (TypeError, ValueError):
        return _editor_error(event, DomainError("Reload the grid and try again"))
    try:
        grid_service.unschedule_session(db.session, current_user, camp_session, seen)
    except DomainError as error:
        return _editor_error(event, error)
    commit()
    return _editor_answer(event, f"“{camp_session.title}” is off the grid.", [], camp_session)


@bp.route("/events/<slug>/programme/changes/<int:change_id>/undo", methods=["POST"])
def undo_change(slug: str, change_id: int) -> Response | tuple[str, int]:
    """Undo a logged change, unless the session has moved since."""
    event = load_grid_event(slug)
    change = _owned(GridChange, change_id, event)
    try:
        grid_service.undo_change(db.session, current_user, change)
    except DomainError as error:
        return _editor_error(event, error)
    commit()
    return _editor_answer(event, "The change has been undone.", [], change.camp_session)


# --- the public live grid ----------------------------------------------------------------------


def _not_modified(etag: str) -> Response | None:
    if grid_service.etag_matches(request.environ, etag):
        response = make_response("", 304)
        response.set_etag(etag.strip('"'))
        response.headers["Cache-Control"] = LIVE_CACHE
        return response
    return None


def _live_state(slug: str) -> grid_service.LiveState:
    state = grid_service.live_state(db.session.connection(), slug, utcnow())
    if state is None or not state.is_published:
        load_event(slug)  # 404, or the draft for its organisers
        state = grid_service.live_state(db.session.connection(), slug, utcnow())
    assert state is not None
    return state


# Rendered HTML by (slug, ETag): live fragments, and whole grid pages for people who are not
# signed in. The ETag names the grid version and how far through the day it is, so one key always
# means the same HTML for every such viewer. Per worker and bounded: a cache that no other worker
# needs (DESIGN: no per-viewer state, nothing shared in process memory).
_RENDERED: OrderedDict[tuple[str, str], Markup] = OrderedDict()
_RENDERED_MAX = 64


def _cached(slug: str, etag: str, render: Callable[[], str]) -> Markup:
    key = (slug, etag)
    if key in _RENDERED:
        _RENDERED.move_to_end(key)
        return _RENDERED[key]
    # Indentation is a third of the bytes of a big grid; no <pre> or <textarea> in these pages.
    html = Markup(_INDENT.sub("\n", render()))
    _RENDERED[key] = html
    while len(_RENDERED) > _RENDERED_MAX:
        _RENDERED.popitem(last=False)
    return html


def _fragment(slug: str, view: str, etag: str) -> Markup:
    def render() -> str:
        event = load_event(slug)
        grid = grid_service.load_grid(db.session, event, with_changes=8 if view == "grid" else 0)
        return render_template(f"programme/_{view}_live.html", event=event, grid=grid)

    return _cached(slug, etag, render)


def _grid_response(body: str, etag: str, *, private: bool) -> Response:
    response = make_response(body)
    response.set_etag(etag.strip('"'))
    response.headers["Cache-Control"] = "private, no-cache" if private else LIVE_CACHE
    return response


@bp.route("/events/<slug>/grid")
def public_grid(slug: str) -> Response:
    """The live grid: rooms across and slots down; on phones a list, the current slot first."""
    state = _live_state(slug)
    viewer = current_user.id if is_signed_in(current_user) else 0
    etag = state.etag(f"page-{viewer}")
    if "_flashes" not in cookie_session and (answer := _not_modified(etag)):
        return answer
    live_etag = state.etag("grid")

    def render() -> str:
        return render_template(
            "programme/grid.html", event=load_event(slug), live_etag=live_etag,
            fragment=_fragment(slug, "grid", live_etag), poll_seconds=POLL_SECONDS,
        )  # fmt: skip

    body = render() if viewer or "_flashes" in cookie_session else _cached(slug, etag, render)
    return _grid_response(body, etag, private=bool(viewer))


@bp.route("/events/<slug>/grid/screen")
def big_screen(slug: str) -> Response:
    """Big-screen mode for the venue: now and next, room-full flags, large type."""
    state = _live_state(slug)
    if answer := _not_modified(state.etag("screen-page")):
        return answer
    live_etag = state.etag("screen")

    def render() -> str:
        return render_template(
            "programme/screen.html", event=load_event(slug), live_etag=live_etag,
            fragment=_fragment(slug, "screen", live_etag), poll_seconds=POLL_SECONDS,
        )  # fmt: skip

    return _grid_response(
        _cached(slug, state.etag("screen-page"), render), state.etag("screen-page"), private=False
    )


@bp.route("/events/<slug>/grid/live")
def live_grid(slug: str) -> Response:
    """The part of the grid (or big screen) that changes: 304 while nothing has."""
    view = request.args.get("view", "grid")
    if view not in LIVE_VIEWS:
        abort(404)
    state = _live_state(slug)
    etag = state.etag(view)
    if answer := _not_modified(etag):
        return answer
    return _grid_response(_fragment(slug, view, etag), etag, private=False)

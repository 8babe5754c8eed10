"""Pitching and session pages: pitches, hosts, notes, stars, room-full flags, the agenda
and the pitch queue used on the day."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from lgcamp.database import utcnow
from lgcamp.errors import DomainError, show_on_form
from lgcamp.extensions import db
from lgcamp.permissions import (
    authorize,
    can_claim_host,
    can_flag_room_full,
    can_pitch,
    can_star,
    can_use_pitch_queue,
    is_signed_in,
    load_event,
)
from lgcamp.programme import cohosts, hosts, layout, service
from lgcamp.programme.blueprint import bp, load_editable_session, load_session
from lgcamp.programme.forms import (
    HostForm,
    LinkHostForm,
    NotesForm,
    PitchForm,
    QueuePitchForm,
    TookPlaceForm,
)
from lgcamp.programme.models import CampSession, SessionFormat
from lgcamp.transaction import commit


def _details(form: PitchForm | QueuePitchForm) -> service.PitchDetails:
    return service.PitchDetails(
        title=form.title.data or "",
        description=form.description.data or "",
        format=SessionFormat(form.format.data),
        accessibility=(form.accessibility.data or "") if isinstance(form, PitchForm) else "",
    )


def _back_to_session(camp_session: CampSession) -> Response:
    return redirect(
        url_for("programme.show_session", slug=camp_session.event.slug, session_id=camp_session.id)
    )


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
    stars = layout.star_counts(db.session, [s.id for s in sessions])
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
            co_hosts = cohosts.split_co_hosts(db.session, form.co_hosts.data or "")
            camp_session = service.pitch_session(
                db.session, current_user, event, _details(form), co_hosts.people
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            for email in co_hosts.emails:
                cohosts.invite_co_host(db.session, current_user, camp_session, email)
            commit()
            flash(f"Your session “{camp_session.title}” has been pitched.", "success")
            if co_hosts.emails:
                flash(f"We have emailed an invitation to {', '.join(co_hosts.emails)}.", "info")
            return _back_to_session(camp_session)
    return render_template("programme/pitch.html", event=event, form=form, camp_session=None)


@bp.route("/events/<slug>/sessions/<int:session_id>")
def show_session(slug: str, session_id: int) -> tuple[str, int]:
    """A session's page: description, hosts, room and time, stars, notes."""
    camp_session = load_session(slug, session_id)
    return _render_session(camp_session, NotesForm(notes_url=camp_session.notes_url))


def _render_session(
    camp_session: CampSession, notes_form: NotesForm, status: int = 200
) -> tuple[str, int]:
    """The session page; `notes_form` comes back with its errors when a link was refused."""
    starred = (
        camp_session.id in service.starred_ids(db.session, current_user, camp_session.event)
        if is_signed_in(current_user)
        else False
    )
    return render_template(
        "programme/session.html",
        event=camp_session.event,
        camp_session=camp_session,
        stars=layout.star_counts(db.session, [camp_session.id]).get(camp_session.id, 0),
        starred=starred,
        is_full=service.is_room_full(db.session, camp_session),
        took_place=camp_session.took_place(utcnow()),
        host_form=HostForm(),
        notes_form=notes_form,
        took_place_form=TookPlaceForm(
            took_place={None: "auto", True: "yes", False: "no"}[camp_session.took_place_override]
        ),
    ), status


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
    """Add a co-host found by name, or invite one by email (the same answer whether or not
    the address has an account)."""
    camp_session = load_editable_session(slug, session_id)
    form = HostForm()
    if not form.validate():
        raise DomainError(" ".join(form.host.errors) or "Enter the co-host's name or email")
    query = (form.host.data or "").strip()
    if "@" in query:
        cohosts.invite_co_host(db.session, current_user, camp_session, query)
        commit()
        flash(f"We have emailed an invitation to co-host to {query}.", "success")
        return _back_to_session(camp_session)
    person = service.add_co_host(db.session, camp_session, query)
    commit()
    flash(f"{person.name} now co-hosts this session.", "success")
    return _back_to_session(camp_session)


@bp.route("/events/<slug>/sessions/<int:session_id>/hosts/accept/<token>", methods=["GET", "POST"])
def accept_co_host(slug: str, session_id: int, token: str) -> str | Response | tuple[str, int]:
    """Say yes to an invitation to co-host (signed in with the address it was sent to)."""
    camp_session = load_session(slug, session_id)
    authorize(is_signed_in(current_user))
    if request.method == "POST":
        cohosts.accept_invitation(db.session, current_user, camp_session, token)
        commit()
        flash(f"You now co-host “{camp_session.title}”.", "success")
        return _back_to_session(camp_session)
    return render_template(
        "programme/accept_co_host.html", event=camp_session.event, camp_session=camp_session
    )


@bp.route("/events/<slug>/sessions/<int:session_id>/hosts/<int:host_id>/remove", methods=["POST"])
def remove_host(slug: str, session_id: int, host_id: int) -> Response:
    """Remove a host (a session keeps at least one)."""
    camp_session = load_editable_session(slug, session_id)
    service.remove_co_host(db.session, camp_session, host_id)
    commit()
    flash("The host has been removed.", "success")
    return _back_to_session(camp_session)


@bp.route("/events/<slug>/sessions/<int:session_id>/hosts/<int:host_id>/link", methods=["POST"])
def link_host(slug: str, session_id: int, host_id: int) -> Response:
    """Link a host entered by name at the pitch queue to their account (hosts, organisers)."""
    camp_session = load_editable_session(slug, session_id)
    host = hosts.unlinked_host(camp_session, host_id)
    form = LinkHostForm()
    if not form.validate():
        raise DomainError(" ".join(form.account.errors) or "Enter their name or email")
    person = service.find_host(db.session, form.account.data or "", field="account")
    name = host.name
    hosts.link_host(db.session, host, person)
    commit()
    flash(f"{name} is now linked to the account of {person.name}.", "success")
    return _back_to_session(camp_session)


@bp.route("/events/<slug>/sessions/<int:session_id>/hosts/<int:host_id>/claim", methods=["POST"])
def claim_host(slug: str, session_id: int, host_id: int) -> Response:
    """A ticket holder claims ("this is me") a pitch queued under their name with no account."""
    camp_session = load_session(slug, session_id)
    host = hosts.unlinked_host(camp_session, host_id)
    authorize(can_claim_host(current_user, host))
    hosts.link_host(db.session, host, current_user)
    commit()
    flash(f"“{camp_session.title}” is now linked to your account.", "success")
    return _back_to_session(camp_session)


@bp.route("/events/<slug>/sessions/<int:session_id>/notes", methods=["POST"])
def set_notes(slug: str, session_id: int) -> Response | tuple[str, int]:
    """Add or change the shared notes link (http and https only); a refused link stays on
    the form, in the page's error summary."""
    camp_session = load_editable_session(slug, session_id)
    form = NotesForm()
    if form.validate():
        try:
            service.set_notes_url(db.session, camp_session, form.notes_url.data or "")
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error)
    if form.errors or form.form_errors:
        return _render_session(camp_session, form, 400)
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
        unclaimed=hosts.claimable_hosts(db.session, current_user, event),
    )


@bp.route("/events/<slug>/pitch-queue", methods=["GET", "POST"])
def pitch_queue(slug: str) -> str | Response:
    """The fast form organisers and volunteers use to enter pitches on the day."""
    event = load_event(slug)
    authorize(can_use_pitch_queue(current_user, event))
    form = QueuePitchForm()
    if form.validate_on_submit():
        try:
            host = hosts.host_for_queue(db.session, form.host.data or "")
            camp_session = service.queue_pitch(
                db.session, current_user, event, _details(form), host
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            commit()
            flash(_queued_message(camp_session), "success")
            return redirect(url_for("programme.pitch_queue", slug=slug))
    return render_template(
        "programme/queue.html", event=event, form=form, queue=service.pitch_queue(db.session, event)
    )


def _queued_message(camp_session: CampSession) -> str:
    host = camp_session.hosts[0]
    message = (
        f"“{camp_session.title}” by {host.display_name} is number "
        f"{camp_session.queue_position} in the queue."
    )
    if not host.is_linked:
        message += " They have no account linked yet: link it from the session's page."
    return message

"""The door: scanner page and its JSON API, live dashboard (scanner links: link_views.py)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from lgcamp import limits
from lgcamp.checkin import (
    links,
    scans,
    search,
    walk_in_records,
    walk_in_views,  # noqa: F401 (adds its routes to the blueprint)
    walk_ins,
)
from lgcamp.checkin.blueprint import bp
from lgcamp.checkin.chart import arrivals_chart
from lgcamp.checkin.dashboard import DoorStats, door_stats
from lgcamp.checkin.forms import (
    MAX_DEVICE_LABEL,
    ApiWalkInForm,
    CheckInForm,
    WalkInForm,
    device_label,
    form_errors,
    json_object,
    json_text_fields,
    parse_single_scan,
    parse_sync_batch,
)
from lgcamp.checkin.models import ScanMethod
from lgcamp.checkin.scans import ScanActor, ScanInput, UnreadableScan
from lgcamp.checkin.walk_ins import WalkIn
from lgcamp.checkin.window import window_json
from lgcamp.errors import Conflict, DomainError, show_on_form
from lgcamp.events.models import Event
from lgcamp.events.service import get_event
from lgcamp.extensions import db, limiter
from lgcamp.permissions import (
    authorize,
    can_link_walk_in,
    can_scan,
    can_see_door_dashboard,
    visible_event,
)
from lgcamp.transaction import commit

GRANTS = links.GRANTS  # session key: {event id: scanner link id} for phones paired by link
EXPIRED_LINK = "Your scanner link has expired or been revoked. Ask an organiser for a new one."


def _event_or_404(slug: str) -> Event:
    return visible_event(get_event(db.session, slug))


def door_access(slug: str, device_label: str | None = None) -> tuple[Event, ScanActor]:
    """The event and who is scanning (a paired link's door, or a person allowed to scan).

    Checked on every call: 404 for an unknown event, and for a draft to all but its managers
    (links and the scanner role too); 403 when the phone's link has expired or been revoked;
    sign-in (401 for the API) otherwise.
    """
    grants = session.get(GRANTS) or {}
    # One query reads the event and this phone's link for it together.
    event, link = links.door_grant(db.session, slug, grants)
    if event is None or not event.is_published:
        event = visible_event(event)  # 404 unless the person manages the draft
    if link is not None and can_scan(link, event):  # a paired phone scans as that door
        return event, ScanActor(person=None, link=link, door_label=link.label)
    if can_scan(current_user, event):
        # A long name is cut to fit the door label columns (a typed door name is checked).
        label = device_label or current_user.name[:MAX_DEVICE_LABEL]
        return event, ScanActor(person=current_user, link=None, door_label=label)
    if str(event.id) in grants:
        abort(403, EXPIRED_LINK)
    authorize(False)
    raise AssertionError("unreachable")


def load_dashboard_event(slug: str) -> Event:
    """The event, or 404; then 403 unless the person may see its door dashboard."""
    event = _event_or_404(slug)
    authorize(can_see_door_dashboard(current_user, event))
    return event


def _walk_in_form(form_class: type[WalkInForm], event: Event) -> WalkInForm:
    form = form_class()
    form.ticket_type_id.choices = [
        SelectChoice(str(t.id), f"{t.name} ({t.places_left} left)")
        for t in walk_ins.walk_in_ticket_types(db.session, event)
    ]
    return form


def _may_look_up(actor: ScanActor, event: Event) -> bool:
    """Whether this door may tie a walk-in to an existing account (organisers only)."""
    return actor.link is None and can_link_walk_in(actor.person, event)


def _walk_in(form: WalkInForm) -> WalkIn:
    return WalkIn(
        form.name.data or "",
        form.email.data or "",
        form.organisation.data or "",
        form.ticket_type_id.data or 0,
    )


# --- pages -----------------------------------------------------------------------------------


@bp.route("/events/<slug>/door/link/<secret>")
def open_link(slug: str, secret: str) -> Response:
    """Pair this phone with a door: the link grants this event's scanner and nothing else.

    Only the phone's session changes: nothing is written to the database.
    """
    event = _event_or_404(slug)
    link = links.open_scanner_link(db.session, secret)
    if link.event_id != event.id:
        abort(404)
    grants = dict(session.get(GRANTS, {}))
    grants[str(event.id)] = link.id
    session[GRANTS] = grants
    session.permanent = True
    return redirect(url_for("checkin.scanner", slug=slug))


@bp.route("/events/<slug>/door/scan")
@limits.search
def scanner(slug: str) -> str:
    """The scanner: camera, search, walk-ins; works offline once loaded."""
    event, actor = door_access(slug)
    query = (request.args.get("q") or "").strip()[:100]
    matches = search.search_bookings(db.session, event, query) if len(query) >= 2 else []
    return render_template(
        "checkin/scanner.html",
        event=event,
        actor=actor,
        query=query,
        matches=matches,
        scan_id=secrets.token_urlsafe(12),
        walk_in_form=_walk_in_form(WalkInForm, event),
    )


@bp.route("/events/<slug>/door/sw.js")
def service_worker(slug: str) -> Response:
    """The scanner's service worker, served inside the scanner's path so that it controls it."""
    _event_or_404(slug)
    script = Path(current_app.static_folder or "", "js", "scanner", "sw.js").read_bytes()
    response = current_app.response_class(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = url_for("checkin.scanner", slug=slug)[:-4]
    return response


@bp.route("/events/<slug>/door/check-ins", methods=["POST"])
@limits.door
def check_in(slug: str) -> Response:
    """Check in a booking found by search (the scanner page without JavaScript)."""
    event, actor = door_access(slug)
    form = CheckInForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = scans.record_scan(
        db.session,
        actor,
        event,
        ScanInput(scan_id=form.scan_id.data or "", method=ScanMethod.SEARCH,
                  booking_id=form.booking_id.data),
    )  # fmt: skip
    commit()
    category = "success" if outcome.result.colour == "green" else "info"
    flash(f"{outcome.title}: {outcome.name or ''} {outcome.detail}", category)
    return redirect(url_for("checkin.scanner", slug=slug))


@bp.route("/events/<slug>/door/walk-ins", methods=["POST"])
@limits.door
def walk_in(slug: str) -> Response | tuple[str, int]:
    """Register and check in a walk-in (the scanner page without JavaScript)."""
    event, actor = door_access(slug)
    form = _walk_in_form(WalkInForm, event)
    if form.validate_on_submit():
        try:
            outcome = walk_ins.register_walk_in(
                db.session, actor, event, _walk_in(form),
                ScanInput(scan_id=form.scan_id.data or secrets.token_urlsafe(12)),
                may_look_up=_may_look_up(actor, event),
            )  # fmt: skip
        except DomainError as error:
            show_on_form(form, error)
        else:
            commit()
            flash(f"{outcome.name} is registered and checked in.", "success")
            return redirect(url_for("checkin.scanner", slug=slug))
    return render_template(
        "checkin/scanner.html", event=event, actor=actor, query="", matches=[],
        scan_id=secrets.token_urlsafe(12), walk_in_form=form,
    ), 400  # fmt: skip


@bp.route("/events/<slug>/door/check-ins/<int:check_in_id>/undo", methods=["POST"])
@limits.door
def undo(slug: str, check_in_id: int) -> Response:
    """Undo a check-in made by mistake, from the door dashboard (scanners undo theirs through
    the scanner's API); back to the dashboard with a banner naming the person."""
    event = load_dashboard_event(slug)
    actor = ScanActor(person=current_user, link=None, door_label=current_user.name)
    try:
        check_in = scans.undo_check_in(db.session, actor, event, check_in_id)
    except Conflict as error:  # another organiser was quicker, or the form was sent twice
        flash(error.message, "info")
    else:
        commit()
        name = check_in.booking.person.name
        flash(f"The check-in of {name} has been undone: they can be scanned again.", "success")
    return redirect(url_for("checkin.dashboard", slug=slug))


@bp.route("/events/<slug>/door")
def dashboard(slug: str) -> str:
    """Live door dashboard for organisers."""
    event = load_dashboard_event(slug)
    page = request.args.get("page", "")
    number = int(page) if page.isdecimal() and len(page) < 7 else 1  # else the first page
    waiting = search.not_arrived(db.session, event, request.args.get("q", ""), number)
    stats = door_stats(db.session, event)
    return render_template(
        "checkin/dashboard.html", event=event, stats=stats, chart=arrivals_chart(stats.arrivals),
        waiting=waiting, walk_ins=walk_in_records.unlinked_walk_ins(db.session, event),
    )  # fmt: skip


def _live_parts(stats: DoorStats) -> dict[str, str]:
    """The dashboard's server-drawn parts (chart, breakdown), for its polling to swap in."""
    chart = arrivals_chart(stats.arrivals)
    return {
        "arrivals_svg": render_template("checkin/_arrivals_chart.html", chart=chart),
        "breakdown_html": render_template("checkin/_breakdown.html", stats=stats),
    }


# --- JSON API for the scanner page (documented in README.md) --------------------------------

# All doors of a venue share one address: the door's limits count each door (limits.door_key),
# far above a busy door. The probe and the ticket list are not limited at all (the filter also
# skips the limiter's per-request work on them).
SCANNER_API = frozenset(f"checkin.{name}" for name in ("api_ping", "api_tickets"))


@limiter.request_filter
def _scanner_api_not_rate_limited() -> bool:
    return request.endpoint in SCANNER_API


@bp.route("/api/events/<slug>/door/ping")
def api_ping(slug: str) -> Response:
    """A cheap request the scanner uses to find out that it is back online."""
    door_access(slug)
    return jsonify(ok=True)


@bp.route("/api/events/<slug>/door/scans", methods=["POST"])
@limits.door
def api_scan(slug: str) -> Response:
    """Record one live scan; answers what to show (green, amber, red)."""
    body = request.get_json(silent=True)
    event, actor = door_access(slug, device_label(body))
    scan = parse_single_scan(body)
    outcome = scans.record_scan(db.session, actor, event, scan)
    commit()
    return jsonify(outcome.as_json())


@bp.route("/api/events/<slug>/door/sync", methods=["POST"])
@limits.door
def api_sync(slug: str) -> Response:
    """Record queued offline scans (idempotent by scan id) and report conflicts."""
    body = request.get_json(silent=True)
    event, actor = door_access(slug, device_label(body))
    batch, device_id = parse_sync_batch(body)
    results: list[dict[str, Any]] = []
    for scan in batch:
        if isinstance(scan, UnreadableScan):
            scans.log_unreadable_scan(db.session, actor, event, scan)
            results.append({"scan_id": scan.sent_id, "error": scan.error})
            continue
        try:
            results.append(scans.record_scan(db.session, actor, event, scan).as_json())
        except DomainError as error:
            results.append({"scan_id": scan.scan_id, "error": error.message})
    superseded = scans.superseded_scans(db.session, event, device_id) if device_id else []
    commit()
    return jsonify(results=results, superseded=[s.as_json() for s in superseded])


@bp.route("/api/events/<slug>/door/search")
@limits.search
def api_search(slug: str) -> Response:
    """Bookings by name, email or organisation (two characters or more)."""
    event, _actor = door_access(slug)
    query = (request.args.get("q") or "").strip()
    if not 2 <= len(query) <= 100:
        raise DomainError("Search for 2 to 100 characters.", field="q")
    matches = search.search_bookings(db.session, event, query)
    return jsonify(matches=[m.as_json() for m in matches])


@bp.route("/api/events/<slug>/door/tickets")
def api_tickets(slug: str) -> Response:
    """The offline ticket list: hashes, names, ticket types, status (ETag for cheap refresh)."""
    event, _actor = door_access(slug)
    tickets = search.ticket_list(db.session, event)
    response = jsonify(
        event=event.slug, count=len(tickets), tickets=tickets, window=window_json(event)
    )
    response.headers["Cache-Control"] = "private, no-cache"
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/api/events/<slug>/door/walk-ins", methods=["POST"])
@limits.door
def api_walk_in(slug: str) -> Response | tuple[Response, int]:
    """Register and check in a walk-in; 409 with a clear message when the event is full."""
    body = json_object(request.get_json(silent=True))
    event, actor = door_access(slug, device_label(body))
    json_text_fields(body, ("name", "email", "organisation", "scan_id"))
    form = _walk_in_form(ApiWalkInForm, event)
    if not form.validate():
        return jsonify(error={"status": 400, "title": "Check the details",
                              "message": "Check the walk-in's details.",
                              "fields": form_errors(form)}), 400  # fmt: skip
    outcome = walk_ins.register_walk_in(
        db.session, actor, event, _walk_in(form),
        ScanInput(scan_id=form.scan_id.data or secrets.token_urlsafe(12)),
        may_look_up=_may_look_up(actor, event),
    )  # fmt: skip
    commit()
    return jsonify(outcome.as_json())


@bp.route("/api/events/<slug>/door/check-ins/<int:check_in_id>/undo", methods=["POST"])
@limits.door
def api_undo(slug: str, check_in_id: int) -> Response:
    """Undo a check-in made by mistake (``device_label`` in an optional JSON body)."""
    event, actor = door_access(slug, device_label(request.get_json(silent=True)))
    check_in = scans.undo_check_in(db.session, actor, event, check_in_id)
    commit()
    return jsonify(check_in_id=check_in.id, undone_at=check_in.undone_at.isoformat())  # type: ignore[union-attr]


@bp.route("/api/events/<slug>/door/stats")
def api_stats(slug: str) -> Response:
    """The dashboard's numbers, for its polling."""
    event = load_dashboard_event(slug)
    stats = door_stats(db.session, event)
    return jsonify(stats.as_json() | _live_parts(stats))

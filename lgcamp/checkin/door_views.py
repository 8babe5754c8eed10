"""Door routes added to the checkin blueprint: admitting someone whose place was released at
the door, as a walk-in (from the scan's answer with JavaScript, or a search result without)."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response

from lgcamp.checkin.admit import admit_released
from lgcamp.checkin.forms import CheckInForm, device_label, parse_single_scan
from lgcamp.checkin.views import bp, door_access
from lgcamp.errors import DomainError
from lgcamp.extensions import db
from lgcamp.transaction import commit


@bp.route("/api/events/<slug>/door/admissions", methods=["POST"])
def api_admit(slug: str) -> Response:
    """Admit as a walk-in the holder of a place released at the door (``booking_id``,
    ``scan_id``): the scan's green answer, or 409 when no place is left."""
    body = request.get_json(silent=True)
    event, actor = door_access(slug, device_label(body))
    scan = parse_single_scan(body)
    if scan.booking_id is None:
        raise DomainError("booking_id is required.", field="booking_id")
    outcome = admit_released(db.session, actor, event, scan.booking_id, scan)
    commit()
    return jsonify(outcome.as_json())


@bp.route("/events/<slug>/door/admissions", methods=["POST"])
def admit(slug: str) -> Response:
    """The same from a search result, without JavaScript; back to the scanner with a banner."""
    event, actor = door_access(slug)
    form = CheckInForm()
    if not form.validate_on_submit():
        abort(400)
    scan = parse_single_scan({"scan_id": form.scan_id.data, "booking_id": form.booking_id.data})
    try:
        outcome = admit_released(db.session, actor, event, scan.booking_id or 0, scan)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "info")
    else:
        commit()
        flash(f"{outcome.name} is admitted as a walk-in and checked in.", "success")
    return redirect(url_for("checkin.scanner", slug=slug))

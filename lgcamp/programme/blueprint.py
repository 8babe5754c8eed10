"""The programme blueprint, its template filter and the loaders its views share."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from flask import Blueprint, abort
from flask_login import current_user

from lgcamp.events.models import Event
from lgcamp.extensions import db
from lgcamp.permissions import (
    authorize,
    can_edit_grid,
    can_edit_session,
    load_event,
    load_event_for,
)
from lgcamp.programme.models import CampSession, GridChange, Room, TimeSlot

bp = Blueprint("programme", __name__)

# Changes reach open grids within one poll interval plus the request.
POLL_SECONDS = 3


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


Owned = TypeVar("Owned", Room, TimeSlot, GridChange, CampSession)


def owned(model: type[Owned], item_id: int, event: Event) -> Owned:
    """A room, slot, change or session of this event, or 404."""
    item = db.session.get(model, item_id)
    if item is None or item.event_id != event.id:
        abort(404)
    return item

"""The public live grid, the big screen and the poll that keeps them current.

Each answer's ETag comes from the live state (one query); a client whose copy is current gets
a 304 before anything is loaded or rendered.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask import session as cookie_session
from flask_login import current_user
from markupsafe import Markup
from werkzeug.http import quote_etag
from werkzeug.wrappers import Response

from lgcamp.database import utcnow
from lgcamp.events.models import Event
from lgcamp.extensions import db
from lgcamp.permissions import is_signed_in, load_event
from lgcamp.programme import layout, live
from lgcamp.programme.blueprint import POLL_SECONDS, bp

LIVE_VIEWS = ("grid", "screen")
PUBLIC_CACHE = "no-cache"
PRIVATE_CACHE = "private, no-cache"


def _live_state(slug: str) -> live.LiveState:
    """The event's live state; 404 (or 403) as `load_event` decides for drafts and unknowns."""
    state = live.live_state(db.session, slug, utcnow())
    if state is None or not state.is_published:
        load_event(slug)  # aborts unless the person may see the draft
    assert state is not None
    return state


def _validated(tag: str, cache: str, *, conditional: bool = True) -> Response:
    """An empty answer carrying the validator, already a 304 if the client's copy is current."""
    response = Response(mimetype="text/html")
    response.set_etag(tag)
    response.headers["Cache-Control"] = cache
    return response.make_conditional(request) if conditional else response


def _fragment(event: Event, state: live.LiveState, view: str) -> Markup:
    """The part of the grid or big screen that changes."""
    changes = 8 if view == "grid" else 0
    grid = layout.load_grid(
        db.session, event, with_changes=changes, public_changes=True, version=state.version
    )
    return Markup(render_template(f"programme/_{view}_live.html", event=event, grid=grid))


def _page(response: Response, template: str, state: live.LiveState, view: str) -> Response:
    """Render a whole live page into the validated answer."""
    event = db.session.get_one(Event, state.event_id)
    fragment = _fragment(event, state, view)
    live_etag = quote_etag(state.tag(view))
    response.set_data(
        render_template(
            template, event=event, live_etag=live_etag, fragment=fragment, poll_seconds=POLL_SECONDS
        )
    )
    return response


@bp.route("/events/<slug>/grid")
def public_grid(slug: str) -> Response:
    """The live grid: rooms across and slots down; on phones a list, the current slot first."""
    state = _live_state(slug)
    viewer = current_user.id if is_signed_in(current_user) else 0
    cache = PRIVATE_CACHE if viewer else PUBLIC_CACHE
    # A page with a message waiting is always rendered, so the message is shown.
    response = _validated(
        state.tag(f"page-{viewer}"), cache, conditional="_flashes" not in cookie_session
    )
    if response.status_code == 304:
        return response
    return _page(response, "programme/grid.html", state, "grid")


@bp.route("/events/<slug>/grid/screen")
def big_screen(slug: str) -> Response:
    """Big-screen mode for the venue: now and next, room-full flags, large type."""
    state = _live_state(slug)
    response = _validated(state.tag("screen-page"), PUBLIC_CACHE)
    if response.status_code == 304:
        return response
    return _page(response, "programme/screen.html", state, "screen")


@bp.route("/events/<slug>/grid/live")
def live_grid(slug: str) -> Response:
    """The part of the grid (or big screen) that changes: 304 while nothing has.

    Only the poller gets the fragment: a person who opens this URL gets the whole page.
    """
    view = request.args.get("view", "grid")
    if view not in LIVE_VIEWS:
        abort(404)
    state = _live_state(slug)
    if request.headers.get("Sec-Fetch-Dest") == "document":
        page = "programme.public_grid" if view == "grid" else "programme.big_screen"
        return redirect(url_for(page, slug=slug))
    response = _validated(state.tag(view), PUBLIC_CACHE)
    response.vary.add("Sec-Fetch-Dest")
    if response.status_code == 304:
        return response
    response.set_data(_fragment(db.session.get_one(Event, state.event_id), state, view))
    return response

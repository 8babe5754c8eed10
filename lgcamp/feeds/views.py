"""Calendar feeds and "add to calendar" downloads; the personal feed's address and its rotation.

Feeds answer conditional requests from a validator computed before the feed is built, so a
polling calendar app that already has the latest copy costs one or two small queries.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from lgcamp.database import utcnow
from lgcamp.events.models import Event
from lgcamp.extensions import db
from lgcamp.feeds import service
from lgcamp.feeds.ical import FeedHeader, event_ics, feed_ics, item_ics, page_url
from lgcamp.permissions import can_subscribe, load_event, signin_required
from lgcamp.programme.models import CampSession
from lgcamp.transaction import commit

bp = Blueprint("feeds", __name__)

CALENDAR_TYPE = "text/calendar; charset=utf-8"
# Cache-Control of the feeds (lgcamp/fastpath.py answers their 304s with the same).
PUBLIC_CACHE = "no-cache"
PERSONAL_CACHE = "private, no-cache"


@bp.app_template_global()
def subscribe_urls(endpoint: str, **values: object) -> dict[str, str]:
    """A feed's https address and its webcal:// twin (which opens the calendar app)."""
    https = page_url(url_for(endpoint, **values))
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def _not_modified(validator: service.Validator, cache: str) -> Response | None:
    if not service.unmodified(request.environ, validator):
        return None
    return _with_validator(Response(status=304), validator, cache)


def _with_validator(response: Response, validator: service.Validator, cache: str) -> Response:
    response.set_etag(validator.etag)
    response.last_modified = validator.last_modified
    response.headers["Cache-Control"] = cache
    return response


def _feed(body: bytes, validator: service.Validator, cache: str, filename: str) -> Response:
    response = Response(body, content_type=CALENDAR_TYPE)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return _with_validator(response, validator, cache)


def _download(body: bytes, filename: str) -> Response:
    response = Response(body, content_type=CALENDAR_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- public feeds --------------------------------------------------------------------------------


@bp.route("/feeds/events.ics")
def network() -> Response:
    """Every published event of the network, for subscribing."""
    now = utcnow()
    validator = service.network_validator(db.session.connection(), now)
    if answer := _not_modified(validator, PUBLIC_CACHE):
        return answer
    header = FeedHeader(
        "LocalGov Digital events",
        "LocalGovCamp, fringe events and #NotWestminster",
        page_url(url_for("feeds.network")),
        page_url(url_for("events.index")),
    )
    body = feed_ics(header, service.network_items(db.session, now))
    return _feed(body, validator, PUBLIC_CACHE, "localgov-digital-events.ics")


@bp.route("/events/<slug>/calendar.ics", defaults={"with_sessions": False})
@bp.route(
    "/events/<slug>/programme.ics", endpoint="programme_feed", defaults={"with_sessions": True}
)
def event_feed(slug: str, with_sessions: bool) -> Response:
    """One event, or the event and its sessions (drafts are never in feeds, for anyone)."""
    now = utcnow()
    head = service.event_head(db.session.connection(), slug, now, with_sessions=with_sessions)
    if head is None or not can_subscribe(head.status):
        abort(404)
    if answer := _not_modified(head.validator, PUBLIC_CACHE):
        return answer
    event = db.session.get_one(Event, head.event_id)
    header = FeedHeader(
        f"{event.name}: programme" if with_sessions else event.name,
        event.summary or event.kind.label,
        page_url(request.path),
        page_url(url_for("events.show", slug=slug)),
    )
    items = service.event_items(db.session, head.event_id, now, with_sessions=with_sessions)
    return _feed(feed_ics(header, items), head.validator, PUBLIC_CACHE, f"{slug}.ics")


@bp.route("/feeds/personal/<token>.ics")
def personal(token: str) -> Response:
    """A person's booked events and starred sessions, at their secret address."""
    now = utcnow()
    head = service.personal_head(db.session.connection(), token, now)
    if head is None:
        abort(404)  # the same answer for malformed, unknown and rotated tokens
    person_id, validator = head
    if answer := _not_modified(validator, PERSONAL_CACHE):
        return answer
    header = FeedHeader(
        "My LocalGov Digital events",
        "Events you have tickets for and sessions you have starred",
        page_url(request.path),
        page_url(url_for("events.mine")),
    )
    body = feed_ics(header, service.personal_items(db.session, person_id, now))
    response = _feed(body, validator, PERSONAL_CACHE, "my-localgov-digital-events.ics")
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# --- single items --------------------------------------------------------------------------------


@bp.route("/events/<slug>/add-to-calendar.ics")
def event_download(slug: str) -> Response:
    """One event as a file to add to a calendar."""
    return _download(event_ics(load_event(slug)), f"{slug}.ics")


@bp.route("/events/<slug>/sessions/<int:session_id>/add-to-calendar.ics")
def session_download(slug: str, session_id: int) -> Response:
    """One session as a file to add to a calendar (404 while it is not on the grid)."""
    event = load_event(slug)
    camp_session = db.session.get(CampSession, session_id)
    if camp_session is None or camp_session.event_id != event.id:
        abort(404)
    item = service.session_single_item(db.session, camp_session, utcnow())
    if item is None:
        abort(404)
    return _download(item_ics(item), f"{slug}-session-{session_id}.ics")


# --- the personal feed's address -----------------------------------------------------------------


@bp.route("/account/calendar")
@signin_required
def personal_link() -> str:
    """The person's secret feed address, and the button that replaces it."""
    feed_token = service.feed_token_of(db.session, current_user)
    return render_template("feeds/personal.html", feed_token=feed_token)


@bp.route("/account/calendar/new-address", methods=["POST"])
@signin_required
def rotate_token() -> Response:
    """Make the personal feed address, or replace it: the old one stops working at once."""
    had_one = service.feed_token_of(db.session, current_user) is not None
    service.rotate_feed_token(db.session, current_user)
    commit()
    if had_one:
        flash("You have a new calendar address. The old one no longer works.", "success")
    else:
        flash("Your calendar address is ready.", "success")
    return redirect(url_for("feeds.personal_link"))

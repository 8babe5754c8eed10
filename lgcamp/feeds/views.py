"""Calendar feeds and "add to calendar" downloads; the personal feed's address and its rotation.

Feeds answer conditional requests from a validator computed before the feed is built, so a
polling calendar app that already has the latest copy costs one small query.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from lgcamp import limits
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
PUBLIC_CACHE = "no-cache"
PERSONAL_CACHE = "private, no-cache"


@bp.app_template_global()
def subscribe_urls(endpoint: str, **values: Any) -> dict[str, str]:
    """A feed's https address and its webcal:// twin (which opens the calendar app)."""
    https = page_url(url_for(endpoint, **values))
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def _validated(validator: service.Validator, cache: str, filename: str) -> Response:
    """An empty feed answer carrying the validator, already a 304 if the client's copy is
    current (If-None-Match, or If-Modified-Since without it)."""
    response = Response(content_type=CALENDAR_TYPE)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.set_etag(validator.etag)
    response.last_modified = validator.last_modified
    response.headers["Cache-Control"] = cache
    return response.make_conditional(request)


def _download(body: bytes, filename: str) -> Response:
    response = Response(body, content_type=CALENDAR_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- public feeds --------------------------------------------------------------------------------


@bp.route("/feeds/events.ics")
@limits.feeds
def network() -> Response:
    """Every published event of the network, for subscribing."""
    now = utcnow()
    validator = service.network_validator(db.session, now)
    response = _validated(validator, PUBLIC_CACHE, "localgov-digital-events.ics")
    if response.status_code == 304:
        return response
    header = FeedHeader(
        "LocalGov Digital events",
        "LocalGovCamp, fringe events and #NotWestminster",
        page_url(url_for("feeds.network")),
        page_url(url_for("events.index")),
    )
    response.set_data(feed_ics(header, service.network_items(db.session, now)))
    return response


@bp.route("/events/<slug>/calendar.ics", defaults={"with_sessions": False})
@bp.route(
    "/events/<slug>/programme.ics", endpoint="programme_feed", defaults={"with_sessions": True}
)
@limits.feeds
def event_feed(slug: str, with_sessions: bool) -> Response:
    """One event, or the event and its sessions (drafts are never in feeds, for anyone)."""
    now = utcnow()
    head = service.event_head(db.session, slug, now, with_sessions=with_sessions)
    if head is None or not can_subscribe(head.status):
        abort(404)
    response = _validated(head.validator, PUBLIC_CACHE, f"{slug}.ics")
    if response.status_code == 304:
        return response
    event = db.session.get_one(Event, head.event_id)
    header = FeedHeader(
        f"{event.name}: programme" if with_sessions else event.name,
        event.summary or event.kind.label,
        page_url(request.path),
        page_url(url_for("events.show", slug=slug)),
    )
    items = service.event_items(db.session, head.event_id, now, with_sessions=with_sessions)
    response.set_data(feed_ics(header, items))
    return response


@bp.route("/feeds/personal/<token>.ics")
@limits.feeds
def personal(token: str) -> Response:
    """A person's booked events and starred sessions, at their secret address."""
    now = utcnow()
    head = service.personal_head(db.session, token, now)
    if head is None:
        abort(404)  # the same answer for malformed, unknown and rotated tokens
    person_id, validator = head
    response = _validated(validator, PERSONAL_CACHE, "my-localgov-digital-events.ics")
    response.headers["X-Robots-Tag"] = "noindex"
    if response.status_code == 304:
        return response
    header = FeedHeader(
        "My LocalGov Digital events",
        "Events you have tickets for and sessions you have starred",
        page_url(request.path),
        page_url(url_for("events.mine")),
    )
    response.set_data(feed_ics(header, service.personal_items(db.session, person_id, now)))
    return response


# --- single items --------------------------------------------------------------------------------


@bp.route("/events/<slug>/add-to-calendar.ics")
@limits.feeds
def event_download(slug: str) -> Response:
    """One event as a file to add to a calendar."""
    return _download(event_ics(load_event(slug)), f"{slug}.ics")


@bp.route("/events/<slug>/sessions/<int:session_id>/add-to-calendar.ics")
@limits.feeds
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

"""Report pages: per-event figures for organisers, the network's figures by year for admins,
each also as CSV."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from lgcamp.extensions import db
from lgcamp.participation import reports
from lgcamp.participation.blueprint import bp, csv_response, now
from lgcamp.permissions import (
    authorize,
    can_see_event_report,
    can_see_network_reports,
    can_see_reports,
    is_admin,
    load_event_for,
)


def _event_reports() -> list[reports.EventReport]:
    manager = None if is_admin(current_user) else current_user
    events = reports.reportable_events(db.session, now(), manager)
    return reports.event_reports(db.session, events, now())


@bp.route("/reports")
def reports_index() -> str:
    """Per-event figures for the events the person organises (admins: all), with a chart."""
    authorize(can_see_reports(current_user))
    rows = _event_reports()
    return render_template(
        "participation/reports.html",
        rows=rows,
        cells=reports.event_rows(rows),
        columns=reports.EVENT_COLUMNS,
        peak=max([r.booked for r in rows] + [r.attended for r in rows] + [0]),
        bar_step=reports.bar_step,
    )


@bp.route("/reports/events.csv")
def reports_csv() -> Response:
    """The per-event table as CSV."""
    authorize(can_see_reports(current_user))
    header = [label for label, _key in reports.EVENT_COLUMNS]
    return csv_response("participation-by-event.csv", header, reports.event_rows(_event_reports()))


@bp.route("/reports/events/<slug>")
def event_report(slug: str) -> str:
    """One event's figures and the sessions held, for its organisers and admins."""
    event = load_event_for(slug, can_see_event_report)
    rows = reports.event_reports(db.session, [event], now())
    return render_template(
        "participation/event_report.html",
        event=event,
        r=rows[0],
        cells=reports.event_rows(rows),
        columns=reports.EVENT_COLUMNS,
        sessions=reports.sessions_held(db.session, event, now()),
        bar_step=reports.bar_step,
    )


@bp.route("/reports/events/<slug>/figures.csv")
def event_report_csv(slug: str) -> Response:
    """One event's figures as CSV."""
    event = load_event_for(slug, can_see_event_report)
    rows = reports.event_reports(db.session, [event], now())
    header = [label for label, _key in reports.EVENT_COLUMNS]
    return csv_response(f"{event.slug}-figures.csv", header, reports.event_rows(rows))


@bp.route("/reports/events/<slug>/sessions.csv")
def event_sessions_csv(slug: str) -> Response:
    """The sessions held at an event, with their hosts, as CSV."""
    event = load_event_for(slug, can_see_event_report)
    rows = [list(row) for row in reports.sessions_held(db.session, event, now())]
    return csv_response(f"{event.slug}-sessions.csv", ["Session", "Hosts"], rows)


@bp.route("/reports/years")
def years_report() -> str:
    """Network figures across years, for admins."""
    authorize(can_see_network_reports(current_user))
    rows = reports.year_reports(db.session, now())
    return render_template(
        "participation/years.html",
        rows=rows,
        cells=reports.year_rows(rows),
        columns=reports.YEAR_COLUMNS,
        peak=max([r.participants for r in rows] + [0]),
        bar_step=reports.bar_step,
    )


@bp.route("/reports/years.csv")
def years_csv() -> Response:
    """The per-year table as CSV."""
    authorize(can_see_network_reports(current_user))
    header = [label for label, _key in reports.YEAR_COLUMNS]
    return csv_response(
        "participation-by-year.csv",
        header,
        reports.year_rows(reports.year_reports(db.session, now())),
    )

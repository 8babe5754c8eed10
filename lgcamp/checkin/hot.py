"""The door's scan API on the JSON hot path (lgcamp/hotpath.py).

A busy door posts a scan every second or two per phone, nearly all of them from phones paired
by a scanner link: that case is answered here, by the same service and permission rule as
``views.api_scan``. Everything else (a signed-in scanner, an expired link, bad input) is
deferred to that view, which gives every refusal its message.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection

from lgcamp.checkin import links, service
from lgcamp.checkin.forms import parse_single_scan
from lgcamp.checkin.service import ScanActor
from lgcamp.hotpath import Defer, HotRequest, Route
from lgcamp.permissions import can_scan

SCANS = re.compile(r"/api/events/(?P<slug>[A-Za-z0-9_-]{1,200})/door/scans")


def scan(request: HotRequest, connection: Connection) -> tuple[int, dict[str, Any]]:
    """Record one live scan from a phone paired by a scanner link (as ``views.api_scan``)."""
    request.require_csrf_header()
    body = request.json()
    grants = request.session.get(links.GRANTS)
    if not isinstance(grants, dict) or not grants:
        raise Defer
    event, link = links.door_grant(connection, request.match["slug"], grants)
    if event is None or link is None or not can_scan(link, event):
        raise Defer
    actor = ScanActor(person=None, link=link, door_label=link.label)
    outcome = service.record_scan(connection, actor, event, parse_single_scan(body))
    return 200, outcome.as_json()


# A scan writes with one statement (see service.record_scan), and defers only before it.
ROUTES = [Route(SCANS, scan, autocommit=True)]

"""The participation blueprint with all its routes: importing the route modules registers them.

A person's own pages, admins' pages and the reports each have their own module; they share the
blueprint in `blueprint`.
"""

from __future__ import annotations

from lgcamp.participation import admin_views, record_views, report_views
from lgcamp.participation.blueprint import bp

ROUTE_MODULES = (record_views, admin_views, report_views)

__all__ = ["ROUTE_MODULES", "bp"]

"""The programme blueprint with all its routes: importing the route modules registers them.

Session pages and pitching, organisers' set-up, the grid editor and the public live grid each
have their own module; they share the blueprint and loaders in `blueprint`.
"""

from __future__ import annotations

from lgcamp.programme import editor_views, live_views, manage_views, pitch_views
from lgcamp.programme.blueprint import bp

ROUTE_MODULES = (pitch_views, manage_views, editor_views, live_views)

__all__ = ["ROUTE_MODULES", "bp"]

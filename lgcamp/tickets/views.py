"""The tickets blueprint, its routes registered by public_views and manage_views on import."""

from lgcamp.tickets import manage_views, public_views
from lgcamp.tickets.blueprint import bp

__all__ = ["bp", "manage_views", "public_views"]

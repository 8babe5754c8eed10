"""The tickets blueprint, its routes registered by its *_views modules on import."""

from lgcamp.tickets import (
    email_views,
    event_changes,
    manage_views,
    public_views,
    question_views,
)
from lgcamp.tickets.blueprint import bp

__all__ = ["bp", "email_views", "event_changes", "manage_views", "public_views", "question_views"]

"""Absolute links for email and feeds: always from the configured BASE_URL, never the request.

A request's Host (or X-Forwarded-Host) is chosen by whoever sends it: a reset link built from
it would send the victim's token to the attacker's site (issue 16).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL on this site's public address (BASE_URL), in or out of a request."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)

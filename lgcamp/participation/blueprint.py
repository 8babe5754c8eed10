"""The participation blueprint and what its pages share: the clock and CSV downloads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from flask import Blueprint
from werkzeug.wrappers import Response

from lgcamp.database import utcnow
from lgcamp.participation.export import to_csv

bp = Blueprint("participation", __name__)


def now() -> datetime:
    """The time the pages work with (one place, so tests may move it)."""
    return utcnow()


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> Response:
    """A CSV file download."""
    return Response(
        to_csv(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )

"""The `lgcamp` console script: Flask's CLI group around create_app()."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from lgcamp import create_app


@click.group(
    cls=FlaskGroup,
    create_app=create_app,
    add_version_option=False,
    load_dotenv=False,
    set_debug_flag=False,
)
def main() -> None:
    """lgcamp: events, tickets, check-in and participation for LocalGov Digital."""

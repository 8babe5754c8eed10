"""Alembic environment: migrate the Flask app's database (Flask-Migrate calls this).

Autogenerate writes `lgcamp.database.UTCDateTime` as a plain timezone-aware DateTime, so that
revisions never import live code from lgcamp and stay as they were written.
"""

from __future__ import annotations

import logging
from logging.config import fileConfig
from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from alembic.operations.ops import MigrationScript
from flask import current_app
from sqlalchemy import Engine, MetaData

from lgcamp.database import UTCDateTime

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)
logger = logging.getLogger("alembic.env")


def get_engine() -> Engine:
    """The engine of the app's Flask-SQLAlchemy extension."""
    engine: Engine = current_app.extensions["migrate"].db.engine
    return engine


def get_engine_url() -> str:
    """The engine's URL with its password, escaped for the ConfigParser."""
    return get_engine().url.render_as_string(hide_password=False).replace("%", "%%")


config.set_main_option("sqlalchemy.url", get_engine_url())
target_db = current_app.extensions["migrate"].db


def get_metadata() -> MetaData:
    """The models' metadata, the target of autogenerate."""
    if hasattr(target_db, "metadatas"):
        metadata: MetaData = target_db.metadatas[None]
        return metadata
    return target_db.metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    """Write the app's column types as plain SQLAlchemy types in new revisions."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline() -> None:
    """Emit the migrations' SQL for the configured URL, without connecting."""
    url = config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=get_metadata(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations over a connection of the app's engine."""

    def process_revision_directives(
        context: Any, revision: Any, directives: list[MigrationScript]
    ) -> None:
        # No empty revision when autogenerate finds no change.
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops is not None and script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args.setdefault("render_item", render_item)
    with get_engine().connect() as connection:
        context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

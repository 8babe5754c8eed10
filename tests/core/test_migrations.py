"""Migrations build, from empty, exactly the schema the models describe, on both databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from lgcamp import create_app
from lgcamp.extensions import db
from tests.conftest import PG_URL


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL database."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"lgcamp_mig_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _schema_diff(url: str) -> list[object]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, db.metadata))
    finally:
        engine.dispose()


def test_upgrade_from_empty_matches_models_and_downgrades(
    empty_database_url: str, tmp_path: Path
) -> None:
    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "x", "TESTING": True})
    app.instance_path = str(tmp_path)
    with app.app_context():
        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"person", "event", "event_role", "outbound_email", "alembic_version"} <= tables
        diff = _schema_diff(empty_database_url)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()


def _trigger_definitions(engine: sa.Engine) -> set[tuple[str, str]]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            )
            return {(name, sql) for name, sql in rows}
        triggers = conn.exec_driver_sql(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal"
        )
        functions = conn.exec_driver_sql(
            "SELECT proname, prosrc FROM pg_proc WHERE starts_with(proname, 'participation_')"
        )
        return {(name, text) for name, text in [*triggers, *functions]}


def test_migrated_triggers_are_those_the_models_install(
    empty_database_url: str, tmp_path: Path
) -> None:
    """The trigger DDL frozen in the migrations is what ``create_all`` installs today."""
    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "x", "TESTING": True})
    app.instance_path = str(tmp_path)
    with app.app_context():
        upgrade()
        migrated = _trigger_definitions(db.engine)
        downgrade(revision="base")
        db.session.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
        created = _trigger_definitions(db.engine)
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    assert len(migrated) >= 20
    assert migrated == created

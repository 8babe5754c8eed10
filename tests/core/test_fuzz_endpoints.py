"""Generated input for every endpoint in app.url_map: never a 5xx, and a refused request
changes no row (tests/fuzzing.py; benchmarks/fuzz_endpoints.py runs many more examples)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from lgcamp import create_app
from lgcamp.extensions import db
from tests.conftest import PG_URL
from tests.fuzz_inputs import Endpoint, endpoints
from tests.fuzzing import (
    Fuzzer,
    Snapshot,
    cookies,
    fuzz_app_config,
    login_clients,
    restore_cookies,
    seed,
)

# Per endpoint and database; each example is one request (a role drawn among five).
EXAMPLES = int(os.environ.get("LGCAMP_FUZZ_EXAMPLES", "10"))
ENDPOINTS = {
    e.name: e for e in endpoints(create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"}))
}


@dataclass
class Fuzzing:
    """The seeded app, its signed-in clients, and the snapshot put back before each rule."""

    fuzzer: Fuzzer
    snapshot: Snapshot
    saved: dict[str, dict[Any, Any]]
    clients: dict[str, tuple[FlaskClient, str]]


def _database(tmp_path: Any) -> tuple[str, str | None]:
    if not PG_URL:
        return f"sqlite:///{tmp_path / 'fuzz.sqlite'}", None
    admin = sa.make_url(PG_URL)
    name = f"lgcamp_fuzz_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return admin.set(database=name).render_as_string(hide_password=False), name


@pytest.fixture(scope="module")
def fuzzing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzing]:
    """One seeded database per run of this module (copied back before each endpoint)."""
    tmp_path = tmp_path_factory.mktemp("fuzz")
    url, pg_name = _database(tmp_path)
    app = create_app(fuzz_app_config(url, tmp_path))
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        db.create_all()
    seeded = seed(app)
    clients = login_clients(app, seeded)
    snapshot = Snapshot(app)
    yield Fuzzing(Fuzzer(app, seeded, clients), snapshot, cookies(clients), clients)
    snapshot.drop()
    with app.app_context():
        db.engine.dispose()
    if pg_name:
        engine = sa.create_engine(sa.make_url(PG_URL), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        engine.dispose()


def test_every_endpoint_is_generated_for() -> None:
    """A new endpoint is covered by default: only static files are left out."""
    names = set(ENDPOINTS)
    assert "POST checkin.api_sync" in names and "POST accounts.login" in names
    assert "GET events.show" in names and not any(n.endswith(" static") for n in names)
    forms = ENDPOINTS["POST checkin.api_walk_in"].fields
    assert {"name", "email", "ticket_type_id"} <= set(forms)
    assert ENDPOINTS["POST checkin.api_sync"].takes_json


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_no_generated_request_gives_a_5xx_or_changes_rows_when_refused(
    fuzzing: Fuzzing, name: str
) -> None:
    endpoint: Endpoint = ENDPOINTS[name]
    fuzzing.snapshot.restore()
    restore_cookies(fuzzing.clients, fuzzing.saved)
    fuzzing.fuzzer.last_digest = ""
    fuzzing.fuzzer.run(endpoint, EXAMPLES, derandomize=True)

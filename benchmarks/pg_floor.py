"""Minimal Flask views that each run N trivial PostgreSQL statements: the floor under lgcamp.

Served by gunicorn exactly as hello.py is, with one psycopg connection per worker and no
SQLAlchemy, session, CSRF or JSON body: what a request with that many statements costs on this
machine before any application work. See bench_pg_floor.py.
"""

from __future__ import annotations

import os
from typing import Any

import psycopg
from flask import Flask, jsonify

app = Flask(__name__)
_connection: psycopg.Connection[Any] | None = None

SELECT = "SELECT id FROM floor_log WHERE id = %s"
INSERT = "INSERT INTO floor_log (x) VALUES (%s) RETURNING id"
UPDATE = "UPDATE floor_log SET x = x + 1 WHERE id = %s"


def _connect(autocommit: bool) -> psycopg.Connection[Any]:
    global _connection
    if _connection is None:
        _connection = psycopg.connect(os.environ["FLOOR_DSN"])
    _connection.autocommit = autocommit
    return _connection


@app.get("/")
def index() -> str:
    """As hello.py (the harness waits for it)."""
    return "Hello, World!"


@app.post("/insert")
def one_insert() -> Any:
    """One statement in autocommit mode: an INSERT (and its commit)."""
    row = _connect(True).execute(INSERT, (1,)).fetchone()
    return jsonify(id=row[0] if row else None)


@app.post("/read-insert")
def two_statements() -> Any:
    """A read and an INSERT in autocommit mode: the least a door scan can do (look the ticket
    up, then log the scan durably)."""
    connection = _connect(True)
    connection.execute(SELECT, (1,)).fetchall()
    row = connection.execute(INSERT, (1,)).fetchone()
    return jsonify(id=row[0] if row else None)


@app.post("/read-read-insert")
def three_statements() -> Any:
    """Three statements in autocommit mode, as a door scan on PostgreSQL."""
    connection = _connect(True)
    connection.execute(SELECT, (1,)).fetchall()
    connection.execute(SELECT, (2,)).fetchall()
    row = connection.execute(INSERT, (1,)).fetchone()
    return jsonify(id=row[0] if row else None)


@app.post("/transaction-5")
def five_statements() -> Any:
    """BEGIN, two reads, an INSERT, COMMIT: a booking's or a former re-scan's shape."""
    connection = _connect(False)
    connection.execute(SELECT, (1,)).fetchall()
    connection.execute(SELECT, (2,)).fetchall()
    row = connection.execute(INSERT, (1,)).fetchone()
    connection.commit()
    return jsonify(id=row[0] if row else None)


@app.post("/transaction-7")
def seven_statements() -> Any:
    """BEGIN, two reads, two INSERTs, an UPDATE, COMMIT: a former first scan's shape."""
    connection = _connect(False)
    connection.execute(SELECT, (1,)).fetchall()
    connection.execute(SELECT, (2,)).fetchall()
    row = connection.execute(INSERT, (1,)).fetchone()
    connection.execute(INSERT, (2,)).fetchone()
    connection.execute(UPDATE, (row[0] if row else 0,))
    connection.commit()
    return jsonify(id=row[0] if row else None)

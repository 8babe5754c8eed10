"""Real gunicorn: a limit holds at exactly N across two servers of two workers each when they
count in Redis, and gunicorn warns at start when its workers would each count alone."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask

import lgcamp
from tests.conftest import IN_CI, free_port, wait_for

CHECKOUT = Path(lgcamp.__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
REDIS = ("127.0.0.1", 6379)
LIMIT = 5


def redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="module")
def redis() -> str:
    if not redis_answers():
        if IN_CI:
            pytest.fail("Redis on 127.0.0.1:6379 is required in CI")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return "redis://{}:{}".format(*REDIS)


def status_of(port: int, path: str) -> int | None:
    """One GET on a new connection (so that any worker may take it); None if nothing answers."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return None
    finally:
        conn.close()


@contextmanager
def gunicorn(env: dict[str, str], log: Path, workers: int = 2) -> Iterator[int]:
    """`gunicorn -w N wsgi:app` from the checkout (so it reads gunicorn.conf.py); its port."""
    port = free_port()
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [GUNICORN, "-w", str(workers), "-b", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=CHECKOUT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: status_of(port, "/sign-in") == 200 or proc.poll() is not None, 30)
        assert proc.poll() is None, log.read_text()
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.fixture
def server_env(app: Flask, database_url: str, tmp_path: Path) -> Callable[..., dict[str, str]]:
    """Settings for servers on the test's database (its tables made by the app fixture)."""

    def env(**settings: str) -> dict[str, str]:
        return {
            "LGCAMP_DATABASE_URL": database_url,
            "LGCAMP_SECRET_KEY": "test-secret",
            "LGCAMP_INSTANCE_PATH": str(tmp_path / "instance"),
            "LGCAMP_SQLITE_BACKGROUND_CHECKPOINTS": "false",
            **{f"LGCAMP_{name}": value for name, value in settings.items()},
        }

    return env


def test_a_limit_holds_at_exactly_n_across_two_servers_of_two_workers(
    redis: str, server_env: Callable[..., dict[str, str]], tmp_path: Path
) -> None:
    env = server_env(
        RATELIMIT_STORAGE_URI=redis,
        RATELIMIT_KEY_PREFIX=f"lgcamp-test-{uuid.uuid4().hex}",
        FEED_RATE_LIMIT=f"{LIMIT} per hour",
    )
    log = tmp_path / "gunicorn.log"
    with gunicorn(env, log) as first, gunicorn(env, log) as second:
        statuses = [status_of(port, "/feeds/events.ics") for port in (first, second) * 8]
    assert statuses.count(200) == LIMIT
    assert statuses.count(429) == len(statuses) - LIMIT
    assert "RATE LIMITS ARE PER WORKER" not in log.read_text()


def test_per_process_store_multiplies_the_limit_and_gunicorn_warns(
    server_env: Callable[..., dict[str, str]], tmp_path: Path
) -> None:
    env = server_env(RATELIMIT_STORAGE_URI="memory://", FEED_RATE_LIMIT=f"{LIMIT} per hour")
    log = tmp_path / "gunicorn.log"
    with gunicorn(env, log) as first, gunicorn(env, log) as second:
        statuses = [status_of(port, "/feeds/events.ics") for port in (first, second) * 8]
        # Each server's workers count alone: each server lets at least N through.
        assert statuses.count(200) >= 2 * LIMIT
        wait_for(lambda: log.read_text().count("RATE LIMITS ARE PER WORKER") == 4, 30)
    assert "redis://127.0.0.1:6379" in log.read_text()

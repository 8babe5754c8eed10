"""Benchmark harness: gunicorn on loopback, wrk as the load, checks that fail the run.

The checkout measured is the one whose Python runs the script (its editable ``lgcamp``):
``/other/checkout/.venv/bin/python benchmarks/bench_checkin.py`` measures that checkout.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import sqlalchemy as sa

import lgcamp

BENCH_DIR = Path(__file__).resolve().parent
LUA_DIR = BENCH_DIR / "lua"
CHECKOUT = Path(lgcamp.__file__).resolve().parent.parent  # the code under test
HOST = "127.0.0.1"
_LOOPBACK_NAMES = {"127.0.0.1", "localhost"}

_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_RE_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_RE_TOTAL = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", re.M)
_RE_PCT = re.compile(r"^\s*(\d+(?:\.\d+)?)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.M)
_RE_SOCK = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_RE_NON2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
_RE_STATUS = re.compile(r"^status (\d{3}): (\d+)$", re.M)


@dataclass
class Result:
    """Parsed outcome of one wrk run (latencies in milliseconds)."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    duration_s: float
    non_2xx_3xx: int = 0
    connect_errors: int = 0
    read_errors: int = 0
    write_errors: int = 0
    timeouts: int = 0
    percentiles_ms: dict[float, float] = field(default_factory=dict)
    status_counts: dict[int, int] = field(default_factory=dict)
    raw: str = field(default="", repr=False)

    @property
    def socket_errors(self) -> int:
        """Return connect + read + write + timeout errors."""
        return self.connect_errors + self.read_errors + self.write_errors + self.timeouts

    @property
    def errors(self) -> int:
        """Return socket errors plus responses outside 2xx/3xx."""
        return self.socket_errors + self.non_2xx_3xx


def _to_ms(value: str, unit: str) -> float:
    return float(value) * _UNIT_MS[unit]


def parse_wrk(output: str) -> Result:
    """Parse ``wrk --latency`` output (plus status_counts.lua lines) into a Result."""
    rps = _RE_RPS.search(output)
    total = _RE_TOTAL.search(output)
    if not rps or not total:
        raise ValueError(f"unrecognised wrk output:\n{output}")
    pcts = {float(p): _to_ms(v, u) for p, v, u in _RE_PCT.findall(output)}
    sock = _RE_SOCK.search(output)
    connect, read, write, timeout = (int(g) for g in sock.groups()) if sock else (0, 0, 0, 0)
    non2xx = _RE_NON2XX.search(output)
    return Result(
        rps=float(rps.group(1)),
        p50_ms=pcts.get(50.0, float("nan")),
        p99_ms=pcts.get(99.0, float("nan")),
        requests=int(total.group(1)),
        duration_s=_to_ms(total.group(2), total.group(3)) / 1000.0,
        non_2xx_3xx=int(non2xx.group(1)) if non2xx else 0,
        connect_errors=connect,
        read_errors=read,
        write_errors=write,
        timeouts=timeout,
        percentiles_ms=pcts,
        status_counts={int(s): int(n) for s, n in _RE_STATUS.findall(output)},
        raw=output,
    )


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _gunicorn() -> str:
    path = Path(sys.executable).parent / "gunicorn"
    if path.exists():
        return str(path)
    found = shutil.which("gunicorn")
    if not found:
        raise RuntimeError(f"gunicorn not found next to {sys.executable} or on PATH")
    return found


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _answers(port: int, path: str) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        conn.request("GET", path)
        conn.getresponse().read()
        return True
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


@contextmanager
def serve(
    app_spec: str,
    port: int,
    env: dict[str, str] | None = None,
    workers: int = 2,
    cwd: str | None = None,
    *,
    ready_path: str = "/",
    timeout_s: float = 30.0,
    extra_args: list[str] | None = None,
) -> Iterator[str]:
    """Run ``gunicorn -w N -b 127.0.0.1:PORT app_spec`` and yield its base URL until exit."""
    fd, log_name = tempfile.mkstemp(prefix="lgcamp-bench-gunicorn-", suffix=".log")
    os.close(fd)
    log = Path(log_name)
    cmd = [
        _gunicorn(),
        "-w", str(workers),
        "-b", f"{HOST}:{port}",
        "--log-level", "warning",
        "--error-logfile", str(log),
        *(extra_args or []),
        app_spec,
    ]  # fmt: skip
    child_env = {**os.environ, **(env or {})}
    with log.open("ab") as log_fh:
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=child_env,
            stdin=subprocess.DEVNULL,
            stdout=log_fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout_s
        while not _answers(port, ready_path):
            if proc.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {proc.returncode}: {' '.join(cmd)}\n{_tail(log)}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"gunicorn not answering on {HOST}:{port} after {timeout_s}s\n{_tail(log)}"
                )
            time.sleep(0.1)
        yield f"http://{HOST}:{port}"
    finally:
        _stop(proc)
        if "Traceback" in log.read_text(errors="replace"):
            print(f"gunicorn logged errors; the last lines:\n{_tail(log)}", file=sys.stderr)
        log.unlink(missing_ok=True)


def _stop(proc: subprocess.Popen[bytes], grace_s: float = 10.0) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=grace_s)


def lua(name: str) -> str:
    """Return the path of a bundled script in benchmarks/lua/ (``.lua`` optional)."""
    path = LUA_DIR / (name if name.endswith(".lua") else f"{name}.lua")
    if not path.is_file():
        raise FileNotFoundError(path)
    return str(path)


def _check_loopback(url: str) -> None:
    host = urlsplit(url).hostname
    if host not in _LOOPBACK_NAMES:
        raise ValueError(f"refusing to load a non-loopback host: {url}")


def run_wrk(
    url: str,
    *,
    connections: int = 16,
    threads: int = 2,
    duration_s: int = 10,
    lua_script: str | None = None,
    headers: dict[str, str] | None = None,
    lua_env: dict[str, str] | None = None,
    count_statuses: bool = False,
    warmup_s: int = 1,
    timeout_s: int = 5,
) -> Result:
    """Run ``wrk --latency`` against a loopback URL and return the parsed Result."""
    _check_loopback(url)
    if lua_script is None and count_statuses:
        lua_script = lua("status_counts")
    elif lua_script is not None and not os.path.isfile(lua_script):
        lua_script = lua(lua_script)
    header_args = [arg for k, v in (headers or {}).items() for arg in ("-H", f"{k}: {v}")]
    base = ["wrk", "-t", str(threads), "-c", str(connections), "--timeout", f"{timeout_s}s"]
    env = {**os.environ, "WRK_RUN_ID": str(time.time_ns()), **(lua_env or {})}
    if warmup_s > 0:  # plain requests to the same URL; warms workers, caches, connections
        _wrk([*base, "-d", f"{warmup_s}s", *header_args, url], env, warmup_s)
    cmd = [*base, "-d", f"{duration_s}s", "--latency", *header_args]
    if lua_script is not None:
        cmd += ["-s", lua_script]
    return parse_wrk(_wrk([*cmd, url], env, duration_s))


def _wrk(cmd: list[str], env: dict[str, str], duration_s: int) -> str:
    proc = subprocess.run(
        cmd,
        env=env,
        capture_output=True,
        text=True,
        timeout=duration_s + 30,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    return proc.stdout


def _processes() -> Iterator[tuple[str, bytes, float]]:
    """(name, command line, CPU seconds used so far: user + system) of every process."""
    tick = os.sysconf("SC_CLK_TCK")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:  # ended meanwhile
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        yield name, cmdline, (int(fields[11]) + int(fields[12])) / tick  # utime, stime


def gunicorn_cpu_seconds(port: int) -> float:
    """CPU time used so far by the gunicorn master and workers serving this port."""
    bind = f"{HOST}:{port}".encode()
    return sum(
        cpu for _, cmdline, cpu in _processes() if b"gunicorn" in cmdline and bind in cmdline
    )


def postgres_cpu_seconds(database_url: str) -> dict[int, float]:
    """CPU seconds used so far by each server process serving this database (by pid).

    Only the benchmark's own database's backends count, not the server's other work; compare
    two snapshots with `cpu_delta`.
    """
    url = sa.make_url(database_url)
    engine = sa.create_engine(url.set(database="postgres"))
    with engine.connect() as conn:
        pids = set(
            conn.execute(
                sa.text("SELECT pid FROM pg_stat_activity WHERE datname = :name"),
                {"name": url.database},
            ).scalars()
        )
    engine.dispose()
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:  # ended meanwhile, or another host
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        used[pid] = (int(fields[11]) + int(fields[12])) / tick
    return used


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two `postgres_cpu_seconds` snapshots (new backends from 0)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


_NOT_COUNTED = ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE")


class StatementLog:
    """The SQL statements the database driver ran on an engine's connections (BEGIN, COMMIT,
    ROLLBACK and PRAGMA left out), read at the driver so that no path around the ORM hides any:
    SQLite's trace callback, libpq's protocol trace (one CommandComplete per statement)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.sqlite: list[str] = []
        fd, name = tempfile.mkstemp(prefix="lgcamp-bench-trace-")
        self.trace = Path(name)
        self._fd = fd
        self._read = 0
        self.engine = engine
        engine.dispose()  # new connections only: each gets the trace when it connects
        sa.event.listen(engine, "connect", self._on_connect)

    def _on_connect(self, dbapi_connection: Any, _record: object) -> None:
        if self.engine.dialect.name == "sqlite":
            dbapi_connection.set_trace_callback(self.sqlite.append)
        else:
            dbapi_connection.pgconn.trace(self._fd)
            dbapi_connection.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)

    def take(self) -> list[str]:
        """The statements run since the last call."""
        if self.engine.dialect.name == "sqlite":
            ran, self.sqlite[:] = list(self.sqlite), []
        else:
            text = self.trace.read_text(errors="replace")
            new, self._read = text[self._read :], len(text)
            ran = re.findall(r"^B\t\d+\tCommandComplete\t \"([^\"]*)\"$", new, re.M)
        return [sql for sql in ran if not sql.strip().upper().startswith(_NOT_COUNTED)]

    def close(self) -> None:
        """Stop tracing: close the engine's connections and remove the trace file."""
        sa.event.remove(self.engine, "connect", self._on_connect)
        self.engine.dispose()
        os.close(self._fd)
        self.trace.unlink(missing_ok=True)


@contextmanager
def counting_statements(engine: sa.Engine) -> Iterator[StatementLog]:
    """A StatementLog over this engine while the block runs."""
    log = StatementLog(engine)
    try:
        yield log
    finally:
        log.close()


class BenchmarkFailed(Exception):
    """An answer was not the one the benchmark expects: the figures would be wrong."""


def expect_statuses(name: str, result: Result, allowed: set[int]) -> None:
    """Fail unless every response had an allowed status and no socket error occurred."""
    wrong = {s: n for s, n in result.status_counts.items() if s not in allowed}
    if not result.status_counts:
        raise BenchmarkFailed(f"{name}: no statuses counted (wrk script without counts?)")
    if wrong or result.socket_errors:
        raise BenchmarkFailed(
            f"{name}: expected only {sorted(allowed)}, got statuses {result.status_counts} "
            f"and {result.socket_errors} socket errors"
        )


def common_args(parser: argparse.ArgumentParser, duration_s: int, connections: int) -> None:
    """Add --duration, --connections, --port, --hello-port, --postgres and --database."""
    parser.add_argument("--duration", type=int, default=duration_s, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=connections)
    parser.add_argument("--port", type=int, default=0, help="app port (default: a free one)")
    parser.add_argument("--hello-port", type=int, default=0, help="hello world's port")
    parser.add_argument(
        "--postgres",
        metavar="ADMIN_URL",
        help="also run on PostgreSQL: a server URL such as "
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres (host and port from it)",
    )
    parser.add_argument(
        "--database", help="name of the PostgreSQL database to create and drop (default: random)"
    )


def port_or_free(port: int) -> int:
    """The port asked for, or a free one when 0."""
    return port or free_port()


def run_main(main: Callable[[], None]) -> None:
    """Run a benchmark's main; a failed check exits 1 with its message."""
    try:
        main()
    except BenchmarkFailed as failure:
        sys.exit(f"BENCHMARK FAILED: {failure}")


def describe_checkout() -> str:
    """The checkout under test and its commit, for the report's header."""
    proc = subprocess.run(
        ["git", "-C", str(CHECKOUT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return f"{CHECKOUT} at {proc.stdout.strip() or 'unknown commit'}"


def ceiling(duration_s: int = 10, connections: int = 16, port: int = 0) -> Result:
    """Measure GET / on benchmarks/hello.py:app (gunicorn, 2 workers, loopback)."""
    with serve("hello:app", port_or_free(port), workers=2, cwd=str(BENCH_DIR)) as base:
        result = run_wrk(
            base + "/", connections=connections, duration_s=duration_s, count_statuses=True
        )
    expect_statuses("hello world", result, {200})
    return result


def _fmt_ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}"


def print_table(rows: list[tuple[str, Result]], ceiling: Result) -> None:
    """Print name, req/s, p50/p99 ms, errors and req/s as % of the ceiling."""
    show_status = any(res.status_counts for _, res in rows)
    header = ["name", "req/s", "p50 ms", "p99 ms", "errors", "% ceiling"]
    if show_status:
        header.append("statuses")
    table = [header]
    for name, res in rows:
        pct = 100.0 * res.rps / ceiling.rps if ceiling.rps else float("nan")
        line = [
            name,
            f"{res.rps:.0f}",
            _fmt_ms(res.p50_ms),
            _fmt_ms(res.p99_ms),
            str(res.errors),
            f"{pct:.1f}%",
        ]
        if show_status:
            line.append(" ".join(f"{s}:{n}" for s, n in sorted(res.status_counts.items())))
        table.append(line)
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for i, line in enumerate(table):
        cells = [
            c.ljust(w) if j == 0 else c.rjust(w)
            for j, (c, w) in enumerate(zip(line, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))

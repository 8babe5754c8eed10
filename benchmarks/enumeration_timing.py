"""Does a reset or sign-up answer faster for an address without an account? (issue 16)

Runs the app in process on a fresh SQLite file with a loopback SMTP server (aiosmtpd), sends
the same number of POSTs for an address with an account and one without, interleaved, and
prints the median and mean times and their differences. Usage:

    .venv/bin/python benchmarks/enumeration_timing.py --rounds 300
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

from lgcamp import create_app
from lgcamp.accounts.models import Person
from lgcamp.accounts.service import hash_password
from lgcamp.extensions import db


def _timed(client: object, url: str, data: dict[str, str], address: str) -> float:
    start = time.perf_counter()
    response = client.post(url, data=data, environ_base={"REMOTE_ADDR": address})  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    return elapsed * 1000


def main() -> None:
    """Measure, interleaved, known and unknown addresses for reset and sign-up."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    smtp = Controller(Sink(), hostname="127.0.0.1", port=port)
    smtp.start()
    folder = Path(tempfile.mkdtemp(prefix="lgcamp-enum-"))
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}",
            "WTF_CSRF_ENABLED": False,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "BASE_URL": "http://localhost",
            "SQLITE_BACKGROUND_CHECKPOINTS": False,
        }
    )
    with app.app_context():
        db.create_all()
        db.session.add(
            Person(name="Known", email="known@example.org", password_hash=hash_password("x" * 12))
        )
        db.session.commit()
    client = app.test_client()
    flows = {
        "reset": ("/forgot-password", lambda email: {"email": email}),
        "sign-up": ("/sign-up", lambda email: {"name": "N", "email": email, "organisation": ""}),
    }
    print(f"{args.rounds} rounds per address, interleaved; milliseconds")
    print(f"{'flow':<8} {'known median':>13} {'unknown median':>15} {'diff':>7} {'mean diff':>10}")
    for name, (url, data) in flows.items():
        known: list[float] = []
        unknown: list[float] = []
        for n in range(args.rounds):
            address = f"10.9.{n // 250}.{n % 250}"  # each round its own client address
            known.append(_timed(client, url, data("known@example.org"), address))
            unknown.append(_timed(client, url, data(f"nobody{n}@example.org"), address))
        km, um = statistics.median(known), statistics.median(unknown)
        mean_diff = statistics.mean(known) - statistics.mean(unknown)
        print(f"{name:<8} {km:13.2f} {um:15.2f} {km - um:7.2f} {mean_diff:10.2f}")
    smtp.stop()


if __name__ == "__main__":
    main()

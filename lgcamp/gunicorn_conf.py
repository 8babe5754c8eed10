"""gunicorn settings for lgcamp: `gunicorn -c python:lgcamp.gunicorn_conf ...` (a checkout's
gunicorn.conf.py, read by gunicorn from the working directory, takes them from here).

The hook warns in the error log, at the start of each worker, when the rate limits would count
per worker (several workers and the per-process memory:// store).
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from lgcamp.limits import warn_if_per_process


def post_worker_init(worker: Any) -> None:
    """gunicorn hook, in each worker once the app is loaded: warn if limits are per worker."""
    app = worker.wsgi
    if isinstance(app, Flask):
        warn_if_per_process(app, int(worker.cfg.workers), worker.log)

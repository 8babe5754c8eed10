"""Read by gunicorn when started from the checkout: lgcamp's hooks (see lgcamp/gunicorn_conf.py)."""

from lgcamp.gunicorn_conf import post_worker_init  # noqa: F401

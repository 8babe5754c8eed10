"""The WSGI entry point: `gunicorn wsgi:app`."""

from lgcamp import create_app

app = create_app()

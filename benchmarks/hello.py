"""Minimal Flask hello world: the throughput ceiling for benchmark ratios."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    """Return a constant greeting."""
    return "Hello, World!"

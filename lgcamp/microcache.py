"""A tiny per-process cache with a time to live, for public pages under load.

Each worker keeps its own copy and nothing else depends on it: a worker without the entry
simply renders the page. Entries live a few seconds, so what a visitor sees is at most that
old; anything that must be exact (capacity, permissions) is checked again when they act.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Generic, TypeVar

V = TypeVar("V")


class MicroCache(Generic[V]):
    """Values by key for a few seconds each, at most `size` of them (oldest dropped first)."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._entries: OrderedDict[object, tuple[float, V]] = OrderedDict()

    def get(self, key: object) -> V | None:
        """The value if it is still fresh, else None."""
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: object, value: V, ttl: float) -> None:
        """Keep a value for the next `ttl` seconds."""
        self._entries[key] = (time.monotonic() + ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (tests)."""
        self._entries.clear()

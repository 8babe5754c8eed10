"""The arrivals chart as SVG geometry (drawn by templates/checkin/_arrivals_chart.html).

Drawn on the server, so that it needs no script, carries its own title, description and time
labels, and reads the same at 390 px (the view box is about a phone's width) as at 1280 px.
"""

from __future__ import annotations

from dataclasses import dataclass

from lgcamp.checkin.dashboard import Arrivals

WIDTH, HEIGHT = 360, 200
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 12, 30  # room for the count and time labels
MAX_TIME_LABELS = 6


@dataclass(frozen=True)
class Bar:
    """One 15-minute slot's bar."""

    x: float
    y: float
    width: float
    height: float
    label: str
    count: int


@dataclass(frozen=True)
class Tick:
    """A label on an axis, at a position along it."""

    at: float
    text: str


@dataclass(frozen=True)
class ArrivalsChart:
    """Everything the SVG needs: bars, axis labels, and a sentence saying what it shows."""

    width: int
    height: int
    bars: list[Bar]
    times: list[Tick]  # along the bottom
    counts: list[Tick]  # up the left side
    baseline: float
    left: float
    summary: str


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def arrivals_chart(arrivals: list[Arrivals]) -> ArrivalsChart | None:
    """The chart of these slots; None when nobody has arrived."""
    total = sum(a.count for a in arrivals)
    if not total:
        return None
    peak = max(arrivals, key=lambda a: a.count)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_width / len(arrivals)
    gap = min(2.0, step / 4)
    baseline = TOP + plot_height
    bars = []
    for n, slot in enumerate(arrivals):
        height = plot_height * slot.count / peak.count
        x = LEFT + n * step + gap / 2
        bars.append(Bar(round(x, 1), round(baseline - height, 1), round(step - gap, 1),
                        round(height, 1), slot.label, slot.count))  # fmt: skip
    every = -(-len(arrivals) // MAX_TIME_LABELS)  # ceiling: at most six time labels
    times = [
        Tick(round(LEFT + n * step + step / 2, 1), slot.label)
        for n, slot in enumerate(arrivals)
        if n % every == 0
    ]
    counts = [Tick(baseline, "0"), Tick(TOP, str(peak.count))]
    end = arrivals[-1].starts_at.strftime("%H:%M")
    summary = (
        f"{_plural(total, 'arrival')} from {arrivals[0].label} to the slot starting {end}; "
        f"busiest: {_plural(peak.count, 'arrival')} in the 15 minutes from {peak.label}."
    )
    return ArrivalsChart(WIDTH, HEIGHT, bars, times, counts, baseline, LEFT, summary)

"""Server-side pages of long lists (attendees, waitlist, member register): one page of rows
and the count, so a 2,000-ticket event's list is quick to load and to read on a phone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

PER_PAGE = 50


@dataclass(frozen=True)
class Paged(Generic[T]):
    """One page of a list: its rows, which page it is and how many rows there are in all."""

    items: Sequence[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the whole list fills (at least one, even when empty)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """The position (from 1) of the page's first row, for "Showing 51 to 100 of 291"."""
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        """The position of the page's last row."""
        return (self.page - 1) * self.per_page + len(self.items)

    def numbers(self) -> list[int | None]:
        """The page numbers to link to: first, last, and two either side of this one; None
        stands for a gap (GOV.UK pagination's ellipsis)."""
        wanted = {1, self.pages, *range(self.page - 2, self.page + 3)}
        shown = sorted(n for n in wanted if 1 <= n <= self.pages)
        numbers: list[int | None] = []
        for n in shown:
            if numbers and n - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(n)
        return numbers


def page_number(args: Mapping[str, Any], param: str = "page") -> int:
    """The page asked for in the query string; 1 when missing or not a positive number."""
    raw = str(args.get(param, "1"))
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


def paginate(
    session: Session, query: Select[Any], page: int, per_page: int = PER_PAGE
) -> Paged[Any]:
    """Run the query for one page (clamped to the last page) and count all its rows."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page = min(max(page, 1), max(1, -(-total // per_page)))
    items = list(session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Paged(items, page, per_page, total)


def page_of(items: Sequence[T], page: int, per_page: int = PER_PAGE) -> Paged[T]:
    """One page of a list already in memory (a waitlist's order is computed in Python)."""
    total = len(items)
    page = min(max(page, 1), max(1, -(-total // per_page)))
    start = (page - 1) * per_page
    return Paged(items[start : start + per_page], page, per_page, total)

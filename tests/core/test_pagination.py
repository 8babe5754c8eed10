"""Pages of long lists: which page numbers are linked, and what a query string asks for."""

from __future__ import annotations

import pytest

from lgcamp.pagination import Paged, page_number, page_of


@pytest.mark.parametrize(
    ("page", "pages", "numbers"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 40, [1, 2, 3, None, 40]),
        (20, 40, [1, None, 18, 19, 20, 21, 22, None, 40]),
        (40, 40, [1, None, 38, 39, 40]),
        (4, 7, [1, 2, 3, 4, 5, 6, 7]),
    ],
)
def test_page_numbers_show_both_ends_and_two_either_side(
    page: int, pages: int, numbers: list[int | None]
) -> None:
    paged = Paged(items=[0], page=page, per_page=50, total=pages * 50)
    assert paged.pages == pages
    assert paged.numbers() == numbers


@pytest.mark.parametrize(
    ("args", "expected"), [({}, 1), ({"page": "3"}, 3), ({"page": "0"}, 1), ({"page": "-2"}, 1),
                           ({"page": "x"}, 1), ({"page": "9" * 40}, 1)]
)  # fmt: skip
def test_page_number_is_a_positive_number_or_one(args: dict[str, str], expected: int) -> None:
    assert page_number(args) == expected


def test_page_of_a_list_clamps_to_the_last_page() -> None:
    paged = page_of(list(range(120)), 9)
    assert (paged.page, paged.first, paged.last, list(paged.items)) == (
        3,
        101,
        120,
        list(range(100, 120)),
    )
    empty = page_of([], 1)
    assert (empty.pages, empty.first, empty.last) == (1, 0, 0)
